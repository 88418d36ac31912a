"""Reading texts from files and stdin, with one clear error for every way a file can be bad."""

from __future__ import annotations

import codecs
import json
import os
import stat
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from attrib.errors import AttribWarning, InputError

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


def decode_text(raw: bytes, name: str) -> str:
    """Decode the bytes of one text: UTF-8, or UTF-8/16/32 with a byte-order mark.

    Bytes that are not UTF-8 (and not binary) are read as Windows-1252, with a warning: the
    usual encoding of Western text saved by older software.

    Parameters
    ----------
    raw : bytes
        The file's content.
    name : str
        The file's name, used in error messages.

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
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), None)
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
    return check_text(text, name)


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
            kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
            raise NotRegularFileError(kind)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: str | os.PathLike[str]) -> str:
    """Read one text file, refusing missing, unreadable, binary, huge or empty files.

    Parameters
    ----------
    path : str or path-like
        The file to read.

    Returns
    -------
    str
        The decoded text.

    Raises
    ------
    InputError
        With a one-line message naming the file and what to do.
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
        raise InputError(f"{name} does not exist") from None
    except PermissionError:
        raise InputError(f"cannot read {name}: permission denied") from None
    except OSError as error:
        raise InputError(f"cannot read {name}: {error.strerror or error}") from None
    if len(raw) > MAX_TEXT_BYTES:  # grew while being read
        raise InputError(_too_large(name, None))
    return decode_text(raw, name)


def read_stdin() -> str:
    """Read one text from standard input, with the same checks as :func:`read_text`."""
    raw = sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:  # only the first bytes beyond the limit were read
        raise InputError(_too_large("standard input", None))
    return decode_text(raw, "standard input")


def _too_large(name: str, size: int | None) -> str:
    """The message for a text over the limit; ``size`` in bytes, or None when not known."""
    limit = MAX_TEXT_BYTES // (1024 * 1024)
    what = f"is {size / 1024 / 1024:,.1f} MB" if size is not None else f"holds more than {limit} MB"
    return f"{name} {what}; attrib reads texts of at most {limit} MB ({MAX_TEXT_BYTES:,} bytes)"


@dataclass(frozen=True)
class Source:
    """One text to read: a file, standard input, an inline text, or an argument in error.

    ``name`` is the path (or ``-``), or for an inline text its ``id``; ``key`` says which
    (``"path"`` or ``"id"``), so results can name it the same way.
    """

    name: str
    error: str | None = None
    text: str | None = None
    key: str = "path"

    def read(self) -> str:
        """Return the text, or raise :class:`InputError`."""
        if self.error is not None:
            raise InputError(self.error)
        if self.text is not None:
            return check_text(self.text, self.name)
        return read_stdin() if self.name == STDIN else read_text(self.name)


def check_text(text: str, name: str) -> str:
    """Apply the file checks (not empty, not too large) to a text given inline."""
    # The limit is in bytes of UTF-8, as for a file: 20 MB of emoji is 5 million characters.
    if len(text) > MAX_TEXT_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > (
        MAX_TEXT_BYTES
    ):
        raise InputError(_too_large(name, len(text.encode("utf-8", "surrogatepass"))))
    if not text.strip():
        raise InputError(
            f"{name} is {'empty' if not text else 'only whitespace'}; there is no text to attribute"
        )
    return text


def expand_inputs(arguments: Iterable[str]) -> Iterator[Source]:
    """Turn command-line arguments into the texts they name, lazily.

    A directory stands for every ``.txt`` file in its tree (symbolic links to directories are
    not followed), in name order; ``-`` is standard input; anything else is a file, read
    whatever its extension. An argument that names nothing readable yields a :class:`Source`
    carrying its error, so one bad argument does not stop the others.
    """
    for argument in arguments:
        if argument == STDIN:
            yield Source(STDIN)
            continue
        if not os.path.isdir(argument):
            yield Source(argument)
            continue
        found = False
        for folder, subfolders, files in os.walk(argument):
            subfolders.sort()
            for name in sorted(files):
                if name.endswith(".txt"):
                    found = True
                    yield Source(os.path.join(folder, name))
        if not found:
            yield Source(argument, error=f"{argument} holds no .txt files")


def sources_from_list(lines: Iterable[str]) -> Iterator[Source]:
    """The texts named one per line (files or directories), as for :func:`expand_inputs`."""
    return expand_inputs(line.rstrip("\r\n") for line in lines if line.strip())


def sources_from_jsonl(lines: Iterable[str]) -> Iterator[Source]:
    """Inline texts from JSON Lines, one ``{"id": ..., "text": ...}`` object per line."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            name, text = str(record["id"]), record["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            where = f"line {number}"
            yield Source(
                where, error=f"{where} is not a JSON object with an id and a text", key="id"
            )
            continue
        yield Source(name, text=text, key="id")
