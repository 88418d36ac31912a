"""Adding articles to a corpus: never over a file, never twice, with a manifest row each.

``attrib corpus add`` (local files) and ``attrib corpus fetch`` (web pages) both add through a
:class:`Shelf`, so both refuse the same duplicates and record provenance the same way.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from attrib.errors import CorpusError, InputError
from attrib.options import OPTIONS
from attrib.reading.corpus import is_outlet_name
from attrib.reading.manifest import (
    canonical_url,
    relative_name,
    update_manifest,
    writable_manifest,
)
from attrib.reading.pages import Page, decode_html, extract_page, is_html
from attrib.reading.shingles import shingles
from attrib.reading.texts import check_text, decode_text, is_text_file_name, read_bytes

#: A new text is a near-duplicate of a corpus text when either holds at least this share of
#: the other's word 8-grams: the threshold of ``attrib corpus check``.
NEAR_DUPLICATE: float = OPTIONS["duplicate_threshold"].default


@dataclass(frozen=True)
class Added:
    """What happened to one article: ``status`` is added, duplicate or error."""

    source: str
    status: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "status": self.status, "detail": self.detail}


def _key(text: str) -> str:
    """The exact-duplicate key of a text: its words, whatever the spacing between them."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def now() -> str:
    """The time now, as written in a manifest (UTC, to the second)."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Shelf:
    """A corpus folder being added to: what it holds, to refuse duplicates, and its manifest.

    Parameters
    ----------
    root : path
        The corpus directory (created when the first article is added).

    Raises
    ------
    CorpusError
        If ``root`` is not a directory or its ``manifest.csv`` was not written by attrib.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise CorpusError(f"corpus {self.root} is not a directory")
        self.manifest = writable_manifest(self.root)
        self.urls = {canonical_url(url) for url in self.manifest.urls()}
        self.files = {row["file"] for row in self.manifest.rows}
        self._exact: dict[str, Path] = {}
        self._sets: list[tuple[Path, int]] = []
        self._index: dict[int, list[int]] = defaultdict(list)
        if self.root.is_dir():
            for folder in sorted(p for p in self.root.iterdir() if _is_outlet_folder(p)):
                for file in sorted(folder.iterdir()):
                    if not is_text_file_name(file.name) or file.is_dir():
                        continue
                    try:
                        text = decode_text(read_bytes(file), os.fspath(file))
                    except InputError:
                        continue
                    self._remember(file, text)

    def _remember(self, path: Path, text: str) -> None:
        self._exact.setdefault(_key(text), path)
        found = shingles(text)
        for shingle in found:
            self._index[shingle].append(len(self._sets))
        self._sets.append((path, len(found)))

    def duplicate_of(self, text: str) -> tuple[Path, str] | None:
        """The corpus file that ``text`` repeats, and how, or None.

        Exact: the same words. Near: one of the two holds at least :data:`NEAR_DUPLICATE` of
        the other's word 8-grams (the same article with a different headline or ending).
        """
        exact = self._exact.get(_key(text))
        if exact is not None:
            return exact, "same text as"
        mine = shingles(text)
        shared: dict[int, int] = defaultdict(int)
        for shingle in mine:
            for i in self._index.get(shingle, ()):
                shared[i] += 1
        best = max(
            ((count / min(len(mine), self._sets[i][1]), i) for i, count in shared.items()),
            default=None,
        )
        if best is not None and best[0] >= NEAR_DUPLICATE:
            return self._sets[best[1]][0], f"near-duplicate ({best[0]:.0%} shared) of"
        return None

    def add(self, outlet: str, stem: str, text: str, page: Page | None = None) -> Path:
        """Write ``text`` as a new article of ``outlet`` and its manifest row.

        The file is written first, then its row: a process stopped between the two leaves an
        article without a row, which :meth:`adopt` completes when the same article comes again.

        Raises
        ------
        OSError
            If the file cannot be written.
        CorpusError
            If the manifest cannot be written.
        """
        target = _write_new(self.root / outlet, stem or "article", text)
        self._remember(target, text)
        self.record(target, outlet, text, page)
        return target

    def record(self, path: Path, outlet: str, text: str, page: Page | None) -> None:
        """Write (or replace) the manifest row of a corpus file."""
        row = {
            "file": relative_name(self.root, path),
            "outlet": outlet,
            "url": canonical_url(page.url) if page and page.url else "",
            "title": page.title if page else "",
            "published": page.published if page else "",
            "fetched": now(),
            "extractor": page.extractor if page else "",
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
        update_manifest(self.root, add=[row])
        self.files.add(row["file"])
        if row["url"]:
            self.urls.add(row["url"])

    def adopt(self, path: Path, outlet: str, text: str, page: Page) -> bool:
        """Give a row to a corpus file that has none and holds exactly ``text`` (a fetch that
        stopped between writing an article and its row). Whether it did."""
        name = relative_name(self.root, path)
        if name in self.files or path.parent.name != outlet:
            return False
        try:
            same = decode_text(read_bytes(path), os.fspath(path)) == text
        except InputError:
            return False
        if same:
            self.record(path, outlet, text, page)
        return same


def _is_outlet_folder(path: Path) -> bool:
    return path.is_dir() and not path.name.startswith((".", "_"))


_UNSAFE = re.compile(r"[^\w.-]+")


def safe_stem(stem: str) -> str:
    """A file name stem without path separators, control characters or leading dots."""
    cleaned = _UNSAFE.sub("-", stem).strip("-.")[:80]
    return cleaned or "article"


def read_article(path: str | os.PathLike[str]) -> tuple[str, Page | None]:
    """Read a local article: a text file, or an HTML page's article (with what it says of
    itself).

    Raises
    ------
    InputError
        As :func:`attrib.reading.texts.read_text`, or if a page holds no article.
    """
    name = os.fspath(path)
    raw = read_bytes(path)
    if is_html(raw):
        page = extract_page(decode_html(raw), name)
        return check_text(page.text, name), page
    return decode_text(raw, name), None


def add_documents(
    root: str | os.PathLike[str], outlet: str, files: list[str | os.PathLike[str]]
) -> list[Added]:
    """Copy articles into ``root/outlet/`` as UTF-8 ``.txt``, never overwriting anything.

    An HTML page is read as its article's text (:func:`attrib.reading.pages.extract_page`). A
    text already in the corpus (under any outlet, or earlier in ``files``), or a near-duplicate
    of one, is reported as a duplicate and not copied; a name already taken gets a numbered
    suffix. Each article added gets a row in ``manifest.csv``. One bad file does not stop the
    others.

    Raises
    ------
    CorpusError
        If ``outlet`` is not a plain folder name, ``root`` is not a directory, or its
        ``manifest.csv`` was not written by attrib.
    """
    check_outlet(outlet)
    shelf = Shelf(root)
    results = []
    for source in files:
        name = os.fspath(source)
        try:
            text, page = read_article(source)
        except InputError as error:
            results.append(Added(name, "error", str(error)))
            continue
        duplicate = shelf.duplicate_of(text)
        if duplicate is not None:
            results.append(Added(name, "duplicate", f"{duplicate[1]} {duplicate[0]}"))
            continue
        try:
            target = shelf.add(outlet, Path(name).stem, text, page)
        except OSError as error:
            results.append(Added(name, "error", f"cannot write: {error.strerror or error}"))
            continue
        results.append(Added(name, "added", os.fspath(target)))
    return results


def check_outlet(outlet: str) -> None:
    """Refuse an outlet name that is not a plain folder name.

    Raises
    ------
    CorpusError
        With the rule, if ``outlet`` breaks it.
    """
    if not is_outlet_name(outlet):
        raise CorpusError(
            f"{outlet!r} is not an outlet name; use a plain folder name like tass (printable "
            "characters and single spaces, no slash, not starting with . or _)"
        )


def _write_new(folder: Path, stem: str, text: str) -> Path:
    """Write ``text`` to a new file in ``folder`` under the first free name, atomically.

    The text goes to a temporary file first, which is then hard-linked to its name: the link
    fails rather than replace an existing file, and a crash leaves no half-written article.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".attrib-add-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        for number in range(1, 10_000):
            target = folder / (f"{stem}.txt" if number == 1 else f"{stem}-{number}.txt")
            try:
                os.link(temporary, target)
                return target
            except FileExistsError:
                continue
        raise OSError(f"no free file name for {stem} in {folder}")
    finally:
        os.unlink(temporary)
