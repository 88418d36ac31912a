"""The scorer computes what the scikit-learn pipeline computes, from the pipeline's data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from attrib import Model, train
from attrib.modeling.pipeline import rebuild_pipeline
from attrib.modeling.scoring import Scorer
from attrib.scale.bounded import train_bounded
from conftest import STYLES, style_text, write_corpus

TEXTS = [
    *(style_text(outlet, 9) for outlet in STYLES),
    "Nothing here was ever seen: qqqq zzzz",
    "",
    "Moscow and Washington discussed a ceasefire, officials said.",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("scoring") / "corpus", per_outlet=3)


def agree(model: Model, texts: list[str] = TEXTS) -> None:
    ours = model.scorer.probabilities(model.featurize(texts)[1])
    theirs = model.pipeline.predict_proba(texts)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= 1e-12
    assert np.allclose(ours.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    "options",
    [{}, {"sublinear_tf": True}, {"punct_ngram_range": None}, {"char_analyzer": "char"}],
    ids=lambda o: ",".join(o) or "default",
)
def test_multinomial_scores_are_the_pipelines(corpus: Path, options: dict[str, object]) -> None:
    model = train(corpus, **options)
    steps = model.pipeline.named_steps
    features = steps["features"].transform(steps["clean"].transform(TEXTS))
    assert abs(model.featurize(TEXTS)[1] - features).max() <= 1e-12
    agree(model)


def test_two_outlets_use_one_row_of_weights(tmp_path: Path) -> None:
    model = train(write_corpus(tmp_path / "two", outlets=("alpha", "beta")))
    assert model.scorer.linear.coef.shape[0] == 1
    agree(model)


def test_bounded_one_versus_rest_scores_are_the_pipelines(corpus: Path) -> None:
    agree(train_bounded(corpus, hash_bits=12, coverage_bits=16, batch_size=4))


@pytest.mark.parametrize("scale", [1e3, -1e3])
def test_extreme_weights_give_probabilities_not_nan(corpus: Path, scale: float) -> None:
    """Decision values in the thousands overflow exp() unless handled as scikit-learn does."""
    for model in (train(corpus), train_bounded(corpus, hash_bits=12, coverage_bits=16)):
        pipeline = model.pipeline
        classifier = clone(pipeline.named_steps["classifier"])
        tilted = model.scorer.linear.coef * scale
        classifier.coef_, classifier.intercept_ = tilted, model.scorer.linear.intercept * scale
        classifier.classes_ = pipeline.named_steps["classifier"].classes_
        classifier.n_features_in_ = tilted.shape[1]
        pipeline.steps[-1] = ("classifier", classifier)
        extreme = Model(pipeline, model.metadata, model.seen)
        assert np.isfinite(extreme.scorer.probabilities(extreme.featurize(TEXTS)[1])).all()
        agree(extreme)


def test_a_rebuilt_pipeline_is_the_trained_one(corpus: Path) -> None:
    model = train(corpus)
    rebuilt = rebuild_pipeline(Scorer.from_pipeline(model.pipeline), model.options)
    assert np.abs(rebuilt.predict_proba(TEXTS) - model.pipeline.predict_proba(TEXTS)).max() == 0
    assert rebuilt.get_params()["classifier__C"] == model.options["C"]
    outlets = sorted(STYLES)
    texts = [style_text(outlet, n) for outlet in outlets for n in range(3)]
    refit = clone(rebuilt).fit(texts, [outlet for outlet in outlets for _ in range(3)])
    assert list(refit.classes_) == outlets
