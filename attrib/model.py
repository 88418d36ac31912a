"""The attribution model: the scikit-learn pipeline, training, and scoring texts."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from attrib import __version__
from attrib.cleaning import DEFAULT_DISTORT_WORDS, MASKS, TextCleaner
from attrib.corpus import Corpus, load_corpus
from attrib.errors import AttribWarning, CorpusError, OptionError
from attrib.features import CHUNK_CHARS, build_features, transform_long
from attrib.openset import (
    CALIBRATION_MIN_DOCUMENTS,
    CALIBRATION_MIN_PER_OUTLET,
    DEFAULT_THRESHOLDS,
    Evidence,
    SeenNgrams,
    check_thresholds,
    choose_margin,
    coverage,
    coverage_ngrams,
    decide,
    word_count,
)

#: The answer when the model abstains.
UNKNOWN = "unknown"

#: The one place that holds the model's defaults. ``build_pipeline`` and ``train`` accept any of
#: these names as overrides, and the resolved options are saved in every model file.
DEFAULTS: dict[str, Any] = {
    # What the model may read: see attrib.cleaning. "signatures" masks outlet names, datelines'
    # names, URLs and page furniture, so that the model learns writing, not signatures.
    "mask": "signatures",
    "distort_words": DEFAULT_DISTORT_WORDS,
    "char_analyzer": "char_wb",
    "char_ngram_range": (2, 5),
    "word_ngram_range": (1, 2),
    # Style-only views (see attrib.features); None leaves a view out.
    "punct_ngram_range": (1, 4),
    "shape_ngram_range": (2, 4),
    "lowercase": True,
    "sublinear_tf": True,
    "min_df": 1,
    # At most this many n-grams per view, the most frequent: the model's size stops growing
    # with the corpus (bench/train_scale.py). On the development corpus (32,000 character
    # n-grams) even a cap of 5,000 cost 0.005 macro-F1 (bench/quality_tradeoffs.py).
    "max_features": 200_000,
    # Strong C: TF-IDF rows have unit norm, so with the default C=1 the weights stay tiny and
    # every text scores close to uniform. Chosen by 5-fold macro-F1 on the development corpus.
    "C": 100.0,
    "class_weight": "balanced",
    "max_iter": 2000,
}

_OPTIONAL_VIEWS = ("punct_ngram_range", "shape_ngram_range")
_NGRAM_RANGES = ("char_ngram_range", "word_ngram_range", *_OPTIONAL_VIEWS)
_FEATURE_OPTIONS = (
    "char_analyzer",
    "char_ngram_range",
    "word_ngram_range",
    "punct_ngram_range",
    "shape_ngram_range",
    "lowercase",
    "sublinear_tf",
    "min_df",
    "max_features",
)


def resolve_options(**overrides: Any) -> dict[str, Any]:
    """Return the defaults updated with ``overrides``, checking every name.

    Raises
    ------
    OptionError
        If an override names no option.
    """
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        raise OptionError(
            f"unknown model option(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}"
        )
    options = {**DEFAULTS, **overrides}
    if options["mask"] not in MASKS:
        raise OptionError(f"mask must be one of {', '.join(MASKS)}, not {options['mask']!r}")
    for name in _NGRAM_RANGES:
        if options[name] is None and name in _OPTIONAL_VIEWS:
            continue
        low, high = options[name]
        if not 1 <= low <= high:
            raise OptionError(f"{name} must be (low, high) with 1 <= low <= high, not {low, high}")
        options[name] = (int(low), int(high))
    return options


def build_pipeline(**overrides: Any) -> Pipeline:
    """Return the unfitted attribution pipeline.

    The pipeline is a plain scikit-learn estimator: it can be cloned, cross-validated or
    grid-searched. Its steps are ``clean`` (furniture removal and signature masking, see
    :mod:`attrib.cleaning`), ``features`` (a FeatureUnion of ``char`` and ``word`` TF-IDF
    vectorizers) and ``classifier`` (a multinomial logistic regression).

    Parameters
    ----------
    **overrides
        Any of the names in :data:`DEFAULTS`, e.g. ``char_ngram_range=(1, 3)`` or ``C=10``.

    Returns
    -------
    sklearn.pipeline.Pipeline

    Raises
    ------
    OptionError
        If an override names no option or has an invalid value.
    """
    options = resolve_options(**overrides)
    features = build_features(**{name: options[name] for name in _FEATURE_OPTIONS})
    classifier = LogisticRegression(
        C=options["C"], class_weight=options["class_weight"], max_iter=options["max_iter"]
    )
    cleaner = TextCleaner(mask=options["mask"], distort_words=options["distort_words"])
    return Pipeline([("clean", cleaner), ("features", features), ("classifier", classifier)])


@dataclass(frozen=True)
class Prediction:
    """The scores of one text, best first, and the reason to abstain if there is one."""

    scores: dict[str, float]
    reason: str | None = None

    @property
    def abstained(self) -> bool:
        """Whether the model declines to name an outlet (see :mod:`attrib.openset`)."""
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
        ``scores``, ``abstained`` and ``reason``."""
        return {
            "outlet": self.outlet,
            "score": self.score,
            "runner_up": self.runner_up,
            "scores": dict(self.scores),
            "abstained": self.abstained,
            "reason": self.reason,
        }


class Model:
    """A fitted pipeline and the metadata that says how it was made.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        A fitted pipeline as returned by :func:`build_pipeline`.
    metadata : dict
        Versions, labels, training corpus and options (see :func:`train`).
    seen : SeenNgrams, optional
        The training corpus's character 5-grams, for a model without a vocabulary (trained in
        bounded memory, see :mod:`attrib.outofcore`); others read them from their vocabulary.
    """

    def __init__(
        self, pipeline: Pipeline, metadata: dict[str, Any], seen: SeenNgrams | None = None
    ) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.seen = seen

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
        return [str(label) for label in self.pipeline.classes_]

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
        """
        _check_texts(texts)
        if not texts:
            return []
        return self._scores(self.read(texts)[1])

    def read(self, texts: Sequence[str]) -> tuple[list[str], Any]:
        """Clean ``texts`` and extract their features: what the classifier sees.

        Returns
        -------
        cleaned : list of str
            The texts after the model's cleaning step.
        features : sparse matrix
            One row of n-gram features per text, columns as ``get_feature_names_out``.
        """
        cleaned = self.pipeline.named_steps["clean"].transform(list(texts))
        features = self.pipeline.named_steps["features"]
        if all(len(text) <= CHUNK_CHARS for text in cleaned):
            return cleaned, features.transform(cleaned)
        import scipy.sparse

        # Short texts together, as usual; each long one in pieces, so memory stays bounded.
        short = [i for i, text in enumerate(cleaned) if len(text) <= CHUNK_CHARS]
        rows: dict[int, Any] = {}
        if short:
            matrix = features.transform([cleaned[i] for i in short])
            rows.update((i, matrix[k]) for k, i in enumerate(short))
        for i, text in enumerate(cleaned):
            if i not in rows:
                rows[i] = transform_long(features, text)
        return cleaned, scipy.sparse.vstack([rows[i] for i in range(len(cleaned))], format="csr")

    def _scores(self, features: Any) -> list[dict[str, float]]:
        probabilities = self.pipeline.named_steps["classifier"].predict_proba(features)
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in probabilities]

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Return the outlet of each text, or ``"unknown"`` where the model abstains."""
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
        return self.predictions_of(*self.read(texts), thresholds=thresholds)

    def predictions_of(
        self, cleaned: list[str], features: Any, *, thresholds: dict[str, float] | None = None
    ) -> list[Prediction]:
        """Like :meth:`predictions`, for texts already through :meth:`read`."""
        limits = {**self.thresholds, **check_thresholds(thresholds or {})}
        predictions = []
        scored = zip(cleaned, self._scores(features), self._coverage(cleaned), strict=True)
        for text, scores, covered in scored:
            ranked = dict(sorted(scores.items(), key=lambda item: (-item[1], item[0])))
            evidence = Evidence(words=word_count(text), coverage=covered)
            predictions.append(Prediction(ranked, decide(evidence, list(ranked.values()), limits)))
        return predictions

    def _coverage(self, cleaned: list[str]) -> list[float]:
        """Each text's share of character 5-grams seen in training."""
        if self.seen is not None:
            return self.seen.coverage(cleaned)
        vocabulary = dict(self.pipeline.named_steps["features"].transformer_list)[
            "char"
        ].vocabulary_
        return [coverage(coverage_ngrams(text), vocabulary) for text in cleaned]


def train(
    corpus: Corpus | str | os.PathLike[str] | None = None,
    *,
    calibrate_threshold: bool = False,
    **overrides: Any,
) -> Model:
    """Fit the attribution pipeline on a corpus.

    Parameters
    ----------
    corpus : Corpus, str or path-like, optional
        A loaded corpus or its directory; the bundled corpus when omitted.
    calibrate_threshold : bool
        Choose the abstention margin from leave-one-out scores (the margin that maximises
        right answers minus wrong ones). Needs at least 20 documents and 3 per outlet; on a
        smaller corpus the default is kept and an :class:`AttribWarning` says why.
    **overrides
        Model options, as for :func:`build_pipeline`.

    Returns
    -------
    Model
        The fitted model, with metadata: attrib and scikit-learn versions, labels, the corpus
        summary and fingerprint, the options, and the time of training.

    Raises
    ------
    CorpusError
        If the corpus has fewer than two outlets.
    """
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    check_trainable(corpus)
    options = resolve_options(**overrides)
    pipeline = build_pipeline(**options)
    pipeline.fit(corpus.texts, corpus.labels)
    for _, vectorizer in pipeline.named_steps["features"].transformer_list:
        _slim(vectorizer)
    metadata = {
        "attrib_version": __version__,
        "sklearn_version": sklearn.__version__,
        "labels": [str(label) for label in pipeline.classes_],
        "corpus": corpus.summary(),
        "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "open_set": _open_set(corpus, options, calibrate_threshold),
    }
    return Model(pipeline, metadata)


def _slim(vectorizer: Any) -> None:
    """Make a fitted vectorizer smaller and faster to load, without changing what it does.

    ``stop_words_`` lists the n-grams pruned by ``max_features``: kept only for introspection,
    and as big as the vocabulary itself. ``vocabulary_`` maps n-grams to NumPy integers, each
    pickled as an object of its own; plain ints load 2-3 times faster.
    """
    vectorizer.stop_words_ = None
    vocabulary = vectorizer.vocabulary_
    vectorizer.vocabulary_ = {ngram: int(column) for ngram, column in vocabulary.items()}


def check_trainable(corpus: Corpus) -> None:
    """Raise :class:`CorpusError` unless ``corpus`` has at least two outlets."""
    if len(corpus.outlets) < 2:
        raise CorpusError(
            f"corpus {corpus.root} has one outlet ({corpus.outlets[0]}); attribution needs at "
            "least two outlet folders"
        )


def _open_set(corpus: Corpus, options: dict[str, Any], calibrate: bool) -> dict[str, Any]:
    """The abstention thresholds to save with a model, calibrated on the corpus if asked."""
    thresholds = dict(DEFAULT_THRESHOLDS)
    if not calibrate:
        return {"thresholds": thresholds, "calibrated": False, "how": "defaults"}
    smallest = min(s.documents for s in corpus.stats().values())
    if len(corpus.documents) < CALIBRATION_MIN_DOCUMENTS or smallest < CALIBRATION_MIN_PER_OUTLET:
        how = (
            f"not calibrated: {len(corpus.documents)} documents, {smallest} in the smallest "
            f"outlet; calibration needs {CALIBRATION_MIN_DOCUMENTS} documents and "
            f"{CALIBRATION_MIN_PER_OUTLET} per outlet. Kept the default margin "
            f"{thresholds['min_margin']:.2f}"
        )
        warnings.warn(how, AttribWarning, stacklevel=3)
        return {"thresholds": thresholds, "calibrated": False, "how": how}
    from attrib.evaluate import evaluate

    report = evaluate(corpus, permutations=0, **options)
    margins = [h.score - (h.runner_up_score or 0.0) for h in report.folds]
    thresholds["min_margin"] = choose_margin(margins, [h.correct for h in report.folds])
    how = (
        f"min_margin {thresholds['min_margin']:.3f} chosen from leave-one-out scores of "
        f"{len(report.folds)} documents (forced-choice accuracy {report.accuracy:.2f})"
    )
    return {"thresholds": thresholds, "calibrated": True, "how": how}


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise TypeError("pass a list of texts, not a single string")
    if not all(isinstance(t, str) for t in texts):
        raise TypeError("every text must be a str")
