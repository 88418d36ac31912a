from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from attrib import AttribWarning, load_corpus
from attrib.cli import cli
from attrib.explanation.overlap import ShingleIndex, shingles
from attrib.reading.adding import add_documents

RT_ARTICLE = Path(__file__).parents[1] / "corpus" / "rt" / "003_bf76dd7547acfcb9.txt"


def test_shingles_are_word_8_grams_ignoring_case_and_punctuation() -> None:
    assert len(shingles("one two three four five six seven eight nine")) == 2
    assert shingles("One, two; three four five six seven EIGHT") == shingles(
        "one two three four five six seven eight"
    )
    assert shingles("too short to shingle") == set()


def test_overlap_finds_the_source_of_a_pasted_paragraph() -> None:
    corpus = load_corpus()
    lines = RT_ARTICLE.read_text(encoding="utf-8").splitlines()
    pasted = "\n".join(lines[6:10]) + "\nA sentence the forum poster added themselves, unrelated."
    overlap = ShingleIndex(corpus).overlap(pasted)
    assert overlap.best is not None
    assert overlap.best.document.endswith("003_bf76dd7547acfcb9.txt")
    assert overlap.best.outlet == "rt"
    assert 0.7 < overlap.best.share < 1.0


def test_near_duplicates_within_and_across_outlets(corpus_dir: Path) -> None:
    original = (corpus_dir / "alpha" / "alpha_00.txt").read_text()
    (corpus_dir / "beta" / "copy.txt").write_text(original + "\nWith one more line of its own.\n")
    pairs = ShingleIndex(load_corpus(corpus_dir)).near_duplicates(0.5)
    assert len(pairs) == 1
    a, b, containment = pairs[0]
    assert {a.outlet, b.outlet} == {"alpha", "beta"}
    assert containment == 1.0


def test_cli_predict_overlap_keeps_copying_apart_from_style(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["train"]).exit_code == 0
    pasted = tmp_path / "pasted.txt"
    pasted.write_text("\n".join(RT_ARTICLE.read_text(encoding="utf-8").splitlines()[6:14]))
    result = runner.invoke(cli, ["predict", "--overlap", str(pasted)])
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()
    assert first.startswith(str(pasted))
    assert second.startswith("  verbatim overlap: 100% of this text appears word for word in ")
    assert "(RT); evidence of copying, not of style" in second
    record = json.loads(runner.invoke(cli, ["predict", "--overlap", "--json", str(pasted)]).stdout)
    assert record["overlap"]["best"]["outlet"] == "rt"
    assert record["overlap"]["best"]["share"] == 1.0


def test_cli_corpus_check(corpus_dir: Path) -> None:
    (corpus_dir / "beta" / "copy.txt").write_text(
        (corpus_dir / "alpha" / "alpha_01.txt").read_text() + "Extra words at the end here.\n"
    )
    result = CliRunner().invoke(cli, ["corpus", "check", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    assert "1 near-duplicate pair(s)" in result.stdout
    assert "ACROSS OUTLETS" in result.stdout


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_corpus_add_never_overwrites_and_reports_duplicates(
    corpus_dir: Path, tmp_path: Path
) -> None:
    before = digest(corpus_dir)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "alpha_00.txt").write_text("A new alpha article, same name as an old one.\n")
    (incoming / "dupe.txt").write_text((corpus_dir / "beta" / "beta_02.txt").read_text())
    (incoming / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (incoming / "utf16.txt").write_bytes("Une dépêche en UTF-16.".encode("utf-16"))
    files = sorted(incoming.iterdir())
    with pytest.warns(AttribWarning, match="latin.txt is not UTF-8"):
        added = add_documents(corpus_dir, "alpha", files)
    results = {Path(r.source).name: r for r in added}
    assert results["alpha_00.txt"].status == "added"
    assert results["alpha_00.txt"].detail.endswith("alpha/alpha_00-2.txt")
    assert results["dupe.txt"].status == "duplicate"
    assert "beta_02.txt" in results["dupe.txt"].detail
    assert results["latin.txt"].status == "added"  # read as Windows-1252, written as UTF-8
    assert results["utf16.txt"].status == "added"
    after = digest(corpus_dir)
    assert {k: after[k] for k in before} == before  # nothing that was there changed
    assert (corpus_dir / "alpha" / "utf16.txt").read_text(encoding="utf-8").startswith("Une")
    assert (corpus_dir / "alpha" / "latin.txt").read_text(encoding="utf-8") == "caf\u00e9"
    assert not list(corpus_dir.rglob("*.tmp"))


def test_cli_corpus_add_exit_code_and_bad_outlet(corpus_dir: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A fresh article for the gamma outlet, written for this test.\n")
    result = CliRunner().invoke(
        cli, ["corpus", "add", "gamma", str(good), "missing.txt", "--corpus", str(corpus_dir)]
    )
    assert result.exit_code == 1
    assert f"added: {good}: {corpus_dir / 'gamma' / 'good.txt'}" in result.stdout
    assert "error: missing.txt: missing.txt does not exist" in result.stdout
    bad = CliRunner().invoke(cli, ["corpus", "add", "../x", str(good), "--corpus", str(corpus_dir)])
    assert bad.exit_code == 1
    assert "is not an outlet name" in bad.stderr


@pytest.mark.parametrize("threshold", ["0", "1.5"])
def test_cli_corpus_check_threshold_range(threshold: str) -> None:
    result = CliRunner().invoke(cli, ["corpus", "check", "--threshold", threshold])
    assert result.exit_code == 2


def test_shingles_are_the_same_in_every_process() -> None:
    """Python salts hash() per process: an index built here must work in a worker."""
    text = RT_ARTICLE.read_text(encoding="utf-8")
    code = "import sys; from attrib.explanation.overlap import shingles\n"
    code += "print(sorted(shingles(open(sys.argv[1], encoding='utf-8').read())))"
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", code, str(RT_ARTICLE)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert json.loads(done.stdout) == sorted(shingles(text))


def test_overlap_with_several_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    from attrib.scale import batches

    runner = CliRunner()
    assert runner.invoke(cli, ["train"]).exit_code == 0
    monkeypatch.setattr(batches, "PARALLEL_BATCH_SIZE", 2)  # 5 files: 3 batches, 2 processes
    files = sorted(str(p) for p in RT_ARTICLE.parents[1].rglob("*.txt"))
    result = runner.invoke(cli, ["predict", "--overlap", "--json", "-j", "2", *files])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["overlap"]["best"]["share"] for r in records] == [1.0] * 5
