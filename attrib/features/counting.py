"""Counting n-grams: scikit-learn's ``CountVectorizer`` matrices, computed in bulk with NumPy.

:class:`~attrib.features.estimators.NgramCounter` is a scikit-learn transformer that gives, for
attrib's views, the same count matrix as a ``CountVectorizer`` (same vocabulary, same column
order, same counts, same pruning by ``min_df``, ``max_df`` and ``max_features``), several times
faster: texts are hashed a batch
at a time (:mod:`attrib.features.hashing`) and the hashes looked up in a table, so no n-gram
string is built except the vocabulary's own. With ``hash_bits`` it hashes n-grams into
``2**hash_bits`` columns instead, as a ``HashingVectorizer`` does (the columns differ from
scikit-learn's: they come from the same 64-bit hashes).

This module holds the work and imports no scikit-learn (a second of start-up): the transformer
learns a vocabulary with it, and a loaded model counts with :class:`FittedCounter`.
``tests/test_counting.py`` checks the matrices against ``CountVectorizer`` built by
``NgramCounter.reference`` on generated texts and on arbitrary Unicode.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp

from attrib.features.hashing import (
    Batch,
    Grams,
    HashIndex,
    char_grams,
    distinct,
    punctuation_batch,
    shape_batch,
    squeeze_spaces,
    word_char_grams,
    word_grams,
)

#: The views a counter reads: scikit-learn's ``char_wb``, ``char`` and ``word`` analyzers, and
#: character n-grams of attrib's punctuation and shape views (:mod:`attrib.features.views`).
VIEWS = ("char_wb", "char", "word", "punct", "shape")

#: Characters hashed at once: about 100 bytes of memory each. Best of three on 4.2 MB of
#: generated news (bench/synthetic.py), batches of 2**16 to 2**21 characters, in seconds:
#: ``char_wb`` 0.62 0.49 0.45 0.43 0.40 0.39 (it hashes each distinct word of a batch once, so
#: larger batches repeat less work), ``word`` 0.23 0.23 0.20 0.20 0.22 0.24, ``shape`` 0.28 0.27
#: 0.25 0.30 0.32 0.43 (small arrays stay in the processor's caches). ``char_wb`` at 2**20 saved
#: a tenth of its time but took 90 MB more for one 19 MB text of long distinct words.
BATCH_CHARS = {"char_wb": 1 << 18, "other": 1 << 18}


#: Longest piece of one text whose n-grams are counted at once. The counter holds the hashes of
#: every n-gram of what it counts at once (about 100 bytes per character with the four views:
#: 2 GB for a 20 MB text), so a longer text is counted piece by piece, cut at whitespace, and the
#: counts added up. News articles are far shorter; for a longer text, only the few word and
#: punctuation n-grams that span a cut are lost. Pieces of 131,072 characters kept one 19 MB
#: text of long distinct words at 194 MB, against 236 MB with twice that (bench/worst_case.py).
CHUNK_CHARS = 131_072

_LAST_SPACE = re.compile(r"\s(?=\S*$)")


def text_pieces(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters, at whitespace where possible.

    >>> text_pieces("one two three", 8)
    ['one two ', 'three']
    """
    pieces = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = _LAST_SPACE.search(text, start, end)
        if cut is not None and cut.end() > start:
            end = cut.end()
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return pieces


class HashCollisionError(ValueError):
    """Two different n-grams of a vocabulary have the same 64-bit hash."""


class NotFittedError(ValueError, AttributeError):
    """A counter was used before it learnt a vocabulary (as scikit-learn's ``NotFittedError``)."""


class Counting:
    """What a counter does once it knows its vocabulary: hash, look up, count.

    Shared by the scikit-learn transformer :class:`~attrib.features.estimators.NgramCounter`,
    which learns the vocabulary, and :class:`FittedCounter`, a loaded model's counter, which
    scores without importing scikit-learn. Reads ``view``, ``ngram_range``, ``lowercase`` and
    ``hash_bits``, and, without ``hash_bits``, the vocabulary: ``hashes_`` (each column's 64-bit
    hash), ``names_text_`` and ``names_ends_`` (the n-grams, concatenated, and where each ends).
    """

    view: str
    ngram_range: tuple[int, int]
    lowercase: bool
    hash_bits: int | None
    hashes_: np.ndarray
    names_text_: str
    names_ends_: np.ndarray

    def grams(self, texts: Sequence[str], seed: int = 0) -> Grams:
        """The n-grams of ``texts`` (one batch), hashed with hash function ``seed`` (0 or 1)."""
        if self.view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {self.view!r}")
        low, high = self.ngram_range
        if self.lowercase and self.view in ("char_wb", "char", "word"):
            texts = [text.lower() for text in texts]
        if self.view == "char_wb":
            return word_char_grams(texts, low, high, whole_short=True, seed=seed)
        batch = Batch.of(texts)
        if self.view == "word":
            return word_grams(batch, low, high, seed=seed)
        if self.view == "punct":
            batch = punctuation_batch(batch)
        elif self.view == "shape":
            batch = shape_batch(batch)
        return char_grams(squeeze_spaces(batch), low, high, whole_short=False, seed=seed)

    @property
    def n_features(self) -> int:
        """Columns of the count matrix."""
        if self.hash_bits is not None:
            return 1 << int(self.hash_bits)
        return len(self._fitted("hashes_"))

    def columns(self, keys: np.ndarray) -> np.ndarray:
        """Each n-gram hash's column, or -1 if it is not in the vocabulary."""
        if self.hash_bits is not None:
            top: np.ndarray = (keys >> np.uint64(64 - int(self.hash_bits))).astype(np.int64)
            return top
        if getattr(self, "_index", None) is None:
            self._index = HashIndex(self._fitted("hashes_"))
        return self._index.lookup(keys)

    def transform(self, raw_documents: Sequence[str]) -> sp.csr_matrix:
        """The count matrix of ``raw_documents`` over the fitted vocabulary."""
        texts = text_list(raw_documents)
        width = self.n_features
        parts = []
        for start, stop in batches(texts, self._batch_chars()):
            grams = self.grams(texts[start:stop])
            columns = self.columns(grams.keys)
            parts.append(_counted(grams, columns, stop - start, width))
        if not parts:
            return sp.csr_matrix((0, width), dtype=np.int64)
        return sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The n-grams, in column order."""
        if self.hash_bits is not None:
            raise AttributeError("a hashing counter has no feature names")
        if getattr(self, "_names", None) is None:
            text, ends = self._fitted("names_text_"), self._fitted("names_ends_").tolist()
            starts = [0, *ends[:-1]]
            self._names = np.asarray(
                [text[a:b] for a, b in zip(starts, ends, strict=True)], dtype=object
            )
        names: np.ndarray = self._names
        return names

    @property
    def vocabulary_(self) -> dict[str, int]:
        """Each n-gram's column, as ``CountVectorizer.vocabulary_``."""
        return {name: i for i, name in enumerate(self.get_feature_names_out().tolist())}

    def _fitted(self, name: str) -> Any:
        try:
            return getattr(self, name)
        except AttributeError:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            ) from None

    def _batch_chars(self) -> int:
        return BATCH_CHARS.get(self.view, BATCH_CHARS["other"])

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for cache in ("_index", "_names"):  # rebuilt on first use: smaller files, faster loading
            state.pop(cache, None)
        return state


class FittedCounter(Counting):
    """A counter rebuilt from its parameters and vocabulary, as a model file stores them.

    Parameters
    ----------
    view, ngram_range, lowercase, hash_bits
        As :class:`~attrib.features.estimators.NgramCounter`'s.
    hashes, names_text, names_ends
        The vocabulary (None with ``hash_bits``): each column's hash, the n-grams concatenated,
        and where each ends in that string.
    """

    def __init__(
        self,
        view: str,
        ngram_range: tuple[int, int],
        lowercase: bool,
        hash_bits: int | None = None,
        *,
        hashes: np.ndarray | None = None,
        names_text: str = "",
        names_ends: np.ndarray | None = None,
    ) -> None:
        self.view = view
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.lowercase = lowercase
        self.hash_bits = hash_bits
        if hash_bits is None:
            if hashes is None or names_ends is None:
                raise ValueError("a counter without hash_bits needs its vocabulary")
            self.hashes_ = hashes
            self.names_text_ = names_text
            self.names_ends_ = names_ends


def text_list(raw_documents: Any) -> list[str]:
    if isinstance(raw_documents, str):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    return list(raw_documents)


def batches(texts: Sequence[str], size: int = BATCH_CHARS["other"]) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of texts of at most ``size`` characters (at least one text each)."""
    start = 0
    while start < len(texts):
        stop, total = start, 0
        while stop < len(texts) and (stop == start or total + len(texts[stop]) <= size):
            total += len(texts[stop])
            stop += 1
        yield start, stop
        start = stop


def _counted(grams: Grams, columns: np.ndarray, documents: int, width: int) -> sp.csr_matrix:
    """The documents x ``width`` counts of ``grams`` in ``columns`` (-1: not counted)."""
    found = columns >= 0
    if grams.through is None:
        return _count(grams.rows[found], columns[found], documents, width)
    words = _count(grams.rows[found], columns[found], grams.through.shape[1], width)
    counts = sp.csr_matrix(grams.through @ words)
    counts.sort_indices()
    return counts


def _count(rows: np.ndarray, columns: np.ndarray, height: int, width: int) -> sp.csr_matrix:
    """The ``height`` x ``width`` matrix counting each (row, column) pair, indices sorted."""
    pairs = rows.astype(np.int64) * width + columns
    if height * width <= 4 * len(pairs):  # small enough to count in place (punctuation, shape)
        counts = np.bincount(pairs, minlength=height * width)
        distinct = np.flatnonzero(counts)
        counts = counts[distinct]
        indptr = np.concatenate(([0], np.cumsum(np.bincount(distinct // width, minlength=height))))
        return sp.csr_matrix((counts, distinct % width, indptr), shape=(height, width))
    pairs.sort()
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(pairs)))
    distinct = pairs[starts]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(distinct // width, minlength=height))))
    return sp.csr_matrix((counts, distinct % width, indptr), shape=(height, width))


def learn_vocabulary(
    counter: Counting, texts: list[str]
) -> tuple[np.ndarray, list[str], sp.csr_matrix]:
    """Every distinct n-gram of ``texts``: hashes, strings, and the count matrix.

    The columns are in order of first appearance. Each batch is hashed twice, with independent
    hash functions: two different n-grams with the same first hash almost surely differ in the
    second, and that is refused.
    """
    index = HashIndex(np.zeros(0, dtype=np.uint64))
    keys: list[np.ndarray] = []
    seconds: list[np.ndarray] = []
    names: list[str] = []
    blocks = []
    for start, stop in batches(texts, counter._batch_chars()):
        grams = counter.grams(texts[start:stop])
        second = counter.grams(texts[start:stop], seed=1).keys
        columns = index.lookup(grams.keys)
        new = distinct(grams.keys[columns < 0])
        if len(new):
            before = index.size
            index.add(new)
            columns = index.lookup(grams.keys)
            some = np.empty(len(new), dtype=np.int64)
            fresh = np.flatnonzero(columns >= before)
            some[columns[fresh] - before] = fresh
            keys.append(new)
            seconds.append(second[some])
            names.extend(grams.spell(some))
        known = np.concatenate(seconds) if seconds else np.zeros(0, dtype=np.uint64)
        _check_distinct(second, known[columns])
        blocks.append(_counted(grams, columns, stop - start, index.size))
    if not names:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    width = index.size
    for block in blocks:
        block.resize(block.shape[0], width)
    return np.concatenate(keys), names, sp.vstack(blocks, format="csr")


def _check_distinct(seconds: np.ndarray, expected: np.ndarray) -> None:
    if not np.array_equal(seconds, expected):
        raise HashCollisionError(
            "two different n-grams have the same 64-bit hash; this happens about once in 10**13 "
            "vocabularies of a million n-grams: please report it, with the corpus if you can"
        )


def kept_columns(
    counts: sp.csr_matrix, min_df: float, max_df: float, max_features: int | None
) -> np.ndarray:
    """The columns (of a sorted vocabulary's counts) that ``CountVectorizer`` would keep.

    The same pruning as scikit-learn's ``CountVectorizer._limit_features``: document
    frequency within ``[min_df, max_df]`` (integers are counts, floats shares of the
    documents), then the ``max_features`` most frequent in total, ties broken as its argsort does.
    """
    n_documents = counts.shape[0]
    high = max_df if isinstance(max_df, Integral) else max_df * n_documents
    low = min_df if isinstance(min_df, Integral) else min_df * n_documents
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    mask = (frequency <= high) & (frequency >= low)
    if max_features is not None and mask.sum() > max_features:
        totals = np.asarray(counts.sum(axis=0)).ravel()
        order = (-totals[mask]).argsort()[:max_features]
        limited = np.zeros(len(frequency), dtype=bool)
        limited[np.flatnonzero(mask)[order]] = True
        mask = limited
    kept = np.flatnonzero(mask)
    if not len(kept):
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    return kept
