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

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline

from attrib.features.counting import kept_columns
from attrib.features.estimators import NgramCounter, TextCleaner
from attrib.modeling.openset import COVERAGE_N


def supports(pipeline: Pipeline) -> bool:
    """Whether ``pipeline`` is attrib's: cleaning, a union of counted TF-IDF views, a classifier."""
    if [name for name, _ in pipeline.steps] != ["clean", "features", "classifier"]:
        return False
    if not isinstance(pipeline.named_steps["clean"], TextCleaner):
        return False
    union = pipeline.named_steps["features"]
    if not isinstance(union, FeatureUnion):
        return False
    weighted = union.transformer_weights or {}
    return all(
        isinstance(part, Pipeline)
        and [name for name, _ in part.steps] == ["count", "tfidf"]
        and type(part.named_steps["count"]) is NgramCounter
        and part.named_steps["count"].hash_bits is None
        and type(part.named_steps["tfidf"]) is TfidfTransformer
        and name not in weighted
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
        self.vectorizers_: list[Pipeline] = []
        self.counts_: list[sp.csr_matrix] = []
        self.vocabularies_: list[np.ndarray] = []
        for kind, view in pipeline.named_steps["features"].transformer_list:
            counter = clone(view.named_steps["count"]).set_params(
                min_df=1, max_df=1.0, max_features=None
            )
            self.counts_.append(sp.csr_matrix(counter.fit_transform(self.cleaned_)))
            self.kinds_.append(kind)
            self.vectorizers_.append(view)
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
            tfidf = clone(vectorizer.named_steps["tfidf"])
            train_blocks.append(tfidf.fit_transform(train_counts[:, columns]))
            test_blocks.append(tfidf.transform(counts[test][:, columns]))
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


def _kept_columns(view: Pipeline, train_counts: sp.csr_matrix) -> np.ndarray:
    """The corpus-vocabulary columns that fitting ``view`` on these rows would keep.

    The global vocabulary is sorted like a fitted counter's, so keeping a subset of its columns
    in order gives the fold's column order.
    """
    counter = view.named_steps["count"]
    present = np.flatnonzero(np.bincount(train_counts.indices, minlength=train_counts.shape[1]))
    kept = kept_columns(
        train_counts[:, present], counter.min_df, counter.max_df, counter.max_features
    )
    result: np.ndarray = present[kept]
    return result
