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
from functools import partial
from typing import Any

import scipy.sparse
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.pipeline import FeatureUnion, Pipeline

_TOKENS = re.compile(r"(\d+)|[^\W\d_]+")  # a number, or a word
_LETTERS_OR_DIGITS = re.compile(r"[^\W_]+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_LONG_LOWER = re.compile(r"x{3,}")


def _punct_token(match: re.Match[str]) -> str:
    return "d" if match.group(1) else "w"


def _shape_char(match: re.Match[str]) -> str:
    return "".join("d" if ch.isdecimal() else "X" if ch.isupper() else "x" for ch in match.group())


def punctuation_view(text: str) -> str:
    """Words become ``w`` and numbers ``d``; spaces, line breaks and punctuation stay."""
    return _TOKENS.sub(_punct_token, text)


def shape_view(text: str) -> str:
    """Capitals become ``X``, small letters ``x`` (3+ in a row: ``xxx``) and digits ``d``."""
    return _LONG_LOWER.sub("xxx", _LETTERS_OR_DIGITS.sub(_shape_char, text))


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
    """Each view's name and the vectorizer parameters that define it."""
    views: list[tuple[str, dict[str, Any]]] = [
        ("char", {"analyzer": char_analyzer, "ngram_range": char_ngram_range}),
        ("word", {"analyzer": "word", "ngram_range": word_ngram_range}),
    ]
    if punct_ngram_range is not None:
        view = {"preprocessor": punctuation_view, "lowercase": False}
        views.append(("punct", {"analyzer": "char", "ngram_range": punct_ngram_range, **view}))
    if shape_ngram_range is not None:
        view = {"preprocessor": shape_view, "lowercase": False}
        views.append(("shape", {"analyzer": "char", "ngram_range": shape_ngram_range, **view}))
    for _, parameters in views:
        parameters.setdefault("lowercase", lowercase)
    return views


#: Longest piece of one text whose n-grams are counted at once. scikit-learn's analyzers list
#: every n-gram of a document before counting it (about 240 bytes per character with the four
#: views: 4.7 GB for a 20 MB text), so a longer text is counted piece by piece, cut at
#: whitespace, and the counts added up. News articles are far shorter; for a longer text, only
#: the few word and punctuation n-grams that span a cut are lost (bench/worst_case.py).
CHUNK_CHARS = 262_144

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

    ``features`` is a fitted union from :func:`build_features` (TF-IDF vectorizers) or
    :func:`build_hashed_features` (hashers with TF-IDF); the row is what ``features.transform``
    gives for the whole text, but for the n-grams that span a cut.
    """
    pieces = text_pieces(text, size)
    rows = []
    for _, view in features.transformer_list:
        if isinstance(view, Pipeline):  # hashed: counting, then TF-IDF
            counter, weighting = view.named_steps["hash"].transform, view.named_steps["tfidf"]
        else:  # a TF-IDF vectorizer: its counting, then a weighting with its fitted IDF
            counter = partial(CountVectorizer.transform, view)
            weighting = TfidfTransformer(
                norm=view.norm,
                use_idf=view.use_idf,
                smooth_idf=view.smooth_idf,
                sublinear_tf=view.sublinear_tf,
            )
            if view.use_idf:
                weighting.idf_ = view.idf_
        counts = scipy.sparse.csr_matrix(counter(pieces).sum(axis=0))
        rows.append(weighting.transform(counts))
    return scipy.sparse.hstack(rows, format="csr")


def build_features(
    *, sublinear_tf: bool, min_df: int | float, max_features: int | None, **options: Any
) -> FeatureUnion:
    """Return the unfitted union of the TF-IDF vectorizers; a ``None`` range leaves a view out.

    ``options`` are the views' settings: ``char_analyzer``, ``char_ngram_range``,
    ``word_ngram_range``, ``punct_ngram_range``, ``shape_ngram_range`` and ``lowercase``.
    """
    tfidf = {"sublinear_tf": sublinear_tf, "min_df": min_df, "max_features": max_features}
    return FeatureUnion(
        [(name, TfidfVectorizer(**tfidf, **view)) for name, view in _views(**options)]
    )


def build_hashed_features(*, hash_bits: int, sublinear_tf: bool, **options: Any) -> FeatureUnion:
    """The same views, each hashed into ``2**hash_bits`` columns: no vocabulary to hold.

    Each view is a pipeline of ``hash`` (a HashingVectorizer counting n-grams) and ``tfidf``
    (a TfidfTransformer whose ``idf_`` the bounded trainer sets from counted document
    frequencies); see :mod:`attrib.scale.bounded`. Options that only the vocabulary of the default
    features uses (``min_df``, ``max_features``) are ignored.
    """
    views = _views(**options)
    return FeatureUnion(
        [
            (
                name,
                Pipeline(
                    [
                        (
                            "hash",
                            HashingVectorizer(
                                n_features=2**hash_bits, alternate_sign=False, norm=None, **view
                            ),
                        ),
                        ("tfidf", TfidfTransformer(sublinear_tf=sublinear_tf)),
                    ]
                ),
            )
            for name, view in views
        ]
    )
