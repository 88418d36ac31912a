"""Hostile and careless input, second round (issue 13): each test failed before its fix."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from attrib import OptionError
from attrib.cli import cli
from attrib.presentation.printable import one_field, printable
from attrib.reading import texts as textio
from attrib.scale import parallel
from attrib.storage.files import PARTIAL, write_atomically
from conftest import style_text, write_corpus

TEXT = style_text("alpha", 1) + " " + style_text("alpha", 2)
ESCAPES = "\x1b]52;c;cHduZWQ=\x07\x1b]0;title\x07\x1b[2J\x9b1m\x7f"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A model trained on a small corpus, with its own signing key."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = write_corpus(root / "corpus", per_outlet=3)
    model = root / "model.npz"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTRIB_CONFIG_DIR", str(root / "config"))
        result = CliRunner().invoke(cli, ["train", str(corpus), "-o", str(model)])
    assert result.exit_code == 0, result.output
    return {"corpus": corpus, "model": model, "config": root / "config"}


@pytest.fixture(autouse=True)
def same_key(world: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTRIB_CONFIG_DIR", str(world["config"]))


def run(world: dict[str, Path], *args: str, stdin: bytes | str | None = None) -> object:
    return CliRunner().invoke(cli, [args[0], "-m", str(world["model"]), *args[1:]], input=stdin)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- 2. Terminal escapes ---------------------------------------------------------------------


def no_raw_controls(output: str) -> bool:
    return not any(c in output for c in "\x1b\x07\x9b\x7f\r")


def test_escapes_in_a_text_never_reach_the_terminal(world: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT.replace("ministry", "ministry" + ESCAPES))
    for colour in ("never", "always"):
        result = run(world, "explain", str(path), "--no-stability", "--color", colour)
        assert result.exit_code == 0, result.output
        assert "\\x1b]52;c;" in result.stdout  # shown, visibly
        stripped = result.stdout.replace("\x1b[", "")  # colour codes are attrib's own
        assert "\x1b]" not in stripped and "\x07" not in stripped and "\x9b" not in stripped


def test_escapes_in_a_file_name_never_reach_the_terminal(
    world: dict[str, Path], tmp_path: Path
) -> None:
    good = tmp_path / f"good{ESCAPES}.txt"
    good.write_text(TEXT)
    missing = tmp_path / f"missing{ESCAPES}.txt"
    result = run(world, "predict", str(good), str(missing))
    assert result.exit_code == 1
    assert no_raw_controls(result.stdout) and no_raw_controls(result.stderr)
    assert "good\\x1b]52;c;" in result.stdout
    assert "missing\\x1b]52;c;" in result.stderr


def test_escapes_in_warnings_and_errors_are_shown_visibly(
    world: dict[str, Path], tmp_path: Path
) -> None:
    corpus = tmp_path / f"corpus{ESCAPES}"
    result = CliRunner().invoke(cli, ["train", str(corpus)])
    assert result.exit_code == 1
    assert no_raw_controls(result.stderr) and "corpus\\x1b]52" in result.stderr


def test_printable_escapes_c0_c1_and_del_but_keeps_layout() -> None:
    assert printable("a\tb\nc\x1bd\x9be\x7ff\x00") == "a\tb\nc\\x1bd\\x9be\\x7ff\\x00"
    assert one_field("a\tb\nc\rd\u2028") == "a\\tb\\nc\\rd\\u2028"
    assert one_field("caf\udce9.txt") == "caf\\xe9.txt"  # a byte of a name that is not UTF-8


# --- 3. Forged rows --------------------------------------------------------------------------


def test_a_name_with_a_newline_or_tab_stays_one_row(world: dict[str, Path], tmp_path: Path) -> None:
    forged = tmp_path / "x\tSputnik 0.99\t(runner-up: RT 0.01)\nfake.txt"
    forged.write_text(TEXT)
    result = run(world, "predict", str(forged))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert len(lines[0].split("\t")) == 3
    assert lines[0].startswith(str(tmp_path) + "/x\\tSputnik 0.99\\t")


def test_a_jsonl_id_with_a_newline_stays_one_row(world: dict[str, Path]) -> None:
    line = json.dumps({"id": "a\nb\tSputnik 0.99", "text": TEXT}) + "\n"
    result = run(world, "predict", "--jsonl", stdin=line)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("a\\nb\\tSputnik 0.99\t")


@pytest.mark.parametrize("name", ["a\nb", "a\tb", "a\x1bb", "two  spaces", " lead", "a\u00a0b"])
def test_corpus_add_refuses_an_outlet_name_that_would_break_a_row(
    tmp_path: Path, name: str
) -> None:
    source = tmp_path / "a.txt"
    source.write_text(TEXT)
    result = CliRunner().invoke(cli, ["corpus", "add", name, str(source), "--corpus", "c"])
    assert result.exit_code == 1
    assert "is not an outlet name" in result.stderr
    assert not Path("c").exists()


def test_corpus_add_takes_an_outlet_name_with_single_spaces(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text(TEXT)
    result = CliRunner().invoke(cli, ["corpus", "add", "press tv", str(source), "--corpus", "c"])
    assert result.exit_code == 0, result.output
    assert (Path("c") / "press tv" / "a.txt").is_file()


# --- 5. Runaway jobs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["-j", "-5"], ["-j", "0"], ["-j", "10000"], ["--threshold", "nan"], ["--threshold", "2"]],
    ids=lambda a: " ".join(a),
)
def test_absurd_predict_options_are_refused(world: dict[str, Path], args: list[str]) -> None:
    result = run(world, "predict", *args, "-")
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr


@pytest.mark.parametrize("seed", ["-1", "4294967296"])
def test_a_seed_out_of_range_is_refused(seed: str) -> None:
    result = CliRunner().invoke(cli, ["evaluate", "--seed", seed])
    assert result.exit_code == 2
    assert "--seed" in result.stderr


def test_workers_never_outnumber_cores_or_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "available_cores", lambda: 4)
    assert parallel.worker_count(256) == 4
    assert parallel.worker_count(-1) == 4
    assert parallel.worker_count(3) == 3
    assert parallel.worker_count(256, tasks=1) == 1
    assert parallel.worker_count(2, tasks=0) == 1
    for bad in (0, -2, 257, 1.5, True, "2"):
        with pytest.raises(OptionError, match="jobs must be"):
            parallel.worker_count(bad)  # type: ignore[arg-type]


def test_the_library_refuses_a_nan_threshold(world: dict[str, Path]) -> None:
    from attrib import load_model

    model = load_model(world["model"])
    with pytest.raises(OptionError, match="min_margin must be a number"):
        model.predictions([TEXT], thresholds={"min_margin": float("nan")})
    with pytest.raises(OptionError, match="unknown threshold"):
        model.predictions([TEXT], thresholds={"margin": 0.1})


def test_many_jobs_on_one_input_start_one_worker(
    world: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attrib.scale import batches as predict

    started = []
    monkeypatch.setattr(predict, "worker_count", lambda jobs: started.append(jobs) or 1)
    path = tmp_path / "a.txt"
    path.write_text(TEXT)
    result = run(world, "predict", "-j", "256", str(path))
    assert result.exit_code == 0, result.output
    assert started == [256]


# --- 8, 9, 12. JSON Lines and lists ----------------------------------------------------------


def test_a_deeply_nested_jsonl_line_loses_no_earlier_input(world: dict[str, Path]) -> None:
    lines = [
        json.dumps({"id": "good", "text": TEXT}),
        "[" * 100_000,
        json.dumps({"id": 2, "text": TEXT}),
    ]
    result = run(world, "predict", "--jsonl", "--json", stdin="\n".join(lines) + "\n")
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["good", "line 2", 2]
    assert "outlet" in records[0] and "outlet" in records[2]
    assert "not a JSON object" in records[1]["error"]


def test_jsonl_ids_keep_their_json_value(world: dict[str, Path]) -> None:
    lines = [{"id": 1, "text": TEXT}, {"id": None, "text": TEXT}, {"id": [1, "a"], "text": TEXT}]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    result = run(world, "predict", "--jsonl", "--json", stdin=stdin)
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1, None, [1, "a"]]
    plain = run(world, "predict", "--jsonl", stdin=stdin)
    assert [line.split("\t")[0] for line in plain.stdout.splitlines()] == ["1", "null", '[1, "a"]']


def test_a_nul_is_binary_in_a_file_and_in_a_jsonl_text_alike(
    world: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "nul.txt"
    path.write_text(TEXT + "\x00")
    stdin = json.dumps({"id": "x", "text": TEXT + "\x00"}) + "\n"
    for result in (run(world, "predict", str(path)), run(world, "predict", "--jsonl", stdin=stdin)):
        assert result.exit_code == 1
        assert "binary" in result.stderr


def test_non_utf8_jsonl_is_one_bad_line(world: dict[str, Path]) -> None:
    stdin = b'{"id": "a", "text": "caf\xe9"}\n' + json.dumps({"id": "b", "text": TEXT}).encode()
    result = run(world, "predict", "--jsonl", "--json", stdin=stdin)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0] == {"id": "line 1", "error": "line 1 is not UTF-8 (byte 0xe9)"}
    assert records[1]["id"] == "b" and "outlet" in records[1]


def test_a_list_with_a_non_utf8_file_name_still_finds_the_file(
    world: dict[str, Path], tmp_path: Path
) -> None:
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(name, "w") as handle:
        handle.write(TEXT)
    result = run(world, "predict", "--from-list", "-", stdin=name + b"\n")
    assert result.exit_code == 0, result.output
    assert "caf\\xe9.txt\t" in result.stdout


def test_stdin_cannot_be_read_twice(world: dict[str, Path]) -> None:
    result = run(world, "predict", "-", "--from-list", "-", stdin="x")
    assert result.exit_code == 2
    assert "standard input can be read once" in result.stderr


def test_every_from_list_is_read(world: dict[str, Path], tmp_path: Path) -> None:
    lists = []
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(TEXT)
        (tmp_path / f"{name}.list").write_text(str(tmp_path / f"{name}.txt") + "\n")
        lists += ["--from-list", str(tmp_path / f"{name}.list")]
    result = run(world, "predict", *lists)
    assert result.exit_code == 0, result.output
    assert [Path(line.split("\t")[0]).name for line in result.stdout.splitlines()] == [
        "a.txt",
        "b.txt",
    ]


# --- 10. Deep trees and FIFOs ----------------------------------------------------------------


def test_a_tree_a_thousand_levels_deep_is_walked(world: dict[str, Path], tmp_path: Path) -> None:
    root = tmp_path / "deep"
    chain = [root]
    for _ in range(1000):
        chain.append(chain[-1] / "d")
    try:
        for folder in chain:
            folder.mkdir()
        (chain[-1] / "a.txt").write_text(TEXT)
        result = run(world, "predict", "--json", str(root))
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["path"].endswith("/d/a.txt")
    finally:  # deepest first: pytest's own clean-up would recurse 1,000 levels
        (chain[-1] / "a.txt").unlink(missing_ok=True)
        for folder in reversed(chain):
            if folder.exists():
                folder.rmdir()


def test_a_fifo_in_an_input_folder_is_skipped_with_a_warning(
    world: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "in" / "a.txt")
    (tmp_path / "in" / "b.TXT").write_text(TEXT)
    result = run(world, "predict", str(tmp_path / "in"))
    assert result.exit_code == 0, result.output
    assert "a.txt: it is not a regular file" in result.stderr
    assert result.stdout.startswith(str(tmp_path / "in" / "b.TXT"))


def test_a_fifo_named_on_the_command_line_is_refused_at_once(
    world: dict[str, Path], tmp_path: Path
) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    result = run(world, "predict", str(tmp_path / "pipe.txt"))
    assert result.exit_code == 1
    assert "is a named pipe (FIFO), not a regular file" in result.stderr


def test_a_fifo_in_a_corpus_is_skipped(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c")
    os.mkfifo(corpus / "alpha" / "z.txt")
    result = CliRunner().invoke(cli, ["corpus", "check", str(corpus)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["train", str(corpus), "-o", "m.npz"])
    assert result.exit_code == 0, result.output
    assert "z.txt is a named pipe (FIFO)" in result.stderr


# --- 11. Crashes -----------------------------------------------------------------------------


def test_a_full_disk_on_standard_output_is_one_line(world: dict[str, Path], tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    path = tmp_path / "a.txt"
    path.write_text(TEXT)
    for args in (["predict", str(path)], ["explain", str(path), "--no-stability"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "attrib", args[0], "-m", str(world["model"]), *args[1:]],
                stdout=full, stderr=subprocess.PIPE, text=True, check=False,
            )  # fmt: skip
        assert done.returncode == 1
        assert done.stderr.strip() == "Error: cannot write the output: No space left on device"


@pytest.mark.parametrize("address", ["tls://127.0.0.1:1", "ucx://127.0.0.1:1", "nonsense://x"])
def test_an_unusable_dask_address_is_one_line(world: dict[str, Path], address: str) -> None:
    pytest.importorskip("distributed")
    result = run(world, "predict", "--dask", address, "-", stdin=TEXT)
    assert result.exit_code == 1
    assert f"cannot reach the Dask scheduler at {address}" in result.stderr
    assert "Traceback" not in result.output


# --- 13, 14. Output files --------------------------------------------------------------------


def test_explain_never_writes_its_report_over_the_model_or_the_input(
    world: dict[str, Path], tmp_path: Path
) -> None:
    text = tmp_path / "t.txt"
    text.write_text(TEXT)
    before = sha(world["model"]), sha(text)
    for target, what in ((world["model"], "the model"), (text, "the text being explained")):
        result = run(world, "explain", str(text), "--html", str(target))
        assert result.exit_code == 1
        assert f"is {what}; writing there would destroy it" in result.stderr
    link = tmp_path / "link.html"
    link.symlink_to(world["model"])
    result = run(world, "explain", str(text), "--html", str(link))
    assert result.exit_code == 1
    assert (sha(world["model"]), sha(text)) == before


def test_outputs_that_are_not_regular_files_are_refused(
    world: dict[str, Path], tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    text = tmp_path / "t.txt"
    text.write_text(TEXT)
    result = run(world, "explain", str(text), "--html", str(fifo))
    assert result.exit_code == 1
    assert "is a named pipe (FIFO); give the name of a file" in result.stderr
    result = CliRunner().invoke(cli, ["train", str(world["corpus"]), "-o", str(fifo), "--force"])
    assert result.exit_code == 1
    assert "is a named pipe (FIFO)" in result.stderr
    assert fifo.is_fifo()


def test_train_never_writes_over_a_corpus_file(world: dict[str, Path]) -> None:
    target = next(world["corpus"].glob("alpha/*.txt"))
    before = sha(target)
    result = CliRunner().invoke(cli, ["train", str(world["corpus"]), "-o", str(target), "--force"])
    assert result.exit_code == 1
    assert "is a file of the training corpus" in result.stderr
    assert sha(target) == before


def test_a_file_in_the_way_of_a_folder_is_named(world: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = CliRunner().invoke(
        cli, ["train", str(world["corpus"]), "-o", str(tmp_path / "afile" / "m.npz")]
    )
    assert result.exit_code == 1
    assert f"{tmp_path / 'afile'} is a file, not a folder" in result.stderr


def test_a_report_survives_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "report.html"
    report.write_text("<p>the old report</p>")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(Exception, match=r"cannot write .*No space left on device"):
        write_atomically(report, b"<p>new</p>" * 1000)
    assert report.read_text() == "<p>the old report</p>"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["report.html"]


def test_temporary_files_say_whose_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = []
    real = os.replace

    def spy(source: str, target: object) -> None:
        seen.append(Path(source).name)
        real(source, target)

    monkeypatch.setattr(os, "replace", spy)
    write_atomically(tmp_path / "report.html", b"x")
    assert seen[0].startswith("report.html" + PARTIAL)
    assert not seen[0].startswith(".")


# --- 15. Messages that say what is wrong ------------------------------------------------------


def test_too_much_on_stdin_is_not_given_a_made_up_size(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textio, "MAX_TEXT_BYTES", 1000)
    result = run(world, "predict", "-", stdin="word " * 5000)
    assert result.exit_code == 1
    assert "standard input holds more than" in result.stderr


def test_a_device_is_named_as_a_device(world: dict[str, Path]) -> None:
    result = run(world, "predict", "/dev/zero")
    assert result.exit_code == 1
    assert "/dev/zero is a character device, not a regular file" in result.stderr


def test_the_inline_limit_counts_bytes_not_characters(
    world: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textio, "MAX_TEXT_BYTES", 1000)
    stdin = json.dumps({"id": "emoji", "text": "\U0001f600" * 300}) + "\n"  # 1,200 bytes
    result = run(world, "predict", "--jsonl", "--json", stdin=stdin)
    assert "is 0.0 MB; attrib reads texts of at most" in json.loads(result.stdout)["error"]


def test_a_corpus_of_upper_case_txt_files_is_read(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c")
    for path in list(corpus.glob("*/*.txt")):
        path.rename(path.with_suffix(".TXT"))
    result = CliRunner().invoke(cli, ["train", str(corpus), "-o", "m.npz", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["corpus"]["documents"] == 9


def test_a_corpus_without_outlet_folders_says_what_it_holds(tmp_path: Path) -> None:
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "a.txt").write_text(TEXT)
    result = CliRunner().invoke(cli, ["train", str(tmp_path / "flat")])
    assert result.exit_code == 1
    assert "1 .txt file(s) at its top level, such as a.txt" in result.stderr


def test_explain_with_a_missing_corpus_says_so(world: dict[str, Path], tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text(TEXT)
    for args in ([str(text)], []):
        result = run(world, "explain", *args, "--corpus", "/nonexistent", "--no-stability")
        assert result.exit_code == 1
        assert "corpus /nonexistent does not exist" in result.stderr
