from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from attrib import AttribWarning, evaluate, train
from attrib.cli import cli
from attrib.evaluation.calibration import choose_margin
from attrib.features.cleaning import distort
from attrib.modeling.openset import Evidence, coverage, decide, word_count
from conftest import write_corpus

LIMITS = {"min_words": 20, "min_coverage": 0.33, "min_margin": 0.05}


@pytest.mark.parametrize(
    ("evidence", "scores", "reason"),
    [
        (Evidence(5, 0.9), [0.9, 0.1], "too short to judge: 5 words"),
        (Evidence(50, 0.2), [0.9, 0.1], "too unlike the training corpus: 20%"),
        (Evidence(50, 0.9), [0.51, 0.49], "no clear winner: the top score leads by 0.02"),
        (Evidence(50, 0.9), [0.6, 0.4], None),
    ],
)
def test_decide(evidence: Evidence, scores: list[float], reason: str | None) -> None:
    found = decide(evidence, scores, LIMITS)
    assert (found is None) == (reason is None)
    assert reason is None or (found is not None and found.startswith(reason))


def test_coverage_counts_repeats() -> None:
    assert coverage(["abcde", "abcde", "zzzzz", "yyyyy"], {"abcde"}) == 0.5
    assert coverage([], {"abcde"}) == 0.0


def test_choose_margin_maximises_right_minus_wrong() -> None:
    # Answering everything: 3 right, 2 wrong (net 1). From 0.3 up: 3 right, 0 wrong (net 3).
    margins = [0.1, 0.2, 0.3, 0.5, 0.9]
    correct = [False, False, True, True, True]
    assert choose_margin(margins, correct) == 0.3
    assert choose_margin([0.5], [True]) == 0.0


def with_short_singleton(root: Path) -> Path:
    write_corpus(root, per_outlet=3, outlets=("alpha", "beta"))
    (root / "gamma").mkdir()
    (root / "gamma" / "only.txt").write_text("A short note from gamma.\n")
    return root


def test_evaluate_counts_abstentions_apart(tmp_path: Path) -> None:
    # The corpus's documents are about 40 words: the short singleton is the one below 20.
    corpus = with_short_singleton(tmp_path / "c")
    report = evaluate(corpus, permutations=0, thresholds={"min_words": 20})
    gamma = next(f for f in report.held_out if f.true == "gamma")
    assert not gamma.attainable
    assert gamma.abstained and gamma.reason is not None
    assert gamma.reason.startswith("too short to judge")
    assert gamma.open_set_correct and not gamma.correct
    assert report.abstentions >= 1
    expected = sum(f.open_set_correct for f in report.held_out) / len(report.held_out)
    assert report.open_set_accuracy == pytest.approx(expected)
    assert report.open_set_accuracy > report.accuracy


def test_evaluate_json_reports_both_accuracies(tmp_path: Path) -> None:
    corpus = with_short_singleton(tmp_path / "c")
    result = CliRunner().invoke(cli, ["evaluate", str(corpus), "--json", "--permutations", "0"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"accuracy", "open_set_accuracy", "abstentions"} <= set(data)
    assert any(f["reason"] for f in data["held_out"])


def test_calibration_says_when_the_corpus_is_too_small() -> None:
    with pytest.warns(AttribWarning, match="not calibrated: 5 documents, 1 in the smallest"):
        model = train(calibrate_threshold=True)
    assert model.metadata["open_set"]["calibrated"] is False
    assert model.thresholds["min_margin"] == 0.05


def test_calibration_picks_a_margin_from_leave_one_out(tmp_path: Path) -> None:
    model = train(write_corpus(tmp_path / "c", per_outlet=7), calibrate_threshold=True)
    open_set = model.metadata["open_set"]
    assert open_set["calibrated"] is True
    assert "chosen from leave-one-out scores of 21 documents" in open_set["how"]
    # The value itself is checked against an independent oracle in test_oracles.py.
    assert model.thresholds["min_margin"] == open_set["thresholds"]["min_margin"]


def test_cli_predict_says_unknown_and_why(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["train"]).exit_code == 0
    short = tmp_path / "short.txt"
    short.write_text("Moscow said talks would go on.")
    result = runner.invoke(cli, ["predict", str(short)])
    assert result.exit_code == 0, result.output
    _, verdict, guess = result.stdout.rstrip("\n").split("\t")
    assert verdict == "unknown (too short to judge: 6 words, attrib needs at least 50)"
    assert guess.startswith("(best guess: ")
    result = runner.invoke(cli, ["predict", "--json", str(short)])
    record = json.loads(result.stdout)
    assert record["outlet"] == "unknown" and record["abstained"] is True
    assert sum(record["scores"].values()) == pytest.approx(1.0)


def test_words_hidden_by_distortion_still_count() -> None:
    text = "Officials in Zaporizhzhia reported 42 incidents near the Dnipro on Tuesday."
    assert word_count(distort(text, keep=["in", "the", "on"])) == word_count(text) == 11


def test_a_distorted_model_judges_length_before_distortion(tmp_path: Path) -> None:
    model = train(write_corpus(tmp_path / "c"), mask="distort")
    words = [
        "Quarterly",
        "agricultural",
        "tariffs",
        "unsettled",
        "Brazilian",
        "soybean",
        "exporters",
        "yesterday",
    ]
    text = " ".join(words[i % len(words)] for i in range(60)) + "."
    (prediction,) = model.predictions([text])
    assert prediction.reason is None or "too short" not in prediction.reason


def test_a_calibrated_margin_of_zero_says_abstention_is_off(tmp_path: Path) -> None:
    runner = CliRunner()
    corpus = write_corpus(tmp_path / "c", per_outlet=7)  # every held-out text is right
    model = tmp_path / "m.npz"
    result = runner.invoke(cli, ["train", str(corpus), "-o", str(model), "--calibrate-threshold"])
    assert result.exit_code == 0, result.output
    assert "min_margin 0.000 chosen" in result.stdout
    assert "abstaining on close calls is off" in result.stdout
    info = runner.invoke(cli, ["model", "info", str(model)])
    assert "min_margin=0.0" in info.stdout and "abstaining on close calls is off" in info.stdout
    text = tmp_path / "t.txt"
    text.write_text(" ".join(["The ministry said talks would continue."] * 8))
    explained = runner.invoke(cli, ["explain", "-m", str(model), str(text), "--json"])
    assert json.loads(explained.stdout)["open_set"]["calibrated"] is True
    # A plain retrain into the same file says that the calibration is gone.
    result = runner.invoke(cli, ["train", str(corpus), "-o", str(model)])
    assert result.exit_code == 0, result.output
    assert "had a calibrated margin (0.000); this one uses the default 0.05" in result.stderr
