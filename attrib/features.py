"""Feature extraction: character and word n-gram TF-IDF, side by side in one FeatureUnion."""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

#: Names of the FeatureUnion's parts; feature names are prefixed ``char__`` or ``word__``.
FEATURE_KINDS = ("char", "word")


def build_features(
    *,
    char_analyzer: str,
    char_ngram_range: tuple[int, int],
    word_ngram_range: tuple[int, int],
    lowercase: bool,
    sublinear_tf: bool,
    min_df: int | float,
    max_features: int | None,
) -> FeatureUnion:
    """Return the unfitted union of a character and a word n-gram TF-IDF vectorizer."""

    def vectorizer(analyzer: str, ngram_range: tuple[int, int]) -> Any:
        return TfidfVectorizer(
            analyzer=analyzer,
            ngram_range=ngram_range,
            lowercase=lowercase,
            sublinear_tf=sublinear_tf,
            min_df=min_df,
            max_features=max_features,
        )

    return FeatureUnion(
        [
            ("char", vectorizer(char_analyzer, char_ngram_range)),
            ("word", vectorizer("word", word_ngram_range)),
        ]
    )
