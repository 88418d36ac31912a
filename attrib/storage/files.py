"""Writing files safely (atomically, never over an input or the model, never over a device), and
opening a model file to read it.

Every file attrib writes (a model, an HTML report, a plot) goes through :func:`write_atomically`:
the content goes to a temporary file beside the target (named ``NAME.attrib-partial-XXXX`` so a
crash leaves something ``ls`` shows and names), is flushed to disk, then renamed over the target
in one step. A full disk or a kill leaves the old file whole.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from attrib.errors import ModelFileError, OutputError
from attrib.reading.texts import NotRegularFileError, file_kind, open_regular

#: The infix of attrib's temporary files: ``report.html.attrib-partial-k2j4``.
PARTIAL = ".attrib-partial-"


def open_model_file(path: Path) -> BinaryIO:
    """Open a model file for reading, refusing anything but a regular file in one line.

    Raises
    ------
    ModelFileError
        If there is no file at ``path`` (saying how to make one), it is a folder, FIFO or device,
        or it cannot be read.
    """
    try:
        return open_regular(path)
    except FileNotFoundError:
        raise ModelFileError(f"no model at {path}; train one with `attrib train`") from None
    except NotRegularFileError as error:
        raise ModelFileError(f"{path} is {error.kind}, not a model file") from None
    except OSError as error:
        raise ModelFileError(f"cannot read {path}: {error.strerror or error}") from None


def check_output(
    path: str | os.PathLike[str],
    *,
    protect: Iterable[tuple[str, str | os.PathLike[str]]] = (),
) -> Path:
    """Refuse an output path that would destroy something; return it as a Path.

    Parameters
    ----------
    path : str or path-like
        Where the output is to go.
    protect : iterable of (what, path)
        Files that must survive, with what they are (``("the model", m)``, ``("an input", t)``).

    Raises
    ------
    OutputError
        If ``path`` exists and is not a regular file, is one of the protected files (under any
        name: hard links and symbolic links count), or sits under a file instead of a folder.
    """
    path = Path(path)
    shown = os.fspath(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        status = None
    except NotADirectoryError:
        status = None  # reported below, with the file that stands in the way
    except OSError as error:
        raise OutputError(f"cannot write {shown}: {error.strerror or error}") from None
    if status is not None:
        if not stat.S_ISREG(status.st_mode):
            raise OutputError(
                f"{shown} is {file_kind(status.st_mode)}; give the name of a file to write"
            )
        for what, other in protect:
            try:
                if os.path.samefile(path, other):
                    raise OutputError(
                        f"{shown} is {what}; writing there would destroy it, so choose another file"
                    )
            except OSError:
                continue  # a protected path that does not exist cannot be destroyed
    for parent in _ancestors(path):
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"cannot write {shown}: {parent} is a file, not a folder")
    return path


def _ancestors(path: Path) -> list[Path]:
    """The folders above ``path``, nearest first."""
    return [path.parent, *path.parent.parents]


def write_atomically(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    protect: Iterable[tuple[str, str | os.PathLike[str]]] = (),
    mode: int = 0o644,
) -> Path:
    """Write ``data`` to ``path`` in one step, after :func:`check_output`.

    Missing parent folders are created.

    Raises
    ------
    OutputError
        If the path is refused by :func:`check_output`, or the file cannot be written (the
        message says why, e.g. no space left); the old file, if any, is then unchanged.
    """
    path = check_output(path, protect=protect)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + PARTIAL)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode & ~_umask())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
