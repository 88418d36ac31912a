from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attrib import build_pipeline
from attrib.features.spans import ngram_spans

VECTORIZERS = [
    (kind, view.named_steps["count"])
    for kind, view in build_pipeline(char_ngram_range=(1, 4))
    .named_steps["features"]
    .transformer_list
]
TEXTS = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("abcXYZ019 .,;:'\"“”’–—-/()§\n\t  İΣς")), st.characters()
    ),
    max_size=80,
)


@pytest.mark.parametrize(("kind", "vectorizer"), VECTORIZERS, ids=[k for k, _ in VECTORIZERS])
@settings(max_examples=150, deadline=None)
@given(text=TEXTS)
def test_spans_yield_exactly_the_vectorizers_ngrams(
    kind: str, vectorizer: object, text: str
) -> None:
    spans = ngram_spans(vectorizer, text)
    expected = vectorizer.build_analyzer()(text)  # type: ignore[attr-defined]
    assert Counter(g for g, _, _ in spans) == Counter(expected)
    assert all(0 <= start <= end <= len(text) for _, start, end in spans)


def test_char_spans_point_at_the_characters() -> None:
    char = dict(VECTORIZERS)["char"]
    spans = {(g, s, e) for g, s, e in ngram_spans(char, "Hi  TASS!")}
    assert (" ta", 4, 6) in spans  # padding at the word start: the span starts at the word
    assert ("ss!", 6, 9) in spans
    assert ("s! ", 7, 9) in spans


def test_view_spans_map_words_back_to_the_text() -> None:
    punct = dict(VECTORIZERS)["punct"]
    spans = {(g, s, e) for g, s, e in ngram_spans(punct, "He said: “No.”")}
    assert ("w:", 3, 8) in spans  # "said:" is one word and a colon
    assert ("“w.”", 9, 14) in spans


def test_word_spans_cover_their_tokens() -> None:
    word = dict(VECTORIZERS)["word"]
    text = "The Kremlin said it"
    assert ("kremlin said", 4, 16) in set(ngram_spans(word, text))


@settings(max_examples=150, deadline=None)
@given(text=TEXTS)
def test_coverage_ngrams_are_the_char_views_5_grams(text: str) -> None:
    from attrib.modeling.openset import COVERAGE_N, coverage_ngrams

    char = build_pipeline().named_steps["features"].transformer_list[0][1].named_steps["count"]
    expected = [g for g in char.build_analyzer()(text) if len(g) == COVERAGE_N]
    assert list(coverage_ngrams(text)) == expected
