"""A corpus's ``manifest.csv``: where each article came from.

One row per article that attrib put in the corpus (``attrib corpus add`` and ``attrib corpus
fetch``): its file (relative to the corpus, ``tass/some-story.txt``), outlet, canonical URL
(empty for a local text file), title, publication date, when it was fetched or added, the
extractor and its version, and the SHA-256 of the text as written. The manifest is optional: a
corpus without one trains as before. A document has provenance when a row with a URL names it
and its text still has the row's SHA-256.

Columns a user adds are kept. A ``manifest.csv`` that attrib did not write (without these
columns) is read as no provenance and never written over.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from attrib.errors import CorpusError
from attrib.storage.files import write_atomically

MANIFEST = "manifest.csv"
COLUMNS = ("file", "outlet", "url", "title", "published", "fetched", "extractor", "sha256")

Row = dict[str, str]


@dataclass(frozen=True)
class Manifest:
    """The rows of a corpus's manifest, and the columns they carry (ours first)."""

    path: Path
    rows: tuple[Row, ...]
    columns: tuple[str, ...] = COLUMNS
    foreign: bool = False

    def by_file(self) -> dict[str, Row]:
        """The rows by file (the last one wins if a file is named twice)."""
        return {row["file"]: row for row in self.rows}

    def urls(self) -> set[str]:
        """The URLs already in the corpus."""
        return {row["url"] for row in self.rows if row.get("url")}


def read_manifest(root: str | os.PathLike[str]) -> Manifest:
    """Read ``root/manifest.csv``; no rows if there is none.

    Raises
    ------
    CorpusError
        If it exists but cannot be read or parsed as CSV.
    """
    path = Path(root) / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Manifest(path, ())
    except OSError as error:
        raise CorpusError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True)
        header = tuple(reader.fieldnames or ())
        rows = tuple({k: v or "" for k, v in row.items() if k is not None} for row in reader)
    except (UnicodeDecodeError, csv.Error) as error:
        raise CorpusError(f"{path} is not a readable CSV file ({error}); mend or move it") from None
    if not set(COLUMNS) <= set(header):
        return Manifest(path, (), header, foreign=True)
    extra = tuple(c for c in header if c not in COLUMNS)
    return Manifest(path, rows, COLUMNS + extra)


def writable_manifest(root: str | os.PathLike[str]) -> Manifest:
    """Read the manifest to change it, refusing one that attrib did not write.

    Raises
    ------
    CorpusError
        If ``manifest.csv`` is not attrib's (its rows would be lost) or cannot be read.
    """
    manifest = read_manifest(root)
    if manifest.foreign:
        raise CorpusError(
            f"{manifest.path} was not written by attrib (it lacks the columns "
            f"{', '.join(c for c in COLUMNS if c not in manifest.columns)}); move it aside so "
            "attrib can keep its own manifest there"
        )
    return manifest


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold the corpus's manifest lock, so that two attrib processes never lose a row."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one writer at a time is the user's care
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".manifest.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def update_manifest(
    root: str | os.PathLike[str], add: Iterable[Mapping[str, str]] = (), drop: Iterable[str] = ()
) -> Manifest:
    """Add rows to the manifest and drop the rows of some files, in one atomic rewrite.

    A row added for a file already listed replaces that file's row.

    Raises
    ------
    CorpusError
        If the manifest is not attrib's, or cannot be read or written.
    """
    root = Path(root)
    added = [{c: str(row.get(c, "")) for c in COLUMNS} for row in add]
    gone = set(drop) | {row["file"] for row in added}
    with _locked(root):
        manifest = writable_manifest(root)
        rows = [row for row in manifest.rows if row["file"] not in gone] + added
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, manifest.columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_atomically(manifest.path, buffer.getvalue().encode("utf-8"))
    return Manifest(manifest.path, tuple(rows), manifest.columns)


def prune_manifest(root: str | os.PathLike[str]) -> list[str]:
    """Drop the rows of files no longer in the corpus; the files whose rows were dropped.

    Nothing is written when every row's file is there, or when the manifest is not attrib's.
    """
    root = Path(root)
    manifest = read_manifest(root)
    if manifest.foreign:
        return []
    gone = sorted({row["file"] for row in manifest.rows if not (root / row["file"]).is_file()})
    if gone:
        update_manifest(root, drop=gone)
    return gone


def relative_name(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> str:
    """A corpus file's name in the manifest: relative to the corpus, with forward slashes."""
    return Path(os.path.relpath(path, root)).as_posix()


#: Query parameters that say who linked to a page, not which page it is.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|at_\w+|ref|rss|from)$", re.I)


def canonical_url(url: str) -> str:
    """The form of a URL that two links to the same article share.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters
    (``utm_source``, ``fbclid``, ...).

    >>> canonical_url("HTTPS://Tass.com:443/politics/1?utm_source=rss&id=2#top")
    'https://tass.com/politics/1?id=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, {"http": 80, "https": 443}.get(scheme)) else None
    netloc = host if port is None else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))
