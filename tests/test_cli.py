from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from attrib import __version__, load_model, train
from attrib.cli import cli
from attrib.options import THRESHOLD_OPTIONS
from conftest import style_text, write_corpus
from legacyfiles import write_legacy

BUNDLED = [str(p) for p in sorted(Path(__file__).parents[1].glob("corpus/*/*.txt"))]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def trained(runner: CliRunner) -> Path:
    result = runner.invoke(cli, ["train"])
    assert result.exit_code == 0, result.output
    return Path("models/attrib.npz")


def test_train_reports_the_corpus_and_where_the_model_went(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["train"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Trained on ")
    assert lines[1].split() == ["outlet", "documents", "characters"]
    assert lines[2].split() == ["Press", "TV", "1", "3,708"]
    assert lines[-2].split()[:2] == ["total", "5"]
    assert lines[-1] == f"Saved model to {Path('models/attrib.npz')}"
    assert "3 of 4 outlets have a single document" in result.stderr
    assert Path("models/attrib.npz").is_file()


def test_train_json(runner: CliRunner, corpus_dir: Path) -> None:
    result = runner.invoke(cli, ["train", str(corpus_dir), "-o", "m.npz", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == "m.npz"
    assert report["corpus"]["outlets"]["beta"]["documents"] == 3


def test_train_refuses_to_replace_a_model_of_another_corpus(
    runner: CliRunner, trained: Path, corpus_dir: Path
) -> None:
    before = trained.read_bytes()
    result = runner.invoke(cli, ["train", str(corpus_dir)])
    assert result.exit_code == 1
    assert "trained on a different corpus" in result.stderr
    assert "--force" in result.stderr
    assert trained.read_bytes() == before
    result = runner.invoke(cli, ["train", str(corpus_dir), "--force"])
    assert result.exit_code == 0, result.output
    assert load_model(trained).labels == ["alpha", "beta", "gamma"]


def test_train_on_a_bad_corpus_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    write_corpus(tmp_path / "one", outlets=("alpha",))
    result = runner.invoke(cli, ["train", str(tmp_path / "one")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: corpus ")
    assert "needs at least two outlet folders" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path("models/attrib.npz").exists()


def test_predict_json_lines(runner: CliRunner, trained: Path) -> None:
    result = runner.invoke(cli, ["predict", "--json", *BUNDLED])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in records] == BUNDLED
    for record in records:
        assert set(record) == {
            "path", "outlet", "score", "runner_up", "scores", "abstained", "reason"
        }  # fmt: skip
        assert record["abstained"] is False and record["reason"] is None
        assert set(record["scores"]) == {"presstv", "rt", "sputnik", "tass"}
        assert sum(record["scores"].values()) == pytest.approx(1.0, abs=4 * 0.5e-4)  # rounded
        assert (
            record["score"] == record["scores"][record["outlet"]] == max(record["scores"].values())
        )
    # Trained on these very files: it must at least give them back.
    assert [r["outlet"] for r in records] == [Path(p).parent.name for p in BUNDLED]


def test_predict_plain_line_per_input(runner: CliRunner, trained: Path) -> None:
    result = runner.invoke(cli, ["predict", BUNDLED[0]])
    assert result.exit_code == 0, result.output
    path, best, runner_up = result.stdout.rstrip("\n").split("\t")
    assert path == BUNDLED[0]
    assert best.startswith("Press TV 0.")
    assert runner_up.startswith("(runner-up: ")


def test_predict_reads_directories_and_stdin(runner: CliRunner, trained: Path) -> None:
    text = style_text("beta", 5)
    rt_dir = str(Path(BUNDLED[1]).parent)
    result = runner.invoke(cli, ["predict", "--json", rt_dir, "-"], input=text)
    assert result.exit_code == 0, result.output
    paths = [json.loads(line)["path"] for line in result.stdout.splitlines()]
    assert paths == [BUNDLED[1], BUNDLED[2], "-"]


def test_predict_goes_on_past_a_bad_input(runner: CliRunner, trained: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(cli, ["predict", "--json", str(empty), BUNDLED[0], "nothing.txt"])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {
        "path": str(empty),
        "error": f"{empty} is empty; there is no text to attribute",
    }
    assert records[1]["outlet"] == "presstv"
    assert records[2] == {"path": "nothing.txt", "error": "nothing.txt does not exist"}
    assert "2 input(s) could not be read" in result.stderr


def test_predict_without_a_model_says_how_to_train(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["predict", BUNDLED[0]])
    assert result.exit_code == 1
    assert "no model at models/attrib.npz; train one with `attrib train`" in result.stderr


def test_a_model_from_another_user_loads_without_trust(
    runner: CliRunner, trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = runner.invoke(cli, ["predict", "--json", BUNDLED[0]])
    monkeypatch.setenv("ATTRIB_CONFIG_DIR", str(tmp_path / "another-user"))
    result = runner.invoke(cli, ["predict", "--json", BUNDLED[0]])
    assert result.exit_code == 0, result.output
    assert result.stdout == mine.stdout


def test_predict_an_old_untrusted_model_needs_trust(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = write_legacy(train(), tmp_path / "old.joblib", key=b"someone else's key")
    result = runner.invoke(cli, ["predict", "-m", str(old), BUNDLED[0]])
    assert result.exit_code == 1
    assert "not written by this installation" in result.stderr
    result = runner.invoke(cli, ["predict", "-m", str(old), "--trust", BUNDLED[0]])
    assert result.exit_code == 0, result.output
    assert "attrib model convert" in result.stderr


def test_predict_needs_an_input_when_stdin_is_a_terminal(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attrib.cli import commands

    monkeypatch.setattr(commands, "stdin_is_terminal", lambda: True)
    result = runner.invoke(cli, ["predict"])
    assert result.exit_code == 2
    assert "give a PATH, - for standard input, --from-list FILE or --jsonl" in result.stderr


def test_predict_reads_a_pipe_without_a_dash(runner: CliRunner, trained: Path) -> None:
    text = Path(BUNDLED[1]).read_text(encoding="utf-8")
    piped = runner.invoke(cli, ["predict", "--json"], input=text)
    dashed = runner.invoke(cli, ["predict", "--json", "-"], input=text)
    assert piped.exit_code == 0, piped.output
    assert piped.stdout == dashed.stdout
    assert json.loads(piped.stdout)["path"] == "-"


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"attrib, version {__version__}\n"


@pytest.mark.parametrize(
    "command", [[], ["train"], ["predict"]], ids=["attrib", "train", "predict"]
)
def test_every_help_has_examples(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "calibrated" in result.stdout or command == ["train"]


def test_predict_help_states_the_open_set_word_minimum(runner: CliRunner) -> None:
    # The help once said 20 words after the minimum became 50.
    minimum = THRESHOLD_OPTIONS["min_words"].default
    result = runner.invoke(cli, ["predict", "--help"])
    assert f"under {minimum} words" in " ".join(result.stdout.split())


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


def test_help_does_not_import_scikit_learn() -> None:
    code = (
        "import sys\n"
        "from attrib.cli import cli\n"
        "try:\n"
        "    cli(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('sklearn', 'joblib', 'numpy', 'scipy') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    result = run("-c", code)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


@pytest.mark.parametrize(
    "command", [["predict"], ["predict", "--json", "-j", "2"], ["scan"], ["scan", "--json"]]
)
def test_predict_and_scan_do_not_import_scikit_learn(tmp_path: Path, command: list[str]) -> None:
    """A saved model scores from its arrays: most of the start-up of the plain way is gone."""
    env = {**os.environ, "ATTRIB_CONFIG_DIR": str(tmp_path / "config")}
    assert run("-m", "attrib", "train", cwd=tmp_path, env=env).returncode == 0
    code = (
        "import sys\n"
        "from attrib.cli import cli\n"
        "try:\n"
        f"    cli({[*command, *BUNDLED]!r})\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print('SKLEARN', 'sklearn' in sys.modules, 'joblib' in sys.modules)\n"
    )
    result = run("-c", code, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "SKLEARN False" in result.stdout
    assert "rt/" in result.stdout


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "ATTRIB_CONFIG_DIR": str(tmp_path / "config")}
    result = run("-m", "attrib", "train", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    result = run("-m", "attrib", "predict", "--json", BUNDLED[3], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outlet"] == "sputnik"


def test_predict_streams_from_a_list_in_parallel(
    runner: CliRunner, trained: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(BUNDLED * 3) + "\n\n")
    one = runner.invoke(cli, ["predict", "--json", "--from-list", str(listing)])
    two = runner.invoke(cli, ["predict", "--json", "--from-list", str(listing), "-j", "2"])
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert one.stdout == two.stdout
    assert [json.loads(line)["path"] for line in one.stdout.splitlines()] == BUNDLED * 3


def test_predict_reads_json_lines_and_reports_bad_lines(runner: CliRunner, trained: Path) -> None:
    text = Path(BUNDLED[4]).read_text(encoding="utf-8")
    lines = [json.dumps({"id": "wire-1", "text": text}), "not json", json.dumps({"id": 2})]
    result = runner.invoke(cli, ["predict", "--jsonl", "--json"], input="\n".join(lines))
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["id"] == "wire-1" and records[0]["outlet"] == "tass"
    assert records[1] == {
        "id": "line 2",
        "error": "line 2 is not a JSON object with an id and a text",
    }
    assert records[2]["error"].startswith("line 3 is not")


def test_predict_walks_a_directory_tree(runner: CliRunner, trained: Path, tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.txt", "a/b/two.txt", "a/b/skip.md"):
        (tmp_path / name).write_text(Path(BUNDLED[0]).read_text(encoding="utf-8"))
    result = runner.invoke(cli, ["predict", "--json", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    paths = [json.loads(line)["path"] for line in result.stdout.splitlines()]
    assert paths == [str(tmp_path / "a" / "one.txt"), str(tmp_path / "a" / "b" / "two.txt")]


def test_jsonl_and_stdin_path_conflict(runner: CliRunner, trained: Path) -> None:
    result = runner.invoke(cli, ["predict", "--jsonl", "-"])
    assert result.exit_code == 2
    assert "standard input can be read once" in result.stderr


def test_one_progress_helper_shows_a_bar_or_a_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from attrib.cli import common

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = iter(float(second) for second in range(100))
    monkeypatch.setattr(common.time, "monotonic", lambda: next(clock))
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    with common.progress("texts", total=10) as update:
        for done in range(1, 5):
            update(done)
    assert "texts" in screen.getvalue() and "40%" in screen.getvalue()
    screen.seek(0)
    screen.truncate()
    with common.progress("texts") as update:  # a stream: no total, a count and a rate
        for done in range(1, 5):
            update(done)
    assert "texts: 3, 1/s" in screen.getvalue()
    assert "%" not in screen.getvalue()


def test_progress_is_silent_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from attrib.cli import common

    with common.progress("texts", total=3) as update:
        update(1)
        update(3)
    assert capsys.readouterr().err == ""


def test_no_color_turns_automatic_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from attrib.cli import explain

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert explain._use_colour("auto")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not explain._use_colour("auto")
    assert explain._use_colour("always")  # an explicit choice wins


def test_ctrl_c_is_one_line_and_exit_130(
    runner: CliRunner, trained: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attrib.scale import batches

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(batches, "predict_sources", interrupted)
    result = runner.invoke(cli, ["predict", BUNDLED[0]])
    assert result.exit_code == 130
    assert result.stderr.strip() == "interrupted"


def test_evaluate_counts_abstentions_in_words() -> None:
    import dataclasses

    from attrib import evaluate
    from attrib.presentation.terminal import evaluation_report

    report = evaluate(permutations=0)
    assert report.abstentions == 2
    assert "(2 abstentions, marked ?:" in evaluation_report(report)
    single = dataclasses.replace(report, abstentions=1)
    assert "(1 abstention, marked ?:" in evaluation_report(single)


@pytest.mark.parametrize(
    "extra", [["--epochs", "3"], ["--hash-bits", "12"], ["--batch-size", "9"], ["-j", "2"]]
)
def test_bounded_options_without_bounded_are_refused(
    runner: CliRunner, tmp_path: Path, extra: list[str]
) -> None:
    result = runner.invoke(cli, ["train", "-o", str(tmp_path / "m.npz"), *extra])
    assert result.exit_code == 2
    assert "only apply with --bounded" in result.stderr
    assert extra[0] in result.stderr
    assert not (tmp_path / "m.npz").exists()


def test_json_scores_have_four_decimal_places(runner: CliRunner, trained: Path) -> None:
    record = json.loads(runner.invoke(cli, ["predict", "--json", BUNDLED[0]]).stdout)
    numbers = [record["score"], *record["scores"].values()]
    assert all(round(n, 4) == n for n in numbers)
    assert any(len(repr(n)) > 3 for n in numbers)  # not rounded away to 0 or 1
    report = json.loads(runner.invoke(cli, ["evaluate", "--permutations", "0", "--json"]).stdout)
    for held in report["held_out"]:
        assert all(round(n, 4) == n for n in [held["score"], *held["scores"].values()])


def test_retraining_after_adding_an_article_says_the_corpus_changed(
    runner: CliRunner, corpus_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "m.npz"
    assert runner.invoke(cli, ["train", str(corpus_dir), "-o", str(model)]).exit_code == 0
    added = tmp_path / "new.txt"
    added.write_text(style_text("beta", 42))
    assert (
        runner.invoke(
            cli, ["corpus", "add", "beta", str(added), "--corpus", str(corpus_dir)]
        ).exit_code
        == 0
    )
    before = model.read_bytes()
    result = runner.invoke(cli, ["train", str(corpus_dir), "-o", str(model)])
    assert result.exit_code == 1
    assert "as it was when that model was trained (9 documents; it now has 10" in result.stderr
    assert "--force" in result.stderr
    assert model.read_bytes() == before
    assert (
        runner.invoke(cli, ["train", str(corpus_dir), "-o", str(model), "--force"]).exit_code == 0
    )
