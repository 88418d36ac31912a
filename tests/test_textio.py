from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from attrib.errors import AttribWarning, InputError
from attrib.reading import texts as textio
from attrib.reading.texts import Source, decode_text, expand_inputs, read_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"plain text", "plain text"),
        (codecs.BOM_UTF8 + "caf\u00e9 \u2013 ok".encode(), "caf\u00e9 \u2013 ok"),
        ("UTF-16 \u201cquoted\u201d".encode("utf-16"), "UTF-16 \u201cquoted\u201d"),
        ("UTF-16BE".encode("utf-16-be").join([codecs.BOM_UTF16_BE, b""]), "UTF-16BE"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16be-bom"],
)
def test_decode_text_accepts_utf8_and_boms(raw: bytes, expected: str) -> None:
    assert decode_text(raw, "x.txt") == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "x.txt is empty"),
        (b"  \n\t ", "x.txt is only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "x.txt is a binary file"),
        (b"PK\x03\x04\x00\x00binary", "x.txt is a ZIP archive; give a plain-text file"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", r"x.txt is not valid UTF-16 \(byte 0x00"),
    ],
    ids=["empty", "whitespace", "binary", "zip", "broken-utf16"],
)
def test_decode_text_refuses_what_is_not_text(raw: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_text(raw, "x.txt")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("caf\u00e9".encode("latin-1"), "caf\u00e9"),
        (b"\x93Quoted\x94 \x96 dash", "\u201cQuoted\u201d \u2013 dash"),
        (b"undefined \x81 byte", "undefined \x81 byte"),
    ],
    ids=["latin-1", "windows-1252", "latin-1-only-byte"],
)
def test_text_that_is_not_utf8_is_read_as_windows_1252_with_a_warning(
    raw: bytes, expected: str
) -> None:
    with pytest.warns(AttribWarning, match=r"x.txt is not UTF-8 .*read it as Windows-1252"):
        assert decode_text(raw, "x.txt") == expected


def test_read_text_refuses_a_file_over_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(textio, "MAX_TEXT_BYTES", 1024 * 1024)
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 300_000)
    with pytest.raises(InputError, match=r"big.txt is 1.4 MB; attrib reads texts of at most 1 MB"):
        read_text(big)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "does not exist"),
        (lambda p: p.mkdir() or p, "is a directory"),
    ],
    ids=["missing", "directory"],
)
def test_read_text_names_the_problem(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        read_text(make(tmp_path / "thing"))


def test_expand_inputs_lists_txt_files_of_a_directory_in_order(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "notes.md"):
        (tmp_path / name).write_text("text")
    (tmp_path / "sub.txt").mkdir()
    empty = tmp_path / "empty"
    empty.mkdir()
    sources = list(expand_inputs([str(tmp_path), "-", str(empty)]))
    assert sources == [
        Source(str(tmp_path / "a.txt")),
        Source(str(tmp_path / "b.txt")),
        Source("-"),
        Source(str(empty), error=f"{empty} holds no .txt files"),
    ]
