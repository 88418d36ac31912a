"""Knowing when not to answer: too short, too unlike the corpus, or no clear winner.

A text gets ``"unknown"`` (its scores are still reported) when

* it has fewer than ``min_words`` words (after cleaning): too little to judge;
* fewer than ``min_coverage`` of its character 5-grams (within words, as the ``char`` view
  reads them) occur anywhere in the training corpus: it shares too little with what the model
  has seen (a recipe, a forum post, another language);
* its top score leads the runner-up by less than ``min_margin``.

The defaults were set on data: with the bundled model, 84 of the 87 development articles
(``../shared/corpus-dev``, other topics and years) have a coverage of at least 0.33, while a
recipe and a forum post written for the tests have 0.28 and 0.32. ``attrib train
--calibrate-threshold`` chooses ``min_margin`` from leave-one-out scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from attrib.errors import OptionError
from attrib.features.counting import BATCH_CHARS, batches, text_pieces
from attrib.features.hashing import distinct, word_char_grams
from attrib.options import THRESHOLD_OPTIONS, check, defaults

#: The thresholds a model uses unless its metadata or the caller says otherwise.
DEFAULT_THRESHOLDS: dict[str, float] = defaults(THRESHOLD_OPTIONS)
#: The length of the character n-grams coverage counts: long enough to be specific.
COVERAGE_N = 5

# A word, or one that ``mask="distort"`` hid (its letters ``*``, its digits ``#``).
_WORD = re.compile(r"[\w*#]+")
_WORD_RUNS = re.compile(r"\S+")  # what str.split() yields, found lazily


@dataclass(frozen=True)
class Evidence:
    """What the abstention rules look at for one text."""

    words: int
    coverage: float


def word_count(text: str) -> int:
    """Words in a (cleaned) text.

    A long text is counted a piece at a time, cut at whitespace: a list of every word of a
    19 MB text took 130 MB.
    """
    return sum(len(_WORD.findall(piece)) for piece in text_pieces(text))


def coverage_ngrams(text: str) -> Iterator[str]:
    """The text's character n-grams of length :data:`COVERAGE_N`, as the ``char`` view reads them.

    The same n-grams the ``char_wb`` analyzer yields at that length (lower-cased words padded
    with a space), without producing the other lengths: a quarter of the work. They are
    produced one at a time, so a long text never holds them all in memory.
    """
    for word in _WORD_RUNS.finditer(text.lower()):
        padded = f" {word.group()} "
        yield from (padded[i : i + COVERAGE_N] for i in range(len(padded) - COVERAGE_N + 1))


class SeenNgrams:
    """The character 5-grams of a training corpus, hashed into a bitmap of ``2**bits`` bits.

    What a bounded-memory model (:mod:`attrib.scale.bounded`) keeps for the coverage rule instead of
    a vocabulary: its size does not grow with the corpus (8 MB at the default 26 bits). A 5-gram
    never seen can share a bit with one that was, so coverage reads a little high: by about the
    share of bits set, which :attr:`fill` reports (a few percent for millions of 5-grams).
    """

    def __init__(self, bits: int = 26) -> None:
        self.bits = bits
        self.packed = np.zeros(2**bits // 8, dtype=np.uint8)

    @classmethod
    def from_packed(cls, bits: int, packed: np.ndarray) -> SeenNgrams:
        """A bitmap of ``2**bits`` bits, as saved (``packed``: ``2**bits // 8`` bytes)."""
        seen = cls.__new__(cls)
        seen.bits = bits
        seen.packed = packed
        return seen

    def add(self, positions: Any) -> None:
        """Set the bits at ``positions`` (from :func:`coverage_positions`)."""
        np.bitwise_or.at(self.packed, positions >> 3, (1 << (positions & 7)).astype(np.uint8))

    def coverage(self, texts: Sequence[str]) -> list[float]:
        """Each text's share of 5-grams (with repeats) whose bit is set; 0 for none."""

        def known(keys: np.ndarray) -> np.ndarray:
            positions = _positions(keys, self.bits)
            hit: np.ndarray = (self.packed[positions >> 3] >> (positions & 7)) & 1
            return hit.astype(bool)

        return known_shares(texts, known)

    def positions(self) -> np.ndarray:
        """The positions of the bits set, in order (memory in proportion to them)."""
        nonzero = np.flatnonzero(self.packed)
        bits = np.unpackbits(self.packed[nonzero][:, None], axis=1, bitorder="little")
        rows, offsets = np.nonzero(bits)
        found: np.ndarray = nonzero[rows].astype(np.int64) * 8 + offsets
        return found

    @property
    def fill(self) -> float:
        """The share of bits set."""
        return float(np.unpackbits(self.packed).mean())


def coverage_positions(texts: Sequence[str], bits: int) -> Any:
    """The distinct bit positions of the 5-grams of (cleaned) ``texts`` in a ``bits`` bitmap."""
    found = [np.zeros(0, dtype=np.int64)]
    for grams, _ in _grams_in_pieces(texts):
        found.append(distinct(_positions(grams.keys, bits)))
    return distinct(np.concatenate(found))


def _positions(keys: np.ndarray, bits: int) -> np.ndarray:
    """Bit positions of 5-gram hashes: their top ``bits`` bits."""
    top: np.ndarray = (keys >> np.uint64(64 - bits)).astype(np.int64)
    return top


def coverage_grams(texts: Sequence[str]) -> Any:
    """The hashed 5-grams of :func:`coverage_ngrams`, for a batch of texts."""
    lowered = [text.lower() for text in texts]
    return word_char_grams(lowered, COVERAGE_N, COVERAGE_N, whole_short=False)


def known_shares(texts: Sequence[str], known: Callable[[np.ndarray], np.ndarray]) -> list[float]:
    """Each text's share of 5-grams (with repeats) whose hash ``known`` accepts; 0 for none.

    A long text is read in pieces, so memory stays bounded.
    """
    total = np.zeros(len(texts))
    seen = np.zeros(len(texts))
    for grams, owner in _grams_in_pieces(texts):
        words = grams.through.shape[1]
        in_words = np.bincount(grams.rows, minlength=words)
        seen_in_words = np.bincount(grams.rows, weights=known(grams.keys), minlength=words)
        total += np.bincount(owner, weights=grams.through @ in_words, minlength=len(texts))
        seen += np.bincount(owner, weights=grams.through @ seen_in_words, minlength=len(texts))
    shares = np.divide(seen, total, out=np.zeros(len(texts)), where=total > 0)
    return [float(share) for share in shares]


def _grams_in_pieces(texts: Sequence[str]) -> Iterator[tuple[Any, np.ndarray]]:
    """The 5-grams of the texts, a batch of pieces at a time (cut at whitespace, which splits no
    5-gram: they lie within words), with each piece's text."""
    pieces: list[str] = []
    owners: list[int] = []
    for i, text in enumerate(texts):
        cut = text_pieces(text)
        pieces.extend(cut)
        owners.extend([i] * len(cut))
    owner = np.array(owners, dtype=np.int64)
    for start, stop in batches(pieces, BATCH_CHARS["char_wb"]):
        yield coverage_grams(pieces[start:stop]), owner[start:stop]


def coverage(ngrams: Iterable[str], seen: Container[str]) -> float:
    """The share of ``ngrams`` (with repeats) found in ``seen``; 0 for none."""
    total = found = 0
    for ngram in ngrams:
        total += 1
        found += ngram in seen
    return found / total if total else 0.0


def check_thresholds(thresholds: dict[str, Any]) -> dict[str, float]:
    """Return ``thresholds`` if every name is a threshold and every value within its bounds.

    Raises
    ------
    OptionError
        For an unknown name, or a value out of bounds (:data:`attrib.options.THRESHOLD_OPTIONS`).
    """
    for name, value in thresholds.items():
        if name not in THRESHOLD_OPTIONS:
            raise OptionError(f"unknown threshold {name!r}; known: {', '.join(THRESHOLD_OPTIONS)}")
        check(name, value)
    return thresholds


def decide(evidence: Evidence, scores: list[float], thresholds: dict[str, float]) -> str | None:
    """The reason to abstain, or None to answer. ``scores`` are best first."""
    if evidence.words < thresholds["min_words"]:
        return (
            f"too short to judge: {evidence.words} words, attrib needs at least "
            f"{thresholds['min_words']:.0f}"
        )
    if evidence.coverage < thresholds["min_coverage"]:
        return (
            f"too unlike the training corpus: {evidence.coverage:.0%} of its character "
            f"{COVERAGE_N}-grams were seen in training, the minimum is "
            f"{thresholds['min_coverage']:.0%}"
        )
    margin = scores[0] - scores[1] if len(scores) > 1 else 1.0
    if margin < thresholds["min_margin"]:
        return (
            f"no clear winner: the top score leads by {margin:.2f}, the minimum margin is "
            f"{thresholds['min_margin']:.2f}"
        )
    return None
