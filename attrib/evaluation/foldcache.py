"""Cross-validation without re-tokenizing: each fold's TF-IDF built from counts computed once.

The plain way, ``cross_val_predict(pipeline, texts, labels, cv=LeaveOneOut())``, runs every
vectorizer's analyzer over every training document in every fold. Counting n-grams does not
depend on the other documents, so :class:`FoldFeatures` counts each document once, over the
vocabulary of the whole corpus, and builds a fold's features from the rows of its training
documents alone: the fold's vocabulary is the n-grams those rows contain (pruned by the
vectorizer's ``min_df``, ``max_df`` and ``max_features`` exactly as scikit-learn prunes them), and
its IDF is fitted on those rows by scikit-learn's own ``TfidfTransformer``. Nothing about a
held-out document reaches its fold's vocabulary or IDF, and the matrices equal the plain way's.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from attrib.features.cleaning import TextCleaner
from attrib.modeling.openset import COVERAGE_N

_TFIDF_ONLY = ("norm", "use_idf", "smooth_idf", "sublinear_tf")


def supports(pipeline: Pipeline) -> bool:
    """Whether ``pipeline`` is attrib's: cleaning, a union of TF-IDF vectorizers, a classifier."""
    if [name for name, _ in pipeline.steps] != ["clean", "features", "classifier"]:
        return False
    if not isinstance(pipeline.named_steps["clean"], TextCleaner):
        return False
    union = pipeline.named_steps["features"]
    if not isinstance(union, FeatureUnion):
        return False
    weighted = union.transformer_weights or {}
    return all(
        type(part) is TfidfVectorizer and part.vocabulary is None and name not in weighted
        for name, part in union.transformer_list
    )


class FoldFeatures:
    """Cleaned n-gram counts of every document, from which any fold's TF-IDF is built.

    Parameters
    ----------
    pipeline : Pipeline
        An (unfitted) pipeline for which :func:`supports` is true; its vectorizers' settings are
        used, it is not changed.
    texts : sequence of str
        All documents of the corpus, in order.
    """

    def __init__(self, pipeline: Pipeline, texts: Sequence[str]) -> None:
        # Cleaning is stateless, one text at a time: done once here, as the pipeline would in
        # every fold.
        self.cleaned_: list[str] = pipeline.named_steps["clean"].transform(texts)
        self.kinds_: list[str] = []
        self.vectorizers_: list[TfidfVectorizer] = []
        self.counts_: list[sp.csr_matrix] = []
        self.vocabularies_: list[np.ndarray] = []
        for kind, vectorizer in pipeline.named_steps["features"].transformer_list:
            params = {k: v for k, v in vectorizer.get_params().items() if k not in _TFIDF_ONLY}
            params.update(min_df=1, max_df=1.0, max_features=None)
            counter = CountVectorizer(**params)
            self.counts_.append(sp.csr_matrix(counter.fit_transform(self.cleaned_)))
            self.kinds_.append(kind)
            self.vectorizers_.append(vectorizer)
            self.vocabularies_.append(counter.get_feature_names_out())

    def fold(self, train: np.ndarray, test: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Return the training and test feature matrices of one fold.

        Parameters
        ----------
        train, test : array of int
            Row indices of the fold's training and held-out documents.
        """
        train_x, test_x, _ = self.fold_with_names(train, test)
        return train_x, test_x

    def fold_with_names(
        self, train: np.ndarray, test: np.ndarray
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, list[str]]:
        """Like :meth:`fold`, with the fold's feature names (``kind__ngram``, as the pipeline's)."""
        train_blocks, test_blocks = [], []
        names: list[str] = []
        for kind, vectorizer, counts, vocabulary in zip(
            self.kinds_, self.vectorizers_, self.counts_, self.vocabularies_, strict=True
        ):
            train_counts = counts[train]
            columns = _kept_columns(vectorizer, train_counts)
            names.extend(f"{kind}__{ngram}" for ngram in vocabulary[columns])
            tfidf = TfidfTransformer(**{k: getattr(vectorizer, k) for k in _TFIDF_ONLY})
            dtype = vectorizer.dtype
            train_blocks.append(tfidf.fit_transform(train_counts[:, columns].astype(dtype)))
            test_blocks.append(tfidf.transform(counts[test][:, columns].astype(dtype)))
        return sp.hstack(train_blocks).tocsr(), sp.hstack(test_blocks).tocsr(), names


def coverage(cache: FoldFeatures, train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """For each test document, the share of its character 5-grams in the fold's vocabulary.

    The same measure as :func:`attrib.modeling.openset.coverage` for a trained model, computed
    from the cached counts of the ``char`` view.
    """
    index = cache.kinds_.index("char")
    vectorizer, counts = cache.vectorizers_[index], cache.counts_[index]
    long = np.array([len(g) == COVERAGE_N for g in cache.vocabularies_[index]])
    kept = np.zeros(counts.shape[1], dtype=bool)
    kept[_kept_columns(vectorizer, counts[train])] = True
    rows = counts[test]
    total = np.asarray(rows[:, long].sum(axis=1)).ravel()
    seen = np.asarray(rows[:, long & kept].sum(axis=1)).ravel()
    shares: np.ndarray = np.divide(seen, total, out=np.zeros(len(test)), where=total > 0)
    return shares


def _kept_columns(vectorizer: TfidfVectorizer, train_counts: sp.csr_matrix) -> np.ndarray:
    """The corpus-vocabulary columns that fitting ``vectorizer`` on these rows would keep.

    Mirrors ``CountVectorizer._limit_features``: the global vocabulary is sorted like a fitted
    vectorizer's, so keeping a subset of its columns in order gives the fold's column order.
    """
    n_documents = train_counts.shape[0]
    frequency = np.bincount(train_counts.indices, minlength=train_counts.shape[1])
    present = np.flatnonzero(frequency)
    df = frequency[present]
    high: float = _document_count(vectorizer.max_df, n_documents)
    low: float = _document_count(vectorizer.min_df, n_documents)
    mask = (df <= high) & (df >= low)
    limit: Any = vectorizer.max_features
    if limit is not None and mask.sum() > limit:
        totals = np.asarray(train_counts[:, present].sum(axis=0), dtype=float).ravel()
        order = (-totals[mask]).argsort()[:limit]
        limited = np.zeros(len(df), dtype=bool)
        limited[np.flatnonzero(mask)[order]] = True
        mask = limited
    if not mask.any():
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    result: np.ndarray = present[mask]
    return result


def _document_count(threshold: Any, n_documents: int) -> float:
    """A ``min_df``/``max_df`` as a count: an integer is one, a float a proportion."""
    return float(threshold) if isinstance(threshold, Integral) else threshold * n_documents
