"""Bounded cost per input: long tokens cut, long texts counted in pieces (issue 13, item 7)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attrib import train, train_bounded
from attrib.features import cleaning
from attrib.features.cleaning import MAX_TOKEN_CHARS, cap_tokens
from attrib.features.estimators import TextCleaner
from attrib.features.views import CHUNK_CHARS, text_pieces
from attrib.modeling import scoring
from conftest import style_text, write_corpus


def test_a_giant_token_is_cut_to_the_cap() -> None:
    text = "before " + "x" * 1_000_000 + " after"
    assert cap_tokens(text) == "before " + "x" * MAX_TOKEN_CHARS + " after"
    assert TextCleaner(mask="none").transform([text]) == [cap_tokens(text)]


def test_ordinary_words_are_not_touched() -> None:
    text = "An ordinary sentence, with https://example.org/a/b and 2016-05-10.\n"
    assert cap_tokens(text) == text


@pytest.mark.parametrize("size", [7, 16, 50])
def test_pieces_put_back_together_give_the_text(size: int) -> None:
    text = "one two  three\nfour " + "y" * 30 + " five"
    pieces = text_pieces(text, size)
    assert "".join(pieces) == text
    assert all(len(p) <= size for p in pieces)
    # cut after whitespace wherever a piece had some
    assert all(p[-1].isspace() or len(p) == size for p in pieces[:-1])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("long") / "corpus", per_outlet=4)


def long_text(outlet: str) -> str:
    return "\n".join(style_text(outlet, n) for n in range(60))


def test_counting_in_pieces_gives_the_char_view_exactly(corpus: Path) -> None:
    model = train(corpus)
    features = model.pipeline.named_steps["features"]
    text = long_text("alpha")
    whole = features.transform([text]).toarray()[0]
    pieced = model.scorer.long_features(text, size=500).toarray()[0]
    char = slice(0, len(features.transformer_list[0][1].named_steps["count"].vocabulary_))
    assert np.allclose(whole[char], pieced[char])  # words never span a cut
    assert float(whole @ pieced) > 0.99  # only n-grams across a cut differ
    assert not np.allclose(whole, pieced)  # and they do: the pieces were really used


def test_a_long_text_gets_nearly_the_same_scores(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = train(corpus)
    texts = [long_text("beta"), style_text("gamma", 3)]
    before = model.scores(texts)
    monkeypatch.setattr(scoring, "CHUNK_CHARS", 1000)  # the long text in 27 pieces
    after = model.scores(texts)
    assert after[1] == before[1]  # the short text is read as before
    assert after[0] != before[0]  # the long one in pieces
    for outlet, score in before[0].items():
        assert after[0][outlet] == pytest.approx(score, abs=0.02)
    assert max(after[0], key=after[0].__getitem__) == "beta"


def test_a_bounded_model_reads_long_texts_in_pieces_too(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = train_bounded(corpus, batch_size=4)
    text = long_text("gamma")
    before = model.scores([text])[0]
    monkeypatch.setattr(scoring, "CHUNK_CHARS", 400)
    after = model.scores([text])[0]
    for outlet, score in before.items():
        assert after[outlet] == pytest.approx(score, abs=0.02)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab x\t\n\u00a0\u2028")), max_size=40))
def test_a_long_text_collapses_its_spaces_as_a_short_one(text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cleaning, "_SPLIT_CHARS", 4)  # pieces of 4 characters
        assert cleaning.collapse_spaces(text) == " ".join(text.split())
        assert cleaning.cap_tokens(text + "y" * 120) == cleaning._LONG_TOKENS.sub(
            r"\1", text + "y" * 120
        )


def test_a_long_text_counts_its_words_in_pieces_exactly() -> None:
    from attrib.modeling.openset import _WORD, word_count

    text = " ".join(style_text("gamma", n) for n in range(2500))
    assert len(text) > 2 * CHUNK_CHARS
    assert word_count(text) == len(_WORD.findall(text))
