from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.base import clone
from sklearn.model_selection import LeaveOneOut, StratifiedKFold, cross_val_predict

from attrib import EvaluationError, OptionError, build_pipeline, evaluate, load_corpus
from attrib import train as train_model
from attrib.cli import cli
from attrib.evaluation.evaluate import _items, _splits, split_passages
from attrib.evaluation.foldcache import FoldFeatures
from conftest import style_text, write_corpus


@pytest.fixture(scope="module")
def bundled():  # type: ignore[no-untyped-def]
    return evaluate()


def test_bundled_corpus_folds_say_what_is_attainable(bundled) -> None:  # type: ignore[no-untyped-def]
    assert bundled.scheme == "leave-one-out"
    assert len(bundled.held_out) == bundled.n_folds == 5
    assert [f.attainable for f in bundled.held_out] == [False, True, True, False, False]
    assert [f.true for f in bundled.held_out] == ["presstv", "rt", "rt", "sputnik", "tass"]
    assert bundled.ceiling == pytest.approx(0.4)
    assert bundled.accuracy <= bundled.ceiling
    # Singleton outlets cannot be predicted: their folds trained on the other three outlets.
    for fold in bundled.held_out:
        assert fold.true in fold.scores or not fold.attainable
        assert not fold.attainable or fold.true in fold.scores
    # Chance: a uniform guess among 4 outlets in the two RT folds, impossible elsewhere.
    assert bundled.chance == pytest.approx((0.25 + 0.25) / 5)
    assert bundled.p_value_method == "exact"
    assert bundled.permutations == 60  # 5! / 2! orderings of the labels
    assert any("3 of 5 held-out documents are unattainable" in w for w in bundled.warnings)


def test_confusion_and_macro_f1_agree_with_the_folds(bundled) -> None:  # type: ignore[no-untyped-def]
    labels = bundled.confusion["labels"]
    matrix = np.array(bundled.confusion["matrix"])
    assert matrix.sum() == 5
    assert np.trace(matrix) == sum(f.correct for f in bundled.held_out)
    for fold in bundled.held_out:
        assert matrix[labels.index(fold.true), labels.index(fold.predicted)] >= 1
    assert 0.0 <= bundled.macro_f1 <= 1.0


def twins_corpus(root: Path) -> Path:
    """Two pairs of near-identical documents in unrelated vocabularies: a a b b."""
    pairs = {
        "a": "The orchard harvest of apples and pears was plentiful this autumn season.",
        "b": "Quantum processors compute entangled qubits inside cryogenic laboratories.",
    }
    for label, text in pairs.items():
        (root / label).mkdir(parents=True)
        (root / label / "1.txt").write_text(text + " First copy.")
        (root / label / "2.txt").write_text(text + " Second copy.")
    return root


def test_exact_p_value_matches_a_hand_computation(tmp_path: Path) -> None:
    # Each document's nearest neighbour is its twin, so leave-one-out predicts a document's
    # label as its twin's. Of the 4!/(2!2!) = 6 labelings, the two that keep twins together
    # (aabb, bbaa) score 4/4, the other four score 0/4: P(accuracy >= 1) = 2/6.
    report = evaluate(twins_corpus(tmp_path / "c"))
    assert report.accuracy == 1.0
    assert report.p_value_method == "exact"
    assert report.permutations == 6
    assert report.p_value == pytest.approx(2 / 6)


def test_monte_carlo_p_value_is_seeded_and_counts_its_permutations(corpus_dir: Path) -> None:
    first = evaluate(corpus_dir, folds=3, permutations=9, seed=1)
    again = evaluate(corpus_dir, folds=3, permutations=9, seed=1)
    assert first.p_value_method == "monte-carlo"
    assert first.permutations == 9
    assert first.p_value == again.p_value
    assert first.p_value is not None
    assert any("rests on 9 permutations" in w for w in first.warnings)


def test_no_permutations_means_no_p_value(corpus_dir: Path) -> None:
    report = evaluate(corpus_dir, permutations=0)
    assert report.p_value is None
    assert report.p_value_method == "none"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"char_ngram_range": (1, 3), "word_ngram_range": (1, 1), "min_df": 2, "max_features": 300},
    ],
    ids=["default", "other-ngrams"],
)
def test_predictions_are_those_of_the_plain_way(
    tmp_path: Path, overrides: dict[str, object]
) -> None:
    corpus = load_corpus(write_corpus(tmp_path / "c", per_outlet=4))
    plain = cross_val_predict(
        build_pipeline(**overrides),
        corpus.texts,
        corpus.labels,
        cv=LeaveOneOut(),
        method="predict_proba",
    )
    report = evaluate(corpus, permutations=0, **overrides)
    ours = np.array([[f.scores[o] for o in corpus.outlets] for f in report.held_out])
    classes = np.array(corpus.outlets)
    assert [f.predicted for f in report.held_out] == list(classes[plain.argmax(axis=1)])
    np.testing.assert_allclose(ours, plain, rtol=0, atol=1e-9)


def test_fold_features_equal_the_pipeline_features(tmp_path: Path) -> None:
    corpus = load_corpus(write_corpus(tmp_path / "c", per_outlet=4))
    texts = np.array(corpus.texts, dtype=object)
    pipeline = build_pipeline(min_df=2, max_features=200)
    cache = FoldFeatures(pipeline, corpus.texts)
    for train, test in StratifiedKFold(3).split(texts, corpus.labels):
        train_x, test_x = cache.fold(train, test)
        features = clone(pipeline[:-1])  # cleaning and features
        expected_train = features.fit_transform(list(texts[train]))
        expected_test = features.transform(list(texts[test]))
        assert train_x.shape == expected_train.shape
        np.testing.assert_allclose(train_x.toarray(), expected_train.toarray(), atol=1e-12)
        np.testing.assert_allclose(test_x.toarray(), expected_test.toarray(), atol=1e-12)


def test_parallel_jobs_give_the_same_report(corpus_dir: Path) -> None:
    one = evaluate(corpus_dir, permutations=3, jobs=1)
    two = evaluate(corpus_dir, permutations=3, jobs=2)
    assert [f.predicted for f in two.held_out] == [f.predicted for f in one.held_out]
    assert two.p_value == one.p_value
    for a, b in zip(one.held_out, two.held_out, strict=True):
        assert a.scores == pytest.approx(b.scores, abs=1e-9)


def test_progress_is_reported_for_every_fold(corpus_dir: Path) -> None:
    calls: list[tuple[int, int]] = []
    evaluate(corpus_dir, permutations=0, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 9) for i in range(1, 10)]


def test_split_passages_groups_paragraphs_to_a_minimum_length() -> None:
    text = "aaaa\n\nbb\ncccccc\n\n\nddddd\ne"
    assert split_passages(text, min_chars=5) == ["aaaa\nbb", "cccccc", "ddddd\ne"]
    assert split_passages("short", min_chars=100) == ["short"]
    # A short tail joins the passage before it.
    assert split_passages("aaaaa\nb", min_chars=5) == ["aaaaa\nb"]


@pytest.mark.parametrize("folds", [None, 2], ids=["leave-one-document-out", "grouped-2-fold"])
def test_passages_of_the_held_out_document_never_reach_training(
    corpus_dir: Path, folds: int | None
) -> None:
    corpus = load_corpus(corpus_dir)
    items = _items(corpus, "passage", min_passage_chars=60)
    assert len(items) > len(corpus.documents)  # the documents really were split
    labels = np.array([i.label for i in items], dtype=object)
    groups = np.array([i.group for i in items])
    splits = _splits(labels, groups, "passage", folds, 0, len(corpus.documents))
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
        for group in set(groups[test]):  # every passage of a held-out document is held out
            assert set(np.flatnonzero(groups == group)) <= set(test)
    assert sorted(np.concatenate([test for _, test in splits])) == list(range(len(items)))


def test_passage_evaluation_names_passages(corpus_dir: Path) -> None:
    report = evaluate(corpus_dir, unit="passage", min_passage_chars=60, permutations=0)
    assert report.scheme == "leave-one-document-out"
    assert report.held_out[0].document == "alpha/alpha_00.txt#1"
    assert report.n_folds == 9


def test_one_outlet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match=r"has one outlet \(alpha\); evaluating"):
        evaluate(write_corpus(tmp_path / "c", outlets=("alpha",)))


@pytest.mark.parametrize(
    ("folds", "message"),
    [
        (1, "folds must be a whole number of at least 2, not 1"),
        (10, r"folds must be at most the number of documents \(9\), not 10"),
    ],
)
def test_impossible_fold_counts_are_refused(corpus_dir: Path, folds: int, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        evaluate(corpus_dir, folds=folds)


def test_cli_table(corpus_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["evaluate"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Leave-one-out on 5 documents, 4 outlets")
    assert "held out" in out and "attainable" in out
    assert "  ceiling              0.40" in out
    assert "(exact, all 60 label permutations)" in out
    assert "warning: 3 of 5 held-out documents are unattainable" in out


def test_cli_json_schema(corpus_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["evaluate", str(corpus_dir), "--folds", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in ("accuracy", "attainable_accuracy", "macro_f1", "confusion", "chance", "ceiling"):
        assert key in report
    assert "p_value" in report
    assert len(report["held_out"]) == 9
    for fold in report["held_out"]:
        assert {"document", "true", "predicted", "attainable", "scores"} <= set(fold)
        assert sum(fold["scores"].values()) == pytest.approx(1.0, abs=4 * 0.5e-4)  # rounded


def test_cli_refusal_is_one_line(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", outlets=("alpha",))
    result = CliRunner().invoke(cli, ["evaluate", str(corpus)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: corpus ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the 'plot' extra is not installed")
    target = tmp_path / "confusion.png"
    result = CliRunner().invoke(cli, ["evaluate", "--permutations", "0", "--plot", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"Wrote the confusion matrix to {target}" in result.stderr


def test_cli_plot_without_matplotlib_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    result = CliRunner().invoke(cli, ["evaluate", "--plot", "x.png"])
    assert result.exit_code == 1
    assert "--plot needs matplotlib: pip install 'attrib[plot]'" in result.stderr
    assert not Path("x.png").exists()


def test_zero_jobs_is_refused(corpus_dir: Path) -> None:
    with pytest.raises(OptionError, match="jobs must be"):
        evaluate(corpus_dir, jobs=0)


def test_evaluate_says_what_permutations_cost_before_running_them() -> None:
    result = CliRunner().invoke(cli, ["evaluate"])
    assert result.exit_code == 0, result.output
    note = "note: 60 label permutations (exact) for the p-value: 300 model fits beside the "
    assert note + "evaluation's 5; --permutations 0 skips them" in result.stderr
    quiet = CliRunner().invoke(cli, ["evaluate", "--permutations", "0"])
    assert "label permutations" not in quiet.stderr


def write_test_set(root: Path, outlets: tuple[str, ...] = ("alpha", "beta", "gamma")) -> Path:
    """Three new texts per outlet, none of them in the training corpus."""
    for outlet in outlets:
        (root / outlet).mkdir(parents=True, exist_ok=True)
        for n in (500, 600, 700):
            (root / outlet / f"{outlet}-{n}.txt").write_text(style_text(outlet, n))
    return root


def test_a_saved_model_is_scored_on_a_test_set(tmp_path: Path) -> None:
    from attrib.evaluation.evaluate import evaluate_test_set

    model = train_model(write_corpus(tmp_path / "train"))
    report = evaluate_test_set(model, write_test_set(tmp_path / "test"))
    assert report.on_test_set and report.scheme.startswith("held-out test set (model trained on")
    assert len(report.held_out) == 9 and report.documents == 9
    assert report.accuracy == 1.0 and report.macro_f1 == 1.0 and report.abstentions == 0
    assert report.ceiling == 1.0 and report.chance == pytest.approx(1 / 3)
    assert report.confusion == {
        "labels": ["alpha", "beta", "gamma"],
        "matrix": [[3, 0, 0], [0, 3, 0], [0, 0, 3]],
    }
    assert report.p_value_method == "monte-carlo" and report.permutations == 100
    assert report.p_value == pytest.approx(1 / 101)  # no shuffle agrees with all nine answers
    assert report.warnings == []
    held = report.held_out[0]
    assert (held.document, held.true, held.predicted) == ("alpha/alpha-500.txt", "alpha", "alpha")


def test_a_test_set_names_copies_of_training_documents_and_unknown_outlets(
    tmp_path: Path,
) -> None:
    from attrib.evaluation.evaluate import evaluate_test_set

    training = write_corpus(tmp_path / "train", outlets=("alpha", "beta"))
    model = train_model(training)
    test = write_test_set(tmp_path / "test")  # gamma: an outlet the model never saw
    copy = (training / "alpha" / "alpha_01.txt").read_text()
    (test / "alpha" / "copied.txt").write_text(copy + "\nAnd one line of the copier's own.")
    report = evaluate_test_set(model, test, permutations=0)
    assert report.ceiling == pytest.approx(7 / 10)  # alpha 4, beta 3 of 10 can be named
    assert [h.attainable for h in report.held_out if h.true == "gamma"] == [False] * 3
    assert report.p_value is None
    (warning,) = [w for w in report.warnings if "copies of training" in w]
    assert "1 of 10 test documents are copies of training documents" in warning
    assert "alpha/copied.txt" in warning


def test_cli_evaluate_test_reports_like_evaluate(tmp_path: Path) -> None:
    runner = CliRunner()
    model = tmp_path / "m.npz"
    train_dir = write_corpus(tmp_path / "train")
    assert runner.invoke(cli, ["train", str(train_dir), "-o", str(model)]).exit_code == 0
    test = write_test_set(tmp_path / "test")
    result = runner.invoke(cli, ["evaluate", "--test", str(test), "-m", str(model), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"accuracy", "macro_f1", "confusion", "held_out", "chance", "ceiling"} <= set(report)
    assert report["accuracy"] == 1.0 and len(report["held_out"]) == 9
    assert {"document", "true", "predicted", "score", "scores"} <= set(report["held_out"][0])
    text = runner.invoke(cli, ["evaluate", "--test", str(test), "-m", str(model)])
    assert text.stdout.startswith("Held-out test set (model trained on ")
    assert "a uniform guess among the model's outlets" in text.stdout
    assert "test set's labels, shuffled" in text.stdout
    for wrong in (["--folds", "3"], ["--mask", "none"], [str(train_dir)], ["-j", "2"]):
        refused = runner.invoke(cli, ["evaluate", "--test", str(test), "-m", str(model), *wrong])
        assert refused.exit_code == 2
        assert "cannot go with --test" in refused.stderr
    alone = runner.invoke(cli, ["evaluate", "-m", str(model)])
    assert alone.exit_code == 2 and "go with --test DIR" in alone.stderr
    missing = runner.invoke(
        cli, ["evaluate", "--test", str(tmp_path / "nowhere"), "-m", str(model)]
    )
    assert missing.exit_code == 1 and "Traceback" not in missing.output
