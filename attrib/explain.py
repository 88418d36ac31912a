"""What a model learned: the features that weigh most for each outlet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attrib.model import Model


@dataclass(frozen=True)
class Feature:
    """One n-gram feature and its weight for one outlet."""

    kind: str
    ngram: str
    weight: float

    @property
    def name(self) -> str:
        """The feature as the pipeline names it, e.g. ``char__ ta``."""
        return f"{self.kind}__{self.ngram}"


def feature_names(model: Model) -> tuple[list[str], list[str]]:
    """The kind (``char``, ``word``, ...) and the n-gram of every column of the model."""
    names = model.pipeline.named_steps["features"].get_feature_names_out()
    kinds, ngrams = zip(*(name.split("__", 1) for name in names), strict=True)
    return list(kinds), list(ngrams)


def outlet_weights(model: Model) -> dict[str, np.ndarray]:
    """Each outlet's weight vector: its decision value is ``features @ weights + intercept``."""
    classifier = model.pipeline.named_steps["classifier"]
    coef = np.asarray(classifier.coef_)
    if coef.shape[0] == 1:  # binary: one row for the second class, its negative for the first
        coef = np.vstack([-coef[0], coef[0]])
    return {label: coef[i] for i, label in enumerate(model.labels)}


def top_features(model: Model, n: int = 20) -> dict[str, list[Feature]]:
    """The ``n`` features pushing hardest towards each outlet, strongest first."""
    kinds, ngrams = feature_names(model)
    top = {}
    for label, weights in outlet_weights(model).items():
        order = np.argsort(-weights, kind="stable")[:n]
        top[label] = [Feature(kinds[i], ngrams[i], float(weights[i])) for i in order]
    return top
