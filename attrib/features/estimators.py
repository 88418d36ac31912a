"""The scikit-learn steps of attrib's pipeline: cleaning and n-gram counting as transformers.

The work is done in modules that import no scikit-learn (:mod:`attrib.features.cleaning`,
:mod:`attrib.features.counting`), so that a loaded model scores a text without paying a second
of start-up for it; these classes make that work scikit-learn estimators (``get_params``,
``clone``, ``Pipeline``, ``GridSearchCV``) for training and evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer

from attrib.features.cleaning import DEFAULT_DISTORT_WORDS, DEFAULT_TYPOGRAPHY, clean_texts
from attrib.features.counting import Counting, kept_columns, learn_vocabulary, text_list
from attrib.features.hashing import HashIndex
from attrib.features.viewtext import punctuation_view, shape_view


class TextCleaner(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The cleaning step of attrib's pipeline: a stateless transformer of texts.

    Parameters
    ----------
    mask : {"none", "signatures", "distort"}
        The masking mode.
    distort_words : int
        How many of the most frequent English words distortion keeps.
    typography : {"plain", "raw"}
        How the characters between the words are read.
    """

    def __init__(
        self,
        mask: str = "signatures",
        distort_words: int = DEFAULT_DISTORT_WORDS,
        typography: str = DEFAULT_TYPOGRAPHY,
    ):
        self.mask = mask
        self.distort_words = distort_words
        self.typography = typography

    def fit(self, texts: Any, y: Any = None) -> TextCleaner:
        """Check the parameters; cleaning learns nothing from the texts."""
        clean_texts([], self.mask, self.distort_words, self.typography)
        return self

    def transform(self, texts: Iterable[str]) -> list[str]:
        """Return the cleaned texts (:func:`~attrib.features.cleaning.clean_texts`)."""
        return clean_texts(texts, self.mask, self.distort_words, self.typography)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags


class NgramCounter(Counting, TransformerMixin, BaseEstimator):  # type: ignore[misc]
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

    def fit(self, raw_documents: Sequence[str], y: Any = None) -> NgramCounter:
        """Learn the vocabulary of ``raw_documents``."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Sequence[str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and return the count matrix (documents x n-grams)."""
        texts = text_list(raw_documents)
        if self.hash_bits is not None:
            self.n_features_in_ = 1  # stateless, as HashingVectorizer: nothing to learn
            return self.transform(texts)
        keys, names, counts = learn_vocabulary(self, texts)
        names_array = np.asarray(names, dtype=object)
        order = np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)
        column = np.empty(len(order), dtype=np.int64)
        column[order] = np.arange(len(order))
        counts.indices = column[counts.indices]
        counts.has_sorted_indices = False
        counts.sort_indices()
        kept = kept_columns(counts, self.min_df, self.max_df, self.max_features)
        names_kept = names_array[order][kept].tolist()
        # Kept as one string and where each name ends: what a model file stores, read at once.
        self.names_text_ = "".join(names_kept)
        self.names_ends_ = np.cumsum([len(name) for name in names_kept], dtype=np.int64)
        self._names = np.asarray(names_kept, dtype=object)
        self.hashes_ = keys[order][kept]
        self._index = HashIndex(self.hashes_)
        return counts[:, kept]
