"""Every kind of bad input through the CLI: a clear message, an exit code, nothing changed."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import pickle
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from attrib import load_model
from attrib.cli import cli
from attrib.reading import texts as textio
from attrib.storage.modelfile import HEADER
from conftest import write_corpus
from legacyfiles import write_legacy

ARTICLE = (Path(__file__).parents[1] / "corpus" / "tass" / "001_492b593deee7ba14.txt").read_text(
    encoding="utf-8"
)


def snapshot(*roots: Path) -> dict[str, str]:
    """Hashes of every file under ``roots``."""
    found = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Path]:
    """A trained model and its corpus, both to be left untouched by every bad input."""
    corpus = write_corpus(tmp_path / "corpus", per_outlet=3)
    model = tmp_path / "model.npz"
    result = CliRunner().invoke(cli, ["train", str(corpus), "-o", str(model)])
    assert result.exit_code == 0, result.output
    return {"corpus": corpus, "model": model, "dir": tmp_path / "inputs"}


def empty(d: Path) -> Path:
    (d / "empty.txt").write_bytes(b"")
    return d / "empty.txt"


def whitespace(d: Path) -> Path:
    (d / "blank.txt").write_bytes(b" \n\t\n ")
    return d / "blank.txt"


def binary(d: Path) -> Path:
    (d / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return d / "photo.txt"


def huge(d: Path) -> Path:
    path = d / "huge.txt"
    with open(path, "wb") as handle:  # sparse: 200 MB that take no disk
        handle.truncate(200 * 1024 * 1024)
    return path


def no_txt_directory(d: Path) -> Path:
    (d / "folder").mkdir()
    (d / "folder" / "notes.md").write_text("not a .txt")
    return d / "folder"


def missing(d: Path) -> Path:
    return d / "missing.txt"


def symlink_loop(d: Path) -> Path:
    os.symlink(d / "b.txt", d / "a.txt")
    os.symlink(d / "a.txt", d / "b.txt")
    return d / "a.txt"


REFUSED: list[tuple[Callable[[Path], Path], str]] = [
    (empty, "empty.txt is empty; there is no text to attribute"),
    (whitespace, "blank.txt is only whitespace"),
    (binary, "photo.txt is a binary file (it contains NUL bytes)"),
    (huge, "huge.txt is 200.0 MB; attrib reads texts of at most 20 MB"),
    (no_txt_directory, "folder holds no .txt files"),
    (missing, "missing.txt does not exist"),
    (symlink_loop, "cannot read"),
]


@pytest.mark.parametrize(("make", "message"), REFUSED, ids=[m.__name__ for m, _ in REFUSED])
def test_bad_inputs_are_refused_and_the_others_go_on(
    world: dict[str, Path], make: Callable[[Path], Path], message: str
) -> None:
    world["dir"].mkdir()
    bad = make(world["dir"])
    good = world["dir"] / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    before = snapshot(world["corpus"], world["model"])
    result = CliRunner().invoke(cli, ["predict", "-m", str(world["model"]), str(bad), str(good)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert str(good) in result.stdout  # the good file still got its answer
    assert "error: 1 input(s) could not be read" in result.stderr
    assert snapshot(world["corpus"], world["model"]) == before


ENCODED = [
    ("latin-1", ("Caf\u00e9 society: " + ARTICLE).encode("cp1252", errors="replace"), True),
    ("utf-16-bom", ARTICLE.encode("utf-16"), False),
    ("utf-8-bom", codecs.BOM_UTF8 + ARTICLE.encode("utf-8"), False),
]


@pytest.mark.parametrize(("name", "raw", "warns"), ENCODED, ids=[e[0] for e in ENCODED])
def test_other_encodings_are_read(
    world: dict[str, Path], name: str, raw: bytes, warns: bool
) -> None:
    path = world["corpus"].parent / f"{name}.txt"
    path.write_bytes(raw)
    result = CliRunner().invoke(cli, ["predict", "-m", str(world["model"]), str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(str(path))
    assert ("read it as Windows-1252" in result.stderr) == warns


def test_an_unreadable_file(world: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # Root reads any file whatever its mode, so the refusal is simulated where it would happen.
    def refuse(path: object, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    path = world["corpus"].parent / "secret.txt"
    path.write_text(ARTICLE)
    monkeypatch.setattr(textio, "open_regular", refuse)
    result = CliRunner().invoke(cli, ["predict", "-m", str(world["model"]), str(path)])
    assert result.exit_code == 1
    assert f"cannot read {path}: permission denied" in result.stderr


def one_outlet(root: Path) -> str:
    write_corpus(root, outlets=("alpha",))
    return "needs at least two outlet folders"


def unusable_outlet(root: Path) -> str:
    write_corpus(root, outlets=("alpha", "beta"))
    (root / "gamma").mkdir()
    (root / "gamma" / "a.txt").write_bytes(b"")
    return "gamma holds no usable document"


@pytest.mark.parametrize("make", [one_outlet, unusable_outlet], ids=lambda f: f.__name__)
def test_unusable_corpora_are_refused(
    world: dict[str, Path], tmp_path: Path, make: Callable[[Path], str]
) -> None:
    message = make(tmp_path / "bad")
    before = snapshot(world["model"], tmp_path / "bad")
    for command in (["train", str(tmp_path / "bad"), "-o", str(world["model"])],
                    ["evaluate", str(tmp_path / "bad")]):  # fmt: skip
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1
        assert message in result.stderr or "needs at least two outlets" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(world["model"], tmp_path / "bad") == before


def truncated(model: Path) -> None:
    model.write_bytes(model.read_bytes()[:-200])


def random_bytes(model: Path) -> None:
    model.write_bytes(b"\x00\x01" + os.urandom(2048))


def foreign_pickle(model: Path) -> None:
    model.write_bytes(pickle.dumps({"not": "attrib"}))


def newer_format(model: Path) -> None:
    with zipfile.ZipFile(model) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[HEADER] = re.sub(rb'"format": \d+,', b'"format": 99,', members[HEADER], count=1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = buffer.getvalue()
    model.write_bytes(data + b"attrib-model sha256=" + hashlib.sha256(data).hexdigest().encode())


def unsigned(model: Path) -> None:
    """An old pickle file, signed by another installation."""
    write_legacy(load_model(model), model, key=b"another installation's key")


MODELS = [
    (truncated, "is truncated or corrupted"),
    (random_bytes, "is not an attrib model file"),
    (foreign_pickle, "is not an attrib model (it looks like a pickle"),
    (newer_format, "was written by a newer attrib"),
    (unsigned, "was not written by this installation"),
]


@pytest.mark.parametrize(("damage", "message"), MODELS, ids=[m.__name__ for m, _ in MODELS])
def test_broken_models_are_refused_and_not_replaced(
    world: dict[str, Path], damage: Callable[[Path], None], message: str
) -> None:
    damage(world["model"])
    text = world["corpus"].parent / "t.txt"
    text.write_text(ARTICLE)
    before = snapshot(world["model"], world["corpus"])
    for command in (["predict", "-m", str(world["model"]), str(text)],
                    ["explain", "-m", str(world["model"])]):  # fmt: skip
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1
        assert message in result.stderr
        assert "Traceback" not in result.output
    # Training over it again (another corpus) is refused too: it is not a model of that corpus.
    other = write_corpus(world["corpus"].parent / "other", outlets=("alpha", "gamma"))
    result = CliRunner().invoke(cli, ["train", str(other), "-o", str(world["model"])])
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert snapshot(world["model"], world["corpus"]) == before


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>TASS reports</w:document>")
    return buffer.getvalue()


DOCUMENTS = [
    ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF; .*pdftotext"),
    ("letter.docx", docx_bytes(), r"is a Word document \(.docx\); .*save it as plain text"),
    ("letter.rtf", b"{\\rtf1\\ansi Hello}", "is an RTF document"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "raw", "message"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_documents_that_are_not_plain_text_say_how_to_convert(
    world: dict[str, Path], name: str, raw: bytes, message: str
) -> None:
    path = world["corpus"].parent / name
    path.write_bytes(raw)
    result = CliRunner().invoke(cli, ["predict", "-m", str(world["model"]), str(path)])
    assert result.exit_code == 1
    assert re.search(f"{re.escape(str(path))} {message}", result.stderr)
    assert "Traceback" not in result.output


def test_text_that_mentions_html_is_read(world: dict[str, Path]) -> None:
    path = world["corpus"].parent / "about.txt"
    path.write_text("Plain text about the <html> tag and <b>bold</b> type. " + ARTICLE)
    result = CliRunner().invoke(cli, ["predict", "-m", str(world["model"]), str(path)])
    assert result.exit_code == 0, result.output


def test_a_url_is_not_fetched_and_says_so(world: dict[str, Path]) -> None:
    url = "https://tass.com/politics/1234567"
    result = CliRunner().invoke(cli, ["predict", "-m", str(world["model"]), url])
    assert result.exit_code == 1
    assert f"{url} is a URL, and attrib reads files" in result.stderr
    assert "attrib corpus fetch" in result.stderr
