"""Loading a corpus: one sub-directory per outlet, one UTF-8 ``.txt`` article per file."""

from __future__ import annotations

import hashlib
import os
import statistics
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from attrib.errors import AttribError, CorpusError, InputError
from attrib.outlets import display_name
from attrib.reading.manifest import read_manifest, relative_name
from attrib.reading.texts import is_text_file_name, read_text

#: Outlets whose sizes differ by this factor or more get a note: the model learns the prior.
IMBALANCE = 3.0
#: Outlets whose median publication dates are this many days apart get a note: topics differ.
DATE_GAP_DAYS = 180


@dataclass(frozen=True)
class Document:
    """One article: where it came from, which outlet wrote it, and its text.

    A document of a corpus loaded with ``keep_texts=False`` holds only its text's digest and
    length, and reads the text from its file again when asked, checking that it is unchanged.
    """

    path: Path
    label: str
    digest: str
    characters: int
    stored: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, path: Path, label: str, text: str, *, keep_text: bool = True) -> Document:
        """The document holding ``text`` (or only its digest and length)."""
        return cls(path, label, _sha256(text), len(text), text if keep_text else None)

    @property
    def text(self) -> str:
        """The article's text.

        Raises
        ------
        CorpusError
            If the document was loaded without its text and its file changed since.
        """
        if self.stored is not None:
            return self.stored
        try:
            text = read_text(self.path)
        except InputError as error:
            raise CorpusError(f"{error} (it was readable when the corpus was loaded)") from None
        if _sha256(text) != self.digest:
            raise CorpusError(f"{self.path} changed while attrib was reading the corpus; run again")
        return text


@dataclass(frozen=True)
class OutletStats:
    """How much an outlet contributes to a corpus."""

    documents: int
    characters: int


@dataclass(frozen=True)
class Corpus:
    """Outlet-labelled documents, with what loading noticed about them.

    Attributes
    ----------
    root : Path
        The corpus directory.
    documents : tuple of Document
        The usable documents, ordered by outlet, then file name.
    duplicates : tuple of (Path, Path)
        Files left out because they repeat the text of an earlier file of the same outlet,
        as ``(left_out, kept)`` pairs.
    skipped : tuple of (Path, str)
        Files left out because they cannot be read as text, with the reason.
    ignored : tuple of Path
        Top-level entries that are not outlet folders (a README, a manifest, an empty folder).
    """

    root: Path
    documents: tuple[Document, ...]
    duplicates: tuple[tuple[Path, Path], ...] = ()
    skipped: tuple[tuple[Path, str], ...] = ()
    ignored: tuple[Path, ...] = ()
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        digests = sorted(f"{d.label}\t{d.digest}" for d in self.documents)
        object.__setattr__(self, "fingerprint", _sha256("\n".join(digests)))

    @property
    def texts(self) -> list[str]:
        """The documents' texts, in corpus order."""
        return [d.text for d in self.documents]

    @property
    def labels(self) -> list[str]:
        """The documents' outlet labels, in corpus order."""
        return [d.label for d in self.documents]

    @property
    def outlets(self) -> list[str]:
        """The outlet labels present, sorted."""
        return sorted({d.label for d in self.documents})

    def stats(self) -> dict[str, OutletStats]:
        """Documents and characters per outlet."""
        return {
            outlet: OutletStats(
                documents=sum(1 for d in self.documents if d.label == outlet),
                characters=sum(d.characters for d in self.documents if d.label == outlet),
            )
            for outlet in self.outlets
        }

    def notes(self) -> list[str]:
        """What a user should know about this corpus before trusting a model trained on it."""
        notes = [f"left out {dropped}: same text as {kept}" for dropped, kept in self.duplicates]
        notes += [f"skipped {reason}" for _, reason in self.skipped]
        notes += [f"ignored folder {p}: it holds no .txt files" for p in self.ignored if p.is_dir()]
        singletons = [display_name(o) for o, s in self.stats().items() if s.documents == 1]
        if singletons:
            notes.append(
                f"{len(singletons)} of {len(self.outlets)} outlets have a single document "
                f"({', '.join(singletons)}): the model can only memorise those articles' topic "
                "and names, and leave-one-out cannot test them; add articles to each outlet folder"
            )
        return notes + self._balance_notes()

    def _balance_notes(self) -> list[str]:
        """Notes on outlets that differ a lot in size or in the dates of their articles."""
        notes = []
        sizes = {o: s.documents for o, s in self.stats().items()}
        if len(sizes) > 1 and min(sizes.values()) > 1:
            big, small = max(sizes, key=sizes.__getitem__), min(sizes, key=sizes.__getitem__)
            if sizes[big] >= IMBALANCE * sizes[small]:
                notes.append(
                    f"outlets differ a lot in size ({display_name(big)} {sizes[big]} documents, "
                    f"{display_name(small)} {sizes[small]}): the model leans towards the larger; "
                    "collect similar numbers per outlet"
                )
        medians = self._median_dates()
        if len(medians) > 1:
            early = min(medians, key=medians.__getitem__)
            late = max(medians, key=medians.__getitem__)
            if (medians[late] - medians[early]).days > DATE_GAP_DAYS:
                notes.append(
                    f"outlets' articles are from different times (median {display_name(early)} "
                    f"{medians[early]}, {display_name(late)} {medians[late]}, from manifest.csv): "
                    "the news of the day will be learnt as style; collect articles of the same "
                    "period per outlet"
                )
        return notes

    def _median_dates(self) -> dict[str, date]:
        """Each outlet's median publication date, for outlets with five or more dated documents."""
        try:
            rows = read_manifest(self.root).by_file()
        except CorpusError:
            return {}
        dates: dict[str, list[int]] = {}
        for document in self.documents:
            row = rows.get(relative_name(self.root, document.path))
            try:
                day = date.fromisoformat((row or {}).get("published", "")[:10])
            except ValueError:
                continue
            dates.setdefault(document.label, []).append(day.toordinal())
        return {
            outlet: date.fromordinal(int(statistics.median_low(days)))
            for outlet, days in dates.items()
            if len(days) >= 5
        }

    def provenance(self) -> dict[str, Any]:
        """How many documents have provenance: a manifest row with a URL, and still its text.

        ``manifest`` is ``"none"``, ``"attrib"``, ``"foreign"`` (a manifest.csv attrib did
        not write) or ``"unreadable"``; ``changed`` counts documents whose text no longer has
        their row's SHA-256.
        """
        try:
            manifest = read_manifest(self.root)
        except CorpusError:
            state, rows = "unreadable", {}
        else:
            state = "attrib" if manifest.path.exists() else "none"
            state = "foreign" if manifest.foreign else state
            rows = manifest.by_file()
        known = changed = 0
        for document in self.documents:
            row = rows.get(relative_name(self.root, document.path))
            if row is not None and row.get("url"):
                known += row.get("sha256") == document.digest
                changed += row.get("sha256") != document.digest
        return {
            "manifest": state,
            "documents": len(self.documents),
            "with_provenance": known,
            "changed": changed,
            "without": len(self.documents) - known - changed,
        }

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description: size per outlet, fingerprint, and what was left out."""
        return {
            "path": os.fspath(self.root),
            "fingerprint": self.fingerprint,
            "documents": len(self.documents),
            "characters": sum(d.characters for d in self.documents),
            "outlets": {
                outlet: {"documents": s.documents, "characters": s.characters}
                for outlet, s in self.stats().items()
            },
            "duplicates": [
                {"file": os.fspath(dropped), "same_as": os.fspath(kept)}
                for dropped, kept in self.duplicates
            ],
            "skipped": [{"file": os.fspath(p), "reason": reason} for p, reason in self.skipped],
        }


def require_outlets(corpus: Corpus, doing: str, error: type[AttribError] = CorpusError) -> None:
    """Raise ``error`` unless ``corpus`` has at least two outlets, which ``doing`` needs.

    >>> require_outlets(Corpus(Path("c"), ()), "training")
    Traceback (most recent call last):
    ...
    attrib.errors.CorpusError: corpus c has no outlet; training needs at least two outlet folders
    """
    if len(corpus.outlets) < 2:
        found = f"one outlet ({corpus.outlets[0]})" if corpus.outlets else "no outlet"
        raise error(f"corpus {corpus.root} has {found}; {doing} needs at least two outlet folders")


def bundled_corpus_path() -> Path:
    """Return the directory of the corpus that ships with attrib.

    An installed wheel carries it inside the package (``attrib/corpus``); an editable install or
    a source checkout reads the repository's top-level ``corpus/``.
    """
    package = Path(__file__).resolve().parents[1]  # attrib/, above reading/
    for candidate in (package / "corpus", package.parent / "corpus"):
        if candidate.is_dir():
            return candidate
    raise CorpusError("the bundled corpus is missing from this installation; reinstall attrib")


def load_corpus(path: str | os.PathLike[str] | None = None, *, keep_texts: bool = True) -> Corpus:
    """Load a corpus directory.

    Every sub-directory holding ``.txt`` files is an outlet, named after the folder. Other
    top-level entries are ignored. Unreadable or empty files are skipped (and listed); a text
    repeated within an outlet is kept once (and listed).

    Parameters
    ----------
    path : str or path-like, optional
        The corpus directory; the bundled corpus when omitted.
    keep_texts : bool, default True
        Keep every text in memory. With False, each file is read once to check and fingerprint
        it, and only its digest is kept: memory grows by a few hundred bytes per document, and
        ``Document.text`` reads the file again.

    Returns
    -------
    Corpus

    Raises
    ------
    CorpusError
        If the directory is missing or holds no outlet folder, if an outlet folder holds no
        usable document, or if one text appears under two outlets.

    Examples
    --------
    >>> import attrib
    >>> corpus = attrib.load_corpus()  # the bundled one
    >>> corpus.outlets
    ['presstv', 'rt', 'sputnik', 'tass']
    >>> len(corpus.documents), corpus.documents[1].label
    (5, 'rt')
    """
    root = bundled_corpus_path() if path is None else Path(path)
    if not root.exists():
        raise CorpusError(f"corpus {root} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus {root} is not a directory; give a folder of outlet folders")

    documents: list[Document] = []
    skipped: list[tuple[Path, str]] = []
    duplicates: list[tuple[Path, Path]] = []
    ignored: list[Path] = []
    seen: dict[str, Document] = {}
    try:
        entries = sorted(root.iterdir())
    except OSError as error:
        raise CorpusError(f"cannot read corpus {root}: {error.strerror or error}") from None
    for entry in entries:
        files = _outlet_files(entry)
        if not files:
            ignored.append(entry)
            continue
        usable = 0
        for file in files:
            try:
                text = read_text(file)
            except InputError as error:
                skipped.append((file, str(error)))
                continue
            document = Document.of(file, entry.name, text, keep_text=keep_texts)
            key = _sha256(" ".join(text.split()))
            earlier = seen.get(key)
            if earlier is not None and earlier.label != document.label:
                raise CorpusError(
                    f"{earlier.path} ({earlier.label}) and {file} ({document.label}) hold the "
                    "same text under two outlets; remove the one that is mislabelled"
                )
            usable += 1
            if earlier is not None:
                duplicates.append((file, earlier.path))
                continue
            seen[key] = document
            documents.append(document)
        if not usable:
            reasons = "; ".join(reason for p, reason in skipped if p.parent == entry)
            raise CorpusError(f"outlet folder {entry} holds no usable document ({reasons})")
    if not documents:
        raise CorpusError(
            f"corpus {root} holds no outlet folders ({_what_is_there(ignored)}); "
            "put each outlet's .txt articles in a sub-directory named after the outlet "
            "(e.g. corpus/tass/)"
        )
    return Corpus(root, tuple(documents), tuple(duplicates), tuple(skipped), tuple(ignored))


def _what_is_there(entries: list[Path]) -> str:
    """What a corpus folder without outlet folders holds instead, in a few words."""
    texts = [e.name for e in entries if is_text_file_name(e.name) and not e.is_dir()]
    folders = [e.name for e in entries if e.is_dir()]
    found = []
    if texts:
        found.append(f"{len(texts)} .txt file(s) at its top level, such as {texts[0]}")
    if folders:
        found.append(f"{len(folders)} folder(s) without .txt files, such as {folders[0]}")
    return "; ".join(found) or "it is empty"


def _outlet_files(entry: Path) -> list[Path]:
    """The ``.txt`` files (any case) directly inside ``entry`` if it is an outlet folder."""
    if entry.name.startswith((".", "_")) or not entry.is_dir():
        return []
    try:
        return sorted(p for p in entry.iterdir() if is_text_file_name(p.name) and not p.is_dir())
    except OSError:
        return []


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_outlet_name(name: str) -> bool:
    """Whether ``name`` can name an outlet folder that prints as one clean field.

    >>> [is_outlet_name(n) for n in ("tass", "press tv", "a\tb", "two  spaces", ".hidden")]
    [True, True, False, False, False]
    """
    return (
        bool(name)
        and name.isprintable()  # no control characters, no whitespace but the plain space
        and name == name.strip()
        and "  " not in name
        and not name.startswith((".", "_"))
        and not any(c in name for c in "/\\")
    )
