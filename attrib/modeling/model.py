"""The attribution model: scoring texts, and knowing when not to answer.

A model scores with its :class:`~attrib.modeling.scoring.Scorer` (the fitted pipeline's data),
so a loaded model never imports scikit-learn; training (:mod:`attrib.modeling.training`) and
the code that asks for :attr:`Model.pipeline` do.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from attrib.errors import CorpusError
from attrib.modeling.openset import (
    DEFAULT_THRESHOLDS,
    Evidence,
    SeenNgrams,
    check_thresholds,
    decide,
    known_shares,
    word_count,
)
from attrib.modeling.scoring import Scorer
from attrib.options import MODEL_OPTIONS, resolve_options
from attrib.reading.corpus import Corpus, load_corpus

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

#: The answer when the model abstains.
UNKNOWN = "unknown"
#: Decimal places of a probability in JSON output: the scores are uncalibrated, and more digits
#: would claim a precision they do not have. The library's own scores are not rounded.
SCORE_DIGITS = 4


def rounded(score: float) -> float:
    """A probability as JSON output gives it (:data:`SCORE_DIGITS` decimal places)."""
    return round(float(score), SCORE_DIGITS)


@dataclass(frozen=True)
class Prediction:
    """The scores of one text, best first, and the reason to abstain if there is one."""

    scores: dict[str, float]
    reason: str | None = None

    @property
    def abstained(self) -> bool:
        """Whether the model declines to name an outlet (see :mod:`attrib.modeling.openset`)."""
        return self.reason is not None

    @property
    def best(self) -> str:
        """The outlet with the highest score, even when the model abstains."""
        return next(iter(self.scores))

    @property
    def outlet(self) -> str:
        """The answer: the best outlet, or ``"unknown"`` when the model abstains."""
        return UNKNOWN if self.abstained else self.best

    @property
    def score(self) -> float:
        """The highest score."""
        return self.scores[self.best]

    @property
    def runner_up(self) -> str:
        """The outlet with the second-highest score."""
        return list(self.scores)[1]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``outlet``, ``score`` and ``runner_up`` (of the ranked scores), all
        ``scores`` (rounded to :data:`SCORE_DIGITS` places), ``abstained`` and ``reason``."""
        return {
            "outlet": self.outlet,
            "score": rounded(self.score),
            "runner_up": self.runner_up,
            "scores": {outlet: rounded(score) for outlet, score in self.scores.items()},
            "abstained": self.abstained,
            "reason": self.reason,
        }


class Model:
    """A fitted pipeline and the metadata that says how it was made.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline or None
        A fitted pipeline as returned by :func:`build_pipeline`; None with ``scorer``.
    metadata : dict
        Versions, labels, training corpus and options (see :func:`train`).
    seen : SeenNgrams, optional
        The training corpus's character 5-grams, for a model without a vocabulary (trained in
        bounded memory, see :mod:`attrib.scale.bounded`); others read them from their vocabulary.
    scorer : Scorer, optional
        The pipeline's data (a loaded model's); taken from ``pipeline`` when omitted.
    """

    def __init__(
        self,
        pipeline: Pipeline | None,
        metadata: dict[str, Any],
        seen: SeenNgrams | None = None,
        *,
        scorer: Scorer | None = None,
    ) -> None:
        if scorer is None:
            if pipeline is None:
                raise TypeError("a Model needs a fitted pipeline or a scorer")
            scorer = Scorer.from_pipeline(pipeline)
        self.scorer = scorer
        self._pipeline = pipeline
        self.metadata = metadata
        self.seen = seen

    @property
    def pipeline(self) -> Pipeline:
        """The fitted scikit-learn pipeline (rebuilt from the scorer's data for a loaded model)."""
        if self._pipeline is None:
            # The one import inside a function outside the CLI: scikit-learn only when asked.
            from attrib.modeling.pipeline import rebuild_pipeline

            self._pipeline = rebuild_pipeline(
                self.scorer, self.options, self.metadata.get("training")
            )
        return self._pipeline

    def __getstate__(self) -> dict[str, Any]:
        # The pipeline shares the scorer's arrays and is rebuilt on demand: send them once.
        state = dict(self.__dict__)
        state["_pipeline"] = None
        return state

    @property
    def bounded(self) -> bool:
        """Whether the model was trained in bounded memory, with hashed features and no names."""
        return bool(self.metadata.get("training", {}).get("mode") == "bounded")

    def __repr__(self) -> str:
        return (
            f"Model(labels={self.labels!r}, corpus={self.metadata['corpus']['fingerprint'][:12]})"
        )

    @property
    def labels(self) -> list[str]:
        """The outlets this model can name, sorted."""
        return list(self.scorer.labels)

    @property
    def options(self) -> dict[str, Any]:
        """The pipeline options the model was trained with, checked (ranges as tuples): ready to
        pass back to :func:`train` or :func:`attrib.evaluate`."""
        saved = self.metadata.get("options", {})
        return resolve_options(**{k: v for k, v in saved.items() if k in MODEL_OPTIONS})

    def training_corpus(self, path: str | os.PathLike[str] | None = None) -> Corpus:
        """Load the corpus this model was trained on: ``path``, or the one saved in the model.

        Raises
        ------
        CorpusError
            If it cannot be loaded or no longer holds the same documents (fingerprint).
        """
        saved = self.metadata.get("corpus", {})
        where = path if path is not None else saved.get("path")
        if where is None:
            raise CorpusError("the model does not say where its training corpus is; pass --corpus")
        corpus = load_corpus(where)
        if corpus.fingerprint != saved.get("fingerprint"):
            raise CorpusError(
                f"{corpus.root} no longer holds the corpus this model was trained on (its "
                "fingerprint differs); retrain, or pass the training corpus"
            )
        return corpus

    @property
    def thresholds(self) -> dict[str, float]:
        """When the model abstains: ``min_words``, ``min_coverage``, ``min_margin``."""
        return {**DEFAULT_THRESHOLDS, **self.metadata.get("open_set", {}).get("thresholds", {})}

    def scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Return one probability per outlet for each text; each text's scores sum to 1.

        The probabilities come from a logistic regression and are not calibrated: on a small
        corpus they say which outlet the model prefers, not how likely it is to be right.

        Examples
        --------
        >>> import attrib
        >>> scores = attrib.train().scores(["Moscow and Washington discussed a ceasefire."])[0]
        >>> sorted(scores), round(sum(scores.values()), 9)
        (['presstv', 'rt', 'sputnik', 'tass'], 1.0)
        """
        _check_texts(texts)
        if not texts:
            return []
        return self._scores(self.featurize(texts)[1])

    def featurize(self, texts: Sequence[str]) -> tuple[list[str], Any]:
        """Clean ``texts`` and extract their features: what the classifier sees.

        Returns
        -------
        cleaned : list of str
            The texts after the model's cleaning step.
        features : sparse matrix
            One row of n-gram features per text, columns as ``get_feature_names_out``.
        """
        cleaned = self.scorer.clean(list(texts))
        return cleaned, self.scorer.features(cleaned)

    def _scores(self, features: Any) -> list[dict[str, float]]:
        probabilities = self.scorer.probabilities(features)
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in probabilities]

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Return the outlet of each text, or ``"unknown"`` where the model abstains.

        Examples
        --------
        >>> import attrib
        >>> attrib.train().predict(["Too short to judge."])
        ['unknown']
        """
        return [p.outlet for p in self.predictions(texts)]

    def predictions(
        self, texts: Sequence[str], *, thresholds: dict[str, float] | None = None
    ) -> list[Prediction]:
        """Return each text's scores, best first, and whether (and why) the model abstains.

        Parameters
        ----------
        texts : sequence of str
        thresholds : dict, optional
            Overrides of :attr:`thresholds`, e.g. ``{"min_margin": 0.2}``.
        """
        _check_texts(texts)
        if not texts:
            return []
        return self.predictions_of(*self.featurize(texts), thresholds=thresholds)

    def predictions_of(
        self, cleaned: list[str], features: Any, *, thresholds: dict[str, float] | None = None
    ) -> list[Prediction]:
        """Like :meth:`predictions`, for texts already through :meth:`featurize`."""
        limits = {**self.thresholds, **check_thresholds(thresholds or {})}
        predictions = []
        scored = zip(cleaned, self._scores(features), self.coverage(cleaned), strict=True)
        for text, scores, covered in scored:
            ranked = dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))
            evidence = Evidence(words=word_count(text), coverage=covered)
            predictions.append(Prediction(ranked, decide(evidence, list(ranked.values()), limits)))
        return predictions

    def coverage(self, cleaned: list[str]) -> list[float]:
        """Each (cleaned) text's share of character 5-grams seen in training: what the
        ``min_coverage`` rule compares."""
        if self.seen is not None:
            return self.seen.coverage(cleaned)
        counter = next(view.counter for view in self.scorer.views if view.name == "char")
        return known_shares(cleaned, lambda keys: counter.columns(keys) >= 0)


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise TypeError("pass a list of texts, not a single string")
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("every text must be a str")
