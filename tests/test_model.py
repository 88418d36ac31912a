from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline

from attrib import DEFAULTS, Model, OptionError, build_pipeline, load_corpus, train
from conftest import style_text


@pytest.fixture(scope="module")
def model() -> Model:
    return train()  # the bundled corpus


def test_build_pipeline_returns_an_unfitted_sklearn_pipeline() -> None:
    pipeline = build_pipeline()
    params = pipeline.get_params()
    assert isinstance(pipeline, Pipeline)
    assert [name for name, _ in pipeline.steps] == ["clean", "features", "classifier"]
    assert params["clean__mask"] == "signatures"
    assert params["features__char__count__ngram_range"] == DEFAULTS["char_ngram_range"]
    assert params["clean__typography"] == "plain"
    assert params["features__char__tfidf__sublinear_tf"] is DEFAULTS["sublinear_tf"] is False
    assert params["features__word__tfidf__sublinear_tf"] is False
    assert not hasattr(pipeline, "classes_")
    assert clone(pipeline).get_params()["classifier__C"] == DEFAULTS["C"]


def test_build_pipeline_applies_overrides() -> None:
    params = build_pipeline(char_ngram_range=(1, 3), C=5).get_params()
    assert params["features__char__count__ngram_range"] == (1, 3)
    assert params["classifier__C"] == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ngrams": 3}, "unknown model option"),
        ({"char_ngram_range": (3, 2)}, r"char_ngram_range must be \(low, high\) with low <= high"),
        ({"char_ngram_range": (0, 2)}, "each a whole number from 1 to 20"),
        ({"word_ngram_range": None}, r"word_ngram_range must be \(low, high\)"),
        ({"mask": "all"}, "mask must be one of none, signatures, distort"),
        ({"C": 0}, "C must be a number greater than 0"),
        ({"C": float("nan")}, "C must be a number greater than 0"),
        ({"max_features": 0}, "max_features must be a whole number of at least 1"),
        ({"lowercase": 1}, "lowercase must be True or False"),
        ({"class_weight": "even"}, "class_weight must be one of balanced, None"),
    ],
    ids=lambda v: str(v),
)
def test_build_pipeline_refuses_bad_options(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        build_pipeline(**overrides)


def test_pipeline_works_as_a_plain_estimator(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    scores = cross_val_score(build_pipeline(), corpus.texts, corpus.labels, cv=3)
    assert scores.mean() == 1.0  # three made-up outlets with blatant habits
    grid = [0.01, 100]
    search = GridSearchCV(build_pipeline(), {"classifier__C": grid}, cv=3, scoring="neg_log_loss")
    search.fit(corpus.texts, corpus.labels)
    # The oracle: scikit-learn's own cross-validation of each setting, the best one chosen by hand.
    by_hand = [
        cross_val_score(
            build_pipeline(C=c), corpus.texts, corpus.labels, cv=3, scoring="neg_log_loss"
        )
        for c in grid
    ]
    assert search.cv_results_["mean_test_score"] == pytest.approx([s.mean() for s in by_hand])
    assert search.best_params_["classifier__C"] == grid[int(np.argmax([s.mean() for s in by_hand]))]


def test_model_attributes_new_text_in_a_known_style(corpus_dir: Path) -> None:
    model = train(corpus_dir)
    texts = [style_text(outlet, 777) for outlet in ("alpha", "beta", "gamma")]
    assert model.predict(texts) == ["alpha", "beta", "gamma"]


def test_training_is_deterministic(model: Model) -> None:
    texts = ["Russia and the US discussed Syria on Friday.", "A short text."]
    again = train()
    assert again.scores(texts) == model.scores(texts)


def test_metadata_describes_the_training(model: Model) -> None:
    metadata = model.metadata
    assert metadata["labels"] == ["presstv", "rt", "sputnik", "tass"]
    assert metadata["corpus"]["fingerprint"] == load_corpus().fingerprint
    assert metadata["corpus"]["documents"] == 5
    assert metadata["options"]["char_ngram_range"] == list(DEFAULTS["char_ngram_range"])


def test_prediction_orders_scores_best_first(model: Model) -> None:
    (prediction,) = model.predictions(["Moscow said on Friday that talks would go on."])
    values = list(prediction.scores.values())
    assert values == sorted(values, reverse=True)
    assert prediction.best == max(prediction.scores, key=prediction.scores.__getitem__)
    assert prediction.runner_up == list(prediction.scores)[1]
    # Nine words: too short to judge, so the answer is unknown, with the scores kept.
    assert prediction.outlet == "unknown"
    assert prediction.reason == "too short to judge: 9 words, attrib needs at least 50"


def recipe() -> str:
    return (
        "Preheat the oven to 180 degrees. Cream the butter and sugar until pale and fluffy, "
        "then beat in the eggs one at a time. Fold in the flour and a pinch of salt, pour the "
        "batter into a lined tin and bake for 25 minutes, until a skewer comes out clean. "
        "Leave to cool before icing."
    )


def test_a_recipe_is_unknown(model: Model) -> None:
    (prediction,) = model.predictions([recipe()])
    assert prediction.outlet == "unknown"
    assert prediction.reason is not None
    assert prediction.reason.startswith("too unlike the training corpus")


def test_a_news_text_gets_an_answer_and_the_margin_is_settable(model: Model) -> None:
    text = Path(__file__).parents[1].joinpath("corpus/tass/001_492b593deee7ba14.txt")
    (answered,) = model.predictions([text.read_text(encoding="utf-8")])
    assert answered.outlet == "tass"
    (strict,) = model.predictions([text.read_text(encoding="utf-8")], thresholds={"min_margin": 1})
    assert strict.outlet == "unknown"
    assert strict.reason is not None and strict.reason.startswith("no clear winner")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gets_an_outlet_or_unknown_with_a_reason(model: Model, text: str) -> None:
    (prediction,) = model.predictions([text])
    assert np.isclose(sum(prediction.scores.values()), 1.0)
    if prediction.outlet == "unknown":
        assert prediction.reason
    else:
        assert prediction.outlet in model.labels and prediction.reason is None


def test_a_single_string_is_refused(model: Model) -> None:
    with pytest.raises(TypeError, match="not a single string"):
        model.scores("one text")  # type: ignore[arg-type]


def test_no_texts_give_no_scores(model: Model) -> None:
    assert model.scores([]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_scores_are_probabilities_summing_to_one(model: Model, texts: list[str]) -> None:
    for scores in model.scores(texts):
        assert set(scores) == set(model.labels)
        assert all(0.0 <= s <= 1.0 for s in scores.values())
        assert np.isclose(sum(scores.values()), 1.0, atol=1e-9)


def test_the_cli_and_the_library_take_their_limits_from_one_table() -> None:
    from click.testing import CliRunner

    from attrib.cli import cli
    from attrib.options import OPTIONS

    params = {
        (command, p.name): p
        for command in ("train", "predict", "evaluate")
        for p in cli.commands[command].params
    }
    for (command, name), param in params.items():
        if name in OPTIONS and param.default is not None:
            assert param.default == OPTIONS[name].default, (command, name)
    # A bound moved in the table moves in the CLI: the CLI has no limit of its own.
    OPTIONS["epochs"] = OPTIONS["epochs"].__class__("int", 5, 1, 3)
    try:
        result = CliRunner().invoke(cli, ["train", "--bounded", "--epochs", "4"])
        assert result.exit_code == 2
        assert "must be a whole number from 1 to 3, not 4" in result.stderr
    finally:
        from attrib.options import BOUNDED_OPTIONS

        OPTIONS["epochs"] = BOUNDED_OPTIONS["epochs"]
