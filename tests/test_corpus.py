from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from attrib import CorpusError, load_corpus, train
from attrib.reading.corpus import bundled_corpus_path
from conftest import write_corpus


def test_bundled_corpus_holds_the_five_seed_articles_as_labelled() -> None:
    corpus = load_corpus()
    with open(bundled_corpus_path() / "labels.csv", encoding="utf-8") as handle:
        labels = {row["file"]: row["outlet"] for row in csv.DictReader(handle)}
    assert {d.path.name: d.label for d in corpus.documents} == labels
    assert corpus.outlets == ["presstv", "rt", "sputnik", "tass"]
    assert {o: s.documents for o, s in corpus.stats().items()} == {
        "presstv": 1,
        "rt": 2,
        "sputnik": 1,
        "tass": 1,
    }


def test_bundled_corpus_says_three_outlets_have_one_document() -> None:
    notes = load_corpus().notes()
    assert any("3 of 4 outlets have a single document" in note for note in notes), notes


def test_load_corpus_counts_documents_and_characters(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    assert corpus.outlets == ["alpha", "beta", "gamma"]
    assert len(corpus.documents) == 9
    stats = corpus.stats()
    expected = sum(len(p.read_text(encoding="utf-8")) for p in (corpus_dir / "beta").glob("*.txt"))
    assert stats["beta"].documents == 3
    assert stats["beta"].characters == expected
    assert corpus.summary()["characters"] == sum(len(t) for t in corpus.texts)


def test_top_level_files_empty_folders_and_non_txt_files_are_ignored(corpus_dir: Path) -> None:
    (corpus_dir / "README.md").write_text("about this corpus")
    (corpus_dir / "manifest.csv").write_text("file,outlet\n")
    (corpus_dir / "delta").mkdir()
    (corpus_dir / "alpha" / "notes.md").write_text("not an article")
    corpus = load_corpus(corpus_dir)
    assert corpus.outlets == ["alpha", "beta", "gamma"]
    assert len(corpus.documents) == 9
    assert f"ignored folder {corpus_dir / 'delta'}: it holds no .txt files" in corpus.notes()


def test_outlet_folder_with_no_usable_document_is_an_error(corpus_dir: Path) -> None:
    (corpus_dir / "delta").mkdir()
    (corpus_dir / "delta" / "a.txt").write_text("   \n")
    with pytest.raises(CorpusError, match=r"delta holds no usable document \(.*only whitespace"):
        load_corpus(corpus_dir)


def test_unusable_file_is_skipped_and_reported(corpus_dir: Path) -> None:
    (corpus_dir / "alpha" / "broken.txt").write_bytes(b"\x00\x01\x02")
    corpus = load_corpus(corpus_dir)
    assert len(corpus.documents) == 9
    assert corpus.skipped[0][0] == corpus_dir / "alpha" / "broken.txt"
    assert any("binary file" in note for note in corpus.notes())


def test_one_outlet_loads_but_cannot_be_trained(tmp_path: Path) -> None:
    root = write_corpus(tmp_path / "c", outlets=("alpha",))
    corpus = load_corpus(root)
    assert corpus.outlets == ["alpha"]
    with pytest.raises(
        CorpusError, match="has one outlet \\(alpha\\); attribution needs at least two"
    ):
        train(corpus)


def test_same_text_under_two_outlets_is_an_error(corpus_dir: Path) -> None:
    shutil.copy(corpus_dir / "alpha" / "alpha_00.txt", corpus_dir / "beta" / "copied.txt")
    with pytest.raises(CorpusError, match="same text under two outlets"):
        load_corpus(corpus_dir)


def test_same_text_twice_in_one_outlet_is_kept_once_and_reported(corpus_dir: Path) -> None:
    original = corpus_dir / "beta" / "beta_00.txt"
    # Differences in whitespace alone do not make a different article.
    copy = corpus_dir / "beta" / "beta_99.txt"
    copy.write_text("  " + original.read_text(encoding="utf-8").replace(" ", "  "))
    corpus = load_corpus(corpus_dir)
    assert corpus.stats()["beta"].documents == 3
    assert corpus.duplicates == ((copy, original),)
    assert f"left out {copy}: same text as {original}" in corpus.notes()


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing", "does not exist"), ("file.txt", "is not a directory"), ("empty", "no outlet")],
)
def test_bad_corpus_paths_are_refused(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "file.txt").write_text("text")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match=message):
        load_corpus(tmp_path / name)


def test_fingerprint_follows_content_not_location(corpus_dir: Path, tmp_path: Path) -> None:
    moved = shutil.copytree(corpus_dir, tmp_path / "elsewhere")
    assert load_corpus(moved).fingerprint == load_corpus(corpus_dir).fingerprint
    (moved / "alpha" / "alpha_00.txt").rename(moved / "beta" / "alpha_00.txt")
    assert load_corpus(moved).fingerprint != load_corpus(corpus_dir).fingerprint
