"""Reading texts from files and stdin, with one clear error for every way a file can be bad."""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from attrib.errors import AttribWarning, InputError
from attrib.reading.pages import INSTALL_HINT, decode_html, extract_page, is_html

#: Largest text attrib reads, in bytes. A longer file is refused before it is read, so a huge
#: file can never exhaust memory. News articles are a few kilobytes.
MAX_TEXT_BYTES = 20 * 1024 * 1024

#: The name used for standard input in paths, reports and JSON.
STDIN = "-"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(raw: bytes, name: str, *, pages: bool = False) -> str:
    """Decode the bytes of one text: UTF-8, or UTF-8/16/32 with a byte-order mark.

    Bytes that are not UTF-8 (and not binary) are read as Windows-1252, with a warning: the
    usual encoding of Western text saved by older software.

    Parameters
    ----------
    raw : bytes
        The file's content.
    name : str
        The file's name, used in error messages.
    pages : bool, default False
        Read an HTML page as its article's text (:func:`attrib.reading.pages.extract_page`);
        otherwise a page is refused. Corpus files are plain text, always.

    Returns
    -------
    str
        The text, without a byte-order mark.

    Raises
    ------
    InputError
        If the bytes are binary, broken after a byte-order mark, or hold no text but whitespace.

    Warns
    -----
    AttribWarning
        When falling back to Windows-1252.
    """
    if pages and is_html(raw):
        return check_text(extract_page(decode_html(raw), name).text, name)
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
    document = _document_kind(raw) if encoding is None else None
    if document is not None:
        raise InputError(f"{name} is {document}")
    if encoding is None and b"\x00" in raw:
        raise InputError(f"{name} is a binary file (it contains NUL bytes); give a plain-text file")
    try:
        text = raw.decode(encoding or "utf-8")
    except UnicodeDecodeError as error:
        if encoding is not None:
            raise InputError(
                f"{name} is not valid {encoding.upper()} (byte 0x{raw[error.start]:02x} at "
                f"offset {error.start}) although it starts with that byte-order mark"
            ) from None
        # Not UTF-8 and not binary: by far the likeliest is a Western 8-bit encoding.
        text = raw.decode("cp1252", errors="strict") if _is_cp1252(raw) else raw.decode("latin-1")
        warnings.warn(
            f"{name} is not UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}); "
            "read it as Windows-1252",
            AttribWarning,
            stacklevel=2,
        )
    if is_html(text.encode("utf-8", "surrogatepass")[:4096]):
        raise InputError(
            f"{name} is an HTML page, and a corpus holds plain text: add it with attrib corpus "
            f"add (needs {INSTALL_HINT}), which keeps only the article's text"
        )
    return check_text(text, name)


def _document_kind(raw: bytes) -> str | None:
    """What a word-processor or PDF file is, and how to turn it into text; None for others."""
    if raw.startswith(b"%PDF-"):
        return "a PDF; attrib reads plain text: extract it first (e.g. pdftotext FILE FILE.txt)"
    if raw.startswith(b"PK\x03\x04"):
        if b"word/document.xml" in raw:
            kind = "a Word document (.docx)"
        elif b"opendocument.text" in raw[:200]:
            kind = "an OpenDocument text (.odt)"
        else:
            return "a ZIP archive; give a plain-text file"
        return f"{kind}; attrib reads plain text: save it as plain text (.txt) first"
    if raw.startswith(b"{\\rtf"):
        return "an RTF document; attrib reads plain text: save it as plain text (.txt) first"
    return None


def _is_cp1252(raw: bytes) -> bool:
    """Whether every byte is defined in Windows-1252 (5 of the 256 are not)."""
    return not any(b in raw for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


class NotRegularFileError(OSError):
    """Raised by :func:`open_regular` for a directory, a FIFO, a device or a socket."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, in words: "a named pipe (FIFO)", ..."""
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading, and nothing else.

    Opening is non-blocking, so a FIFO with no writer is refused at once instead of hanging,
    and a device such as ``/dev/zero`` is refused before any byte is read.

    Raises
    ------
    NotRegularFileError
        If ``path`` is not a regular file (``kind`` says what it is).
    OSError
        If it cannot be opened.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(file_kind(mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: str | os.PathLike[str], *, pages: bool = False) -> str:
    """Read one text file, refusing missing, unreadable, binary, huge or empty files.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    pages : bool, default False
        Read an HTML page as its article's text (see :func:`decode_text`).

    Returns
    -------
    str
        The decoded text.

    Raises
    ------
    InputError
        With a one-line message naming the file and what to do.
    """
    return decode_text(read_bytes(path), os.fspath(path), pages=pages)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """Read the bytes of one regular file of at most :data:`MAX_TEXT_BYTES`.

    Raises
    ------
    InputError
        If it is missing, not a regular file, unreadable or too large.
    """
    name = os.fspath(path)
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_TEXT_BYTES:
                raise InputError(_too_large(name, size))
            raw = handle.read(MAX_TEXT_BYTES + 1)
    except NotRegularFileError as error:
        if error.kind == "a directory":
            raise InputError(f"{name} is a directory; give a text file") from None
        raise InputError(f"{name} is {error.kind}, not a regular file; give a text file") from None
    except FileNotFoundError:
        if _URL.match(name):
            raise InputError(
                f"{name} is a URL, and attrib reads files: save the page (or its text) and give "
                "its path; to collect articles into a corpus, use attrib corpus fetch"
            ) from None
        raise InputError(f"{name} does not exist") from None
    except PermissionError:
        raise InputError(f"cannot read {name}: permission denied") from None
    except OSError as error:
        raise InputError(f"cannot read {name}: {error.strerror or error}") from None
    if len(raw) > MAX_TEXT_BYTES:  # grew while being read
        raise InputError(_too_large(name, None))
    return raw


_URL = re.compile(r"(?:https?|ftp)://", re.I)


def read_stdin(*, pages: bool = False) -> str:
    """Read one text from standard input, with the same checks as :func:`read_text`."""
    raw = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:  # only the first bytes beyond the limit were read
        raise InputError(_too_large("standard input", None))
    return decode_text(raw, "standard input", pages=pages)


def _too_large(name: str, size: int | None) -> str:
    """The message for a text over the limit; ``size`` in bytes, or None when not known."""
    limit = MAX_TEXT_BYTES // (1024 * 1024)
    what = f"is {size / 1024 / 1024:,.1f} MB" if size is not None else f"holds more than {limit} MB"
    return f"{name} {what}; attrib reads texts of at most {limit} MB ({MAX_TEXT_BYTES:,} bytes)"


@dataclass(frozen=True)
class Source:
    """One text to read: a file, standard input, an inline text, or an argument in error.

    ``name`` is the path (or ``-``), or for an inline text its ``id`` as shown to a person;
    ``key`` says which (``"path"`` or ``"id"``), so results can name it the same way; ``ident``
    is an inline text's id as given (a JSON string, number, ...), which JSON output keeps.
    """

    name: str
    error: str | None = None
    text: str | None = None
    key: str = "path"
    ident: Any = None

    def read(self) -> str:
        """Return the text (an HTML page's article text), or raise :class:`InputError`."""
        if self.error is not None:
            raise InputError(self.error)
        if self.text is not None:
            return check_text(self.text, self.name)
        return read_stdin(pages=True) if self.name == STDIN else read_text(self.name, pages=True)

    @property
    def label(self) -> Any:
        """What JSON output calls this input: the path, or the id as given."""
        return self.ident if self.key == "id" else self.name


def check_text(text: str, name: str) -> str:
    """Apply the file checks (not binary, not too large, not empty) to a text given inline.

    One rule for every text, file or inline: a NUL character makes it binary, not text.
    """
    # The limit is in bytes of UTF-8, as for a file: 20 MB of emoji is 5 million characters.
    # Under a quarter of the limit in characters, a text cannot be over it in bytes.
    if len(text) > MAX_TEXT_BYTES // 4:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_TEXT_BYTES:
            raise InputError(_too_large(name, size))
    if "\x00" in text:
        raise InputError(f"{name} holds a NUL character, so it is binary; give plain text")
    if not text.strip():
        raise InputError(
            f"{name} is {'empty' if not text else 'only whitespace'}; there is no text to attribute"
        )
    return text


def is_text_file_name(name: str) -> bool:
    """Whether a file name marks a text: it ends in ``.txt``, in any case (``.TXT`` too)."""
    return name.lower().endswith(".txt")


def expand_inputs(arguments: Iterable[str]) -> Iterator[Source]:
    """Turn command-line arguments into the texts they name, lazily.

    A directory stands for every ``.txt`` file in its tree (symbolic links to directories are
    not followed; FIFOs, devices and sockets named ``*.txt`` are skipped with a warning), in
    name order, however deep; ``-`` is standard input; anything else is a file, read whatever
    its extension. An argument that names nothing readable yields a :class:`Source` carrying
    its error, so one bad argument does not stop the others.

    Warns
    -----
    AttribWarning
        For each entry skipped because it is not a regular file, or a folder that cannot be
        listed.
    """
    for argument in arguments:
        if argument == STDIN:
            yield Source(STDIN)
            continue
        if not os.path.isdir(argument):
            yield Source(argument)
            continue
        found = False
        for path in _walk_texts(argument):
            found = True
            yield Source(path)
        if not found:
            yield Source(argument, error=f"{argument} holds no .txt files")


def _walk_texts(top: str) -> Iterator[str]:
    """The ``.txt`` files of a tree: each folder's files, then its sub-folders, in name order.

    Iterative, unlike ``os.walk`` in Python 3.11, so a tree thousands of levels deep cannot
    exhaust the stack.
    """
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            _warn(f"skipped folder {folder}: {error.strerror or error}")
            continue
        subfolders = []
        for entry in entries:
            try:
                if entry.is_dir():
                    if not entry.is_symlink():
                        subfolders.append(entry.path)
                    continue
                if not is_text_file_name(entry.name):
                    continue
                regular = entry.is_file()
                exists = regular or os.path.exists(entry.path)
            except OSError:
                regular = exists = False
            if regular or not exists:  # a broken link is reported when it is read
                yield entry.path
            else:
                _warn(f"skipped {entry.path}: it is not a regular file (a FIFO, device or socket)")
        pending.extend(reversed(subfolders))


def _warn(message: str) -> None:
    warnings.warn(message, AttribWarning, stacklevel=3)


def sources_from_list(name: str) -> Iterator[Source]:
    """The texts named one per line (files or directories) in the file ``name`` (``-`` for
    standard input), read lazily, as for :func:`expand_inputs`. Names that are not UTF-8 keep
    their bytes (``surrogateescape``), so they still name their files.
    """
    return expand_inputs(line.rstrip("\r\n") for line in list_lines(name))


def list_lines(name: str) -> Iterator[str]:
    """The non-blank lines of a list file, or of standard input for ``-`` (read lazily).

    Raises
    ------
    InputError
        If the file cannot be opened.
    """
    if name == STDIN:
        yield from _decoded(sys.stdin.buffer)
        return
    try:
        handle = open_regular(name)
    except OSError as error:
        raise InputError(f"cannot read the list {name}: {error.strerror or error}") from None
    with handle:
        yield from _decoded(handle)


def _decoded(stream: Iterable[bytes]) -> Iterator[str]:
    for raw in stream:
        line = raw.decode("utf-8", "surrogateescape")
        if line.strip():
            yield line


#: Longest JSON Lines line read: a text at the size limit, every character escaped (``\uXXXX``).
MAX_JSONL_LINE_BYTES = 6 * MAX_TEXT_BYTES + 1024


def sources_from_jsonl(stream: BinaryIO) -> Iterator[Source]:
    """Inline texts from JSON Lines, one ``{"id": ..., "text": ...}`` object per line.

    ``stream`` gives bytes (``sys.stdin.buffer``). A line that is not UTF-8, not such an object,
    nested too deeply to parse, or longer than :data:`MAX_JSONL_LINE_BYTES` yields a
    :class:`Source` carrying its error; the lines after it are read as usual. The id is kept as
    given (``1`` stays the number 1, ``null`` stays null).
    """
    for number, line in enumerate(_bounded_lines(stream, MAX_JSONL_LINE_BYTES), 1):
        where = f"line {number}"
        if line is None:
            yield _bad_line(where, f"{where} is longer than {MAX_JSONL_LINE_BYTES:,} bytes")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            yield _bad_line(where, f"{where} is not UTF-8 (byte 0x{line[error.start]:02x})")
            continue
        except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
            record = None
        if (
            not isinstance(record, dict)
            or "id" not in record
            or not isinstance(record.get("text"), str)
        ):
            yield _bad_line(where, f"{where} is not a JSON object with an id and a text")
            continue
        ident = record["id"]
        name = ident if isinstance(ident, str) else json.dumps(ident)
        yield Source(name, text=record["text"], key="id", ident=ident)


def _bad_line(where: str, error: str) -> Source:
    """A line that holds no usable id: results name it by its line number."""
    return Source(where, error=error, key="id", ident=where)


def _bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The stream's lines; ``None`` for a line over ``limit`` bytes, which is skipped unread."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the long line
                rest = stream.readline(1024 * 1024)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line
