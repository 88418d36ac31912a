"""Counting n-grams: scikit-learn's ``CountVectorizer`` matrices, computed in bulk with NumPy.

:class:`NgramCounter` is a scikit-learn transformer that gives, for attrib's views, the same count
matrix as a ``CountVectorizer`` (same vocabulary, same column order, same counts, same pruning
by ``min_df``, ``max_df`` and ``max_features``), several times faster: texts are hashed a batch
at a time (:mod:`attrib.features.hashing`) and the hashes looked up in a table, so no n-gram
string is built except the vocabulary's own. With ``hash_bits`` it hashes n-grams into
``2**hash_bits`` columns instead, as a ``HashingVectorizer`` does (the columns differ from
scikit-learn's: they come from the same 64-bit hashes).

``tests/test_counting.py`` checks the matrices against ``CountVectorizer`` built by
:meth:`NgramCounter.reference` on generated texts and on arbitrary Unicode.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils.validation import check_is_fitted

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
from attrib.features.viewtext import punctuation_view, shape_view

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


class HashCollisionError(ValueError):
    """Two different n-grams of a vocabulary have the same 64-bit hash."""


class NgramCounter(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Count the n-grams of one view of each text, as scikit-learn's ``CountVectorizer`` does.

    Parameters
    ----------
    view : {"char_wb", "char", "word", "punct", "shape"}
        What is counted: character n-grams within words, character n-grams, word n-grams (words
        as ``\\b\\w\\w+\\b``), or character n-grams of the punctuation or shape view.
    ngram_range : (int, int)
    lowercase : bool
        Lower-case the text first (``char_wb``, ``char`` and ``word`` only: the punctuation and
        shape views read case themselves).
    min_df, max_df, max_features
        Vocabulary pruning, as ``CountVectorizer``'s.
    hash_bits : int, optional
        Count into ``2**hash_bits`` hashed columns and keep no vocabulary.

    Examples
    --------
    >>> counter = NgramCounter(view="word", ngram_range=(1, 2))
    >>> counter.fit_transform(["The cat sat", "the cat"]).toarray()
    array([[1, 1, 1, 1, 1],
           [1, 0, 0, 1, 1]])
    >>> counter.get_feature_names_out().tolist()
    ['cat', 'cat sat', 'sat', 'the', 'the cat']
    """

    def __init__(
        self,
        view: str = "char_wb",
        ngram_range: tuple[int, int] = (2, 5),
        lowercase: bool = True,
        min_df: float = 1,
        max_df: float = 1.0,
        max_features: int | None = None,
        hash_bits: int | None = None,
    ) -> None:
        self.view = view
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.hash_bits = hash_bits

    # -- what scikit-learn would do ---------------------------------------------------------

    def reference(self) -> CountVectorizer:
        """The ``CountVectorizer`` whose matrices this counter reproduces (the tests' oracle)."""
        settings: dict[str, Any] = {
            "ngram_range": tuple(self.ngram_range),
            "lowercase": self.lowercase,
            "min_df": self.min_df,
            "max_df": self.max_df,
            "max_features": self.max_features,
        }
        if self.view == "punct":
            settings.update(analyzer="char", preprocessor=punctuation_view, lowercase=False)
        elif self.view == "shape":
            settings.update(analyzer="char", preprocessor=shape_view, lowercase=False)
        else:
            settings["analyzer"] = self.view
        return CountVectorizer(**settings)

    def build_analyzer(self) -> Any:
        """A function from one text to its n-grams as strings (scikit-learn's, for one text)."""
        return self.reference().build_analyzer()

    # -- hashing ------------------------------------------------------------------------------

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

    # -- fitting ------------------------------------------------------------------------------

    def fit(self, raw_documents: Sequence[str], y: Any = None) -> NgramCounter:
        """Learn the vocabulary of ``raw_documents``."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Sequence[str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and return the count matrix (documents x n-grams)."""
        texts = _texts(raw_documents)
        if self.hash_bits is not None:
            self.n_features_in_ = 1  # stateless, as HashingVectorizer: nothing to learn
            return self.transform(texts)
        keys, names, counts = _vocabulary(self, texts)
        names_array = np.asarray(names, dtype=object)
        order = np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
        column = np.empty(len(order), dtype=np.int64)
        column[order] = np.arange(len(order))
        counts.indices = column[counts.indices]
        counts.has_sorted_indices = False
        counts.sort_indices()
        kept = kept_columns(counts, self.min_df, self.max_df, self.max_features)
        names_kept = names_array[order][kept].tolist()
        # Saved as one string and where each name ends: a model file loads it in one read,
        # where an array of strings is unpickled one object at a time (0.5 s per 180,000).
        self.names_text_ = "".join(names_kept)
        self.names_ends_ = np.cumsum([len(name) for name in names_kept], dtype=np.int64)
        self._names = np.asarray(names_kept, dtype=object)
        self.hashes_ = keys[order][kept]
        self._index = HashIndex(self.hashes_)
        return counts[:, kept]

    # -- counting -----------------------------------------------------------------------------

    @property
    def n_features(self) -> int:
        """Columns of the count matrix."""
        if self.hash_bits is not None:
            return 1 << int(self.hash_bits)
        check_is_fitted(self, "hashes_")
        return len(self.hashes_)

    def columns(self, keys: np.ndarray) -> np.ndarray:
        """Each n-gram hash's column, or -1 if it is not in the vocabulary."""
        if self.hash_bits is not None:
            top: np.ndarray = (keys >> np.uint64(64 - int(self.hash_bits))).astype(np.int64)
            return top
        check_is_fitted(self, "hashes_")
        if getattr(self, "_index", None) is None:
            self._index = HashIndex(self.hashes_)
        return self._index.lookup(keys)

    def transform(self, raw_documents: Sequence[str]) -> sp.csr_matrix:
        """The count matrix of ``raw_documents`` over the fitted vocabulary."""
        texts = _texts(raw_documents)
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
        check_is_fitted(self, "names_ends_")
        if getattr(self, "_names", None) is None:
            text, ends = self.names_text_, self.names_ends_.tolist()
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

    def _batch_chars(self) -> int:
        return BATCH_CHARS.get(self.view, BATCH_CHARS["other"])

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for cache in ("_index", "_names"):  # rebuilt on first use: smaller files, faster loading
            state.pop(cache, None)
        return state


def _texts(raw_documents: Any) -> list[str]:
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


def _vocabulary(
    counter: NgramCounter, texts: list[str]
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
