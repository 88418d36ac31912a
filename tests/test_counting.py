"""The vectorised counter against its oracle, scikit-learn's CountVectorizer."""

from __future__ import annotations

import itertools
import pickle
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline

import attrib
from attrib.features import counting, hashing
from attrib.features.counting import HashCollisionError
from attrib.features.estimators import NgramCounter
from attrib.features.hashing import HashIndex
from attrib.features.views import CHUNK_CHARS
from attrib.modeling.openset import coverage, coverage_ngrams
from attrib.reading.corpus import load_corpus
from conftest import STYLES, style_text, write_corpus

# Every kind of whitespace, combining marks, digits of other scripts, letters whose case
# changes their length or depends on context, the views' own letters, and anything else.
SPECIAL = list(
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f"
    "\u3000\u200b\ufeff"  # whitespace, and two characters that look like it but are not
    "\u0301\u0308\u20dd"  # combining marks
    "0123456789\u0663\u0967\u096f\uff11\u00b2\u00bd\u2460"  # digits, decimal or not
    "\u0130\u03a3\u03c2\u1e9e\u01c5\ufb01\u0149"  # İ Σ ς ẞ ǅ ﬁ ŉ
    "wdxXW_-.,;:'\"\u201c\u201d\u2019\u2013\u2014/()\u00a7"
)
TEXT = st.text(alphabet=st.one_of(st.sampled_from(SPECIAL), st.characters()), max_size=60)
WORDY = st.lists(
    st.sampled_from(["the", "The", "ab", "a", "xxxx", "İstanbul", "ΣΑΣ", "42", "٣٤", "x1y"]) | TEXT,
    max_size=12,
).map(" ".join)
TEXTS = st.lists(TEXT | WORDY, min_size=1, max_size=6)

VIEWS = [
    ("char_wb", (2, 5)),
    ("char_wb", (1, 3)),
    ("char_wb", (4, 6)),
    ("char", (2, 5)),
    ("char", (1, 2)),
    ("word", (1, 2)),
    ("word", (1, 1)),
    ("word", (2, 3)),
    ("punct", (1, 4)),
    ("shape", (2, 4)),
    ("shape", (1, 1)),
]
IDS = [f"{view}{low}-{high}" for view, (low, high) in VIEWS]


def assert_same(counter: NgramCounter, fit_texts: list[str], other: list[str]) -> None:
    """Fit and transform equal the reference CountVectorizer's, names and counts."""
    reference = counter.reference()
    try:
        expected = reference.fit_transform(fit_texts)
    except ValueError as error:  # an empty vocabulary: the counter must refuse it the same way
        with pytest.raises(ValueError, match=re.escape(str(error))):
            counter.fit_transform(fit_texts)
        return
    got = counter.fit_transform(fit_texts)
    assert got.dtype == np.int64
    assert counter.get_feature_names_out().tolist() == reference.get_feature_names_out().tolist()
    assert got.shape == expected.shape and (got != expected).nnz == 0
    assert (counter.transform(other) != reference.transform(other)).nnz == 0


@pytest.mark.parametrize(("view", "ngram_range"), VIEWS, ids=IDS)
@pytest.mark.parametrize("lowercase", [True, False], ids=["lower", "case"])
@settings(max_examples=60, deadline=None)
@given(texts=TEXTS, other=TEXTS)
def test_counts_equal_scikit_learns_on_any_unicode(
    view: str, ngram_range: tuple[int, int], lowercase: bool, texts: list[str], other: list[str]
) -> None:
    assert_same(NgramCounter(view=view, ngram_range=ngram_range, lowercase=lowercase), texts, other)


def generated_texts() -> list[str]:
    texts = [style_text(outlet, n) for outlet in STYLES for n in range(12)]
    texts += [attrib.load_corpus().documents[i].text for i in range(5)]
    return [*texts, "", "a", "  ", "\u00a0x\u00a0"]


@pytest.mark.parametrize(("view", "ngram_range"), VIEWS, ids=IDS)
def test_counts_equal_scikit_learns_on_articles(view: str, ngram_range: tuple[int, int]) -> None:
    texts = generated_texts()
    assert_same(NgramCounter(view=view, ngram_range=ngram_range), texts, texts[::-1])


@pytest.mark.parametrize(
    "pruning",
    [
        {"max_features": 50},  # many ties among the totals: broken as scikit-learn breaks them
        {"max_features": 1},
        {"min_df": 2},
        {"min_df": 0.2, "max_df": 0.9},
        {"max_df": 3},
        {"min_df": 2, "max_features": 300},
    ],
    ids=str,
)
@pytest.mark.parametrize("view", ["char_wb", "word", "punct"])
def test_pruning_keeps_what_scikit_learn_keeps(view: str, pruning: dict[str, float]) -> None:
    texts = generated_texts()
    assert_same(NgramCounter(view=view, ngram_range=(1, 3), **pruning), texts, texts)


def test_pruning_errors_are_scikit_learns() -> None:
    texts = generated_texts()
    for pruning in ({"min_df": 0.9, "max_df": 0.1}, {"min_df": 1000}):
        assert_same(NgramCounter(view="word", **pruning), texts, texts)


def test_batches_do_not_change_the_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = generated_texts()
    whole = NgramCounter(view="char_wb").fit(texts)
    expected = whole.transform(texts)
    # One text per batch, and texts split across many batches: same vocabulary, same counts.
    monkeypatch.setattr(counting, "BATCH_CHARS", {"other": 10})
    small = NgramCounter(view="char_wb")
    assert (small.fit_transform(texts) != expected).nnz == 0
    assert small.get_feature_names_out().tolist() == whole.get_feature_names_out().tolist()
    assert (small.transform(texts) != expected).nnz == 0


def test_character_classes_are_pythons() -> None:
    every = np.array([c for c in range(0x110000) if not 0xD800 <= c < 0xE000])
    bits = hashing.flags(every)
    text = "".join(map(chr, every.tolist()))
    for flag, pattern in ((hashing.SPACE, r"\s"), (hashing.WORD, r"\w"), (hashing.DECIMAL, r"\d")):
        expected = np.zeros(len(every), dtype=bool)
        expected[[m.start() for m in re.finditer(pattern, text)]] = True
        assert np.array_equal((bits & flag) != 0, expected), pattern
    split = {c for c in range(0x110000) if len(f"a{chr(c)}b".split()) == 2}
    assert split == {int(c) for c in every[(bits & hashing.SPACE) != 0]}
    upper = np.array([chr(c).isupper() for c in every.tolist()])
    assert np.array_equal((bits & hashing.UPPER) != 0, upper)


def test_lone_surrogates_are_counted_as_python_keeps_them() -> None:
    texts = ["ab\udc80cd \ud800", "x\udfff"]
    assert_same(NgramCounter(view="char_wb", ngram_range=(1, 3)), texts, texts)
    assert_same(NgramCounter(view="punct"), texts, texts)


def test_a_vocabulary_collision_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Make the second hash disagree with the first for repeated n-grams, as a collision would.
    grams = NgramCounter.grams
    calls = itertools.count()

    def colliding(self: NgramCounter, texts: list[str], seed: int = 0) -> hashing.Grams:
        found = grams(self, texts, seed)
        if seed == 1:  # never the same twice
            found.keys = np.arange(len(found.keys), dtype=np.uint64) + np.uint64(1000 * next(calls))
        return found

    monkeypatch.setattr(NgramCounter, "grams", colliding)
    with pytest.raises(HashCollisionError, match="same 64-bit hash"):
        NgramCounter(view="word", ngram_range=(1, 1)).fit(["the cat and the dog"])
    # Across batches too: each batch alone has no repeat.
    monkeypatch.setattr(counting, "BATCH_CHARS", {"other": 3})
    with pytest.raises(HashCollisionError):
        NgramCounter(view="word", ngram_range=(1, 1)).fit(["cat", "cat"])


def test_no_collisions_on_the_bundled_corpus_with_either_hash() -> None:
    texts = generated_texts()
    for seed in (0, 1):
        grams = NgramCounter(view="char_wb").grams(texts, seed=seed)
        strings = grams.spell(np.arange(len(grams.keys)))
        pairs = set(zip(grams.keys.tolist(), strings, strict=True))
        assert len({key for key, _ in pairs}) == len(pairs) == len(set(strings))


def test_hashed_columns_come_from_the_same_hashes() -> None:
    texts = generated_texts()
    counter = NgramCounter(view="char_wb", hash_bits=12)
    counts = counter.fit_transform(texts)
    assert counts.shape == (len(texts), 4096)
    analyzer = counter.build_analyzer()
    grams = counter.grams(texts)
    column_of = dict(
        zip(
            grams.spell(np.arange(len(grams.keys))),
            (grams.keys >> np.uint64(52)).astype(np.int64).tolist(),
            strict=True,
        )
    )
    for i, text in enumerate(texts):
        expected = Counter(column_of[g] for g in analyzer(text))
        row = counts[i]
        assert dict(zip(row.indices.tolist(), row.data.tolist(), strict=True)) == expected
    with pytest.raises(AttributeError, match="no feature names"):
        counter.get_feature_names_out()


def test_the_hash_index_finds_every_key_and_nothing_else() -> None:
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**63, 5000, dtype=np.uint64) << np.uint64(1))
    index = HashIndex(keys)
    assert np.array_equal(index.lookup(keys), np.arange(len(keys)))
    others = keys + np.uint64(1)  # odd: never a key
    assert (index.lookup(others) == -1).all()
    # Keys that share their first slot still find their own.
    crowded = np.arange(1, 200, dtype=np.uint64)  # all in slot 0
    assert np.array_equal(HashIndex(crowded).lookup(crowded[::-1]), np.arange(199)[::-1])
    assert (HashIndex(crowded).lookup(np.array([0, 500], dtype=np.uint64)) == -1).all()


def old_features(pipeline: Pipeline) -> FeatureUnion:
    """The union attrib built before its own counter: a TfidfVectorizer per view."""
    views = []
    for kind, view in pipeline.named_steps["features"].transformer_list:
        reference = view.named_steps["count"].reference()
        settings = {k: v for k, v in reference.get_params().items() if k != "dtype"}
        views.append((kind, TfidfVectorizer(**settings, **view.named_steps["tfidf"].get_params())))
    return FeatureUnion(views)


def test_a_model_scores_as_one_with_scikit_learns_analyzers(tmp_path: Path) -> None:
    corpus = load_corpus(write_corpus(tmp_path / "corpus", per_outlet=4))
    new = attrib.build_pipeline(max_features=60)
    old = clone(new)
    old.steps[1] = ("features", old_features(new))
    new.fit(corpus.texts, corpus.labels)
    old.fit(corpus.texts, corpus.labels)
    probes = [style_text(outlet, 40) for outlet in STYLES] + generated_texts()
    assert np.allclose(new.predict_proba(probes), old.predict_proba(probes), rtol=0, atol=1e-12)
    assert (
        new.named_steps["features"].get_feature_names_out().tolist()
        == old.named_steps["features"].get_feature_names_out().tolist()
    )


def test_the_counter_is_a_scikit_learn_estimator(tmp_path: Path) -> None:
    texts = generated_texts()
    counter = NgramCounter(view="word", ngram_range=(1, 2), max_features=40)
    assert clone(counter).get_params() == counter.get_params()
    counter.fit(texts)
    restored = pickle.loads(pickle.dumps(counter))
    assert (restored.transform(texts) != counter.transform(texts)).nnz == 0
    assert not {"_index", "_names"} & set(pickle.loads(pickle.dumps(counter)).__dict__)
    assert restored.get_feature_names_out().tolist() == counter.get_feature_names_out().tolist()
    corpus = load_corpus(write_corpus(tmp_path / "corpus", per_outlet=4))
    search = GridSearchCV(
        attrib.build_pipeline(),
        {"features__char__count__ngram_range": [(2, 3), (2, 4)]},
        cv=2,
    )
    search.fit(corpus.texts, corpus.labels)
    assert search.best_params_["features__char__count__ngram_range"] in [(2, 3), (2, 4)]


def test_a_string_is_refused_as_scikit_learn_refuses_it() -> None:
    with pytest.raises(ValueError, match="string object received"):
        NgramCounter().fit("one text")


def test_coverage_from_hashes_equals_coverage_from_strings(tmp_path: Path) -> None:
    model = attrib.train(write_corpus(tmp_path / "corpus", per_outlet=4))
    vocabulary = model.pipeline.named_steps["features"].transformer_list[0][1]
    vocabulary = vocabulary.named_steps["count"].vocabulary_
    long = " ".join(style_text("beta", n) for n in range(3000))  # read in pieces
    texts = [*generated_texts(), long, "ΣΑΣ İstanbul the ministry said"]
    cleaned = model.pipeline.named_steps["clean"].transform(texts)
    assert len(cleaned[-2]) > CHUNK_CHARS
    expected = [coverage(coverage_ngrams(text), vocabulary) for text in cleaned]
    assert model.coverage(cleaned) == pytest.approx(expected, abs=1e-12)
    assert max(expected) == 1.0 and any(0 < share < 1 for share in expected)
