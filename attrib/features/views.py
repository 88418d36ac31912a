"""Feature extraction: four views of a text's n-grams, side by side in one FeatureUnion.

``char``
    Character 2-5-grams within word boundaries, lower-cased: spelling, affixes, short words.
``word``
    Word 1-2-grams: vocabulary and phrasing (the most topic-laden view).
``punct``
    Character 1-4-grams of the *punctuation view*, where every word is ``w`` and every number
    ``d``: quotes, dashes, commas, paragraph breaks and how they sit between words.
``shape``
    Character 2-4-grams of the *shape view*, where capitals are ``X``, small letters ``x`` (runs
    of three or more shortened to ``xxx``) and digits ``d``: capitalisation, headline case,
    number and date formats.

The last two are style without vocabulary; on the development set they raise 5-fold macro-F1
with signatures masked from 0.72 to 0.81 (``bench/masking.py``).
"""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline

from attrib.features.counting import CHUNK_CHARS, text_pieces
from attrib.features.estimators import NgramCounter
from attrib.features.viewtext import punctuation_view, shape_view

__all__ = [
    "CHUNK_CHARS",
    "build_features",
    "build_hashed_features",
    "punctuation_view",
    "shape_view",
    "text_pieces",
]


def _views(
    *,
    char_analyzer: str,
    char_ngram_range: tuple[int, int],
    word_ngram_range: tuple[int, int],
    punct_ngram_range: tuple[int, int] | None,
    shape_ngram_range: tuple[int, int] | None,
    lowercase: bool,
    **unused: Any,
) -> list[tuple[str, dict[str, Any]]]:
    """Each view's name and the counter parameters that define it."""
    views: list[tuple[str, dict[str, Any]]] = [
        ("char", {"view": char_analyzer, "ngram_range": char_ngram_range}),
        ("word", {"view": "word", "ngram_range": word_ngram_range}),
    ]
    if punct_ngram_range is not None:
        views.append(("punct", {"view": "punct", "ngram_range": punct_ngram_range}))
    if shape_ngram_range is not None:
        views.append(("shape", {"view": "shape", "ngram_range": shape_ngram_range}))
    for _, parameters in views:
        parameters["lowercase"] = lowercase and parameters["view"] not in ("punct", "shape")
    return views


def build_features(
    *, sublinear_tf: bool, min_df: int | float, max_features: int | None, **options: Any
) -> FeatureUnion:
    """Return the unfitted union of the views; a ``None`` range leaves a view out.

    Each view is a pipeline of ``count`` (an :class:`~attrib.features.counting.NgramCounter`: the
    matrix scikit-learn's ``CountVectorizer`` would give, computed in bulk) and ``tfidf`` (a
    ``TfidfTransformer``): together, what a ``TfidfVectorizer`` computes. ``options`` are the
    views' settings: ``char_analyzer``, ``char_ngram_range``, ``word_ngram_range``,
    ``punct_ngram_range``, ``shape_ngram_range`` and ``lowercase``.
    """
    return FeatureUnion(
        [
            (
                name,
                Pipeline(
                    [
                        (
                            "count",
                            NgramCounter(**view, min_df=min_df, max_features=max_features),
                        ),
                        ("tfidf", TfidfTransformer(sublinear_tf=sublinear_tf)),
                    ]
                ),
            )
            for name, view in _views(**options)
        ]
    )


def build_hashed_features(*, hash_bits: int, sublinear_tf: bool, **options: Any) -> FeatureUnion:
    """The same views, each hashed into ``2**hash_bits`` columns: no vocabulary to hold.

    Each view is a pipeline of ``count`` (an :class:`~attrib.features.counting.NgramCounter` with
    ``hash_bits``) and ``tfidf`` (a TfidfTransformer whose ``idf_`` the bounded trainer sets from
    counted document frequencies); see :mod:`attrib.scale.bounded`. Options that only the
    vocabulary of the default features uses (``min_df``, ``max_features``) are ignored.
    """
    return FeatureUnion(
        [
            (
                name,
                Pipeline(
                    [
                        ("count", NgramCounter(**view, hash_bits=hash_bits)),
                        ("tfidf", TfidfTransformer(sublinear_tf=sublinear_tf)),
                    ]
                ),
            )
            for name, view in _views(**options)
        ]
    )
