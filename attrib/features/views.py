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

import re
from typing import Any

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline

from attrib.features.counting import NgramCounter
from attrib.features.viewtext import punctuation_view, shape_view

__all__ = ["build_features", "build_hashed_features", "punctuation_view", "shape_view"]


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


def transform_long(features: FeatureUnion, text: str, size: int = CHUNK_CHARS) -> Any:
    """One text's feature row, its n-grams counted piece by piece (see :data:`CHUNK_CHARS`).

    ``features`` is a fitted union from :func:`build_features` or :func:`build_hashed_features`;
    the row is what ``features.transform`` gives for the whole text, but for the n-grams that span
    a cut.
    """
    pieces = text_pieces(text, size)
    rows = []
    for _, view in features.transformer_list:
        counter = view.named_steps["count"]
        counts = sum(
            (scipy.sparse.csr_matrix(counter.transform([piece]).sum(axis=0)) for piece in pieces),
            scipy.sparse.csr_matrix((1, counter.n_features), dtype=np.int64),
        )
        rows.append(view.named_steps["tfidf"].transform(counts))
    return scipy.sparse.hstack(rows, format="csr")


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
