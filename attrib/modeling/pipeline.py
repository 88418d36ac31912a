"""The attribution pipeline: its options, their defaults, and its construction.

Below both the model (which fits it) and the evaluation (which refits it fold by fold): neither
imports the other to build a pipeline. :func:`rebuild_pipeline` makes the fitted pipeline again
from a loaded model's data (:mod:`attrib.modeling.scoring`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from attrib.features.estimators import NgramCounter, TextCleaner
from attrib.features.views import build_features
from attrib.modeling.scoring import Scorer
from attrib.options import MODEL_OPTIONS, defaults, resolve_options

__all__ = ["DEFAULTS", "build_pipeline", "rebuild_pipeline", "resolve_options"]

#: The model's defaults, from the options table (:mod:`attrib.options`). ``build_pipeline`` and
#: ``train`` accept any of these names as overrides, and the resolved options are saved in every
#: model file. Why these values:
#:
#: - ``mask="signatures"`` removes page furniture, datelines and credits, and masks outlet names
#:   and URLs, so that the model learns writing, not signatures (:mod:`attrib.features.cleaning`).
#: - ``typography="plain"``: quotes, dashes, spaces and line breaks as anyone types them. Raw
#:   typography and datelines gave 0.832 macro-F1 on the development corpus as published but
#:   0.533 once republished (``attrib evaluate --republish``, 5-fold, seed 0): what the model had
#:   learnt was the outlets' publishing systems.
#: - ``sublinear_tf=False``: with the republication-proof cleaning, raw term frequencies gave
#:   0.648 macro-F1 as published and 0.624 republished against 0.586 and 0.566 with sublinear
#:   ones (three quarters of the development corpus, 5-fold, seeds 0-3; bench/republication.py).
#: - ``punct_ngram_range`` and ``shape_ngram_range`` are the style-only views
#:   (:mod:`attrib.features.views`); None leaves a view out.
#: - ``max_features=200_000`` per view, the most frequent: the model's size stops growing with
#:   the corpus (bench/train_scale.py). On the development corpus (32,000 character n-grams)
#:   even a cap of 5,000 cost 0.005 macro-F1 (bench/quality_tradeoffs.py).
#: - ``C=100``: TF-IDF rows have unit norm, so with the default C=1 the weights stay tiny and
#:   every text scores close to uniform. Chosen by 5-fold macro-F1 on the development corpus.
DEFAULTS: dict[str, Any] = defaults(MODEL_OPTIONS)

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


def build_pipeline(**overrides: Any) -> Pipeline:
    """Return the unfitted attribution pipeline.

    The pipeline is a plain scikit-learn estimator: it can be cloned, cross-validated or
    grid-searched. Its steps are ``clean`` (furniture removal and signature masking, see
    :mod:`attrib.features.cleaning`), ``features`` (a FeatureUnion of the ``char``, ``word``,
    ``punct`` and ``shape`` views, each an n-gram ``count`` then ``tfidf``, see
    :mod:`attrib.features.views`) and ``classifier`` (a multinomial logistic regression).

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

    Examples
    --------
    >>> import attrib
    >>> pipeline = attrib.build_pipeline(C=10)
    >>> [name for name, _ in pipeline.steps]
    ['clean', 'features', 'classifier']
    >>> pipeline.get_params()["classifier__C"]
    10
    """
    options = resolve_options(**overrides)
    features = build_features(**{name: options[name] for name in _FEATURE_OPTIONS})
    classifier = LogisticRegression(
        C=options["C"], class_weight=options["class_weight"], max_iter=options["max_iter"]
    )
    cleaner = TextCleaner(
        mask=options["mask"],
        distort_words=options["distort_words"],
        typography=options["typography"],
    )
    return Pipeline([("clean", cleaner), ("features", features), ("classifier", classifier)])


def rebuild_pipeline(
    scorer: Scorer, options: dict[str, Any], training: dict[str, Any] | None = None
) -> Pipeline:
    """The fitted pipeline whose data ``scorer`` holds (a loaded model's), sharing its arrays.

    ``options`` are the model's (its metadata's), for the estimators' parameters that scoring
    does not use (``C``, ``min_df``, ...); ``training`` is a bounded model's training settings.
    Its ``predict_proba`` agrees with the scorer's to 1e-12 (``tests/test_scoring.py``).
    """
    views = []
    for view in scorer.views:
        counter = view.counter
        rebuilt = NgramCounter(
            view=counter.view,
            ngram_range=(counter.ngram_range[0], counter.ngram_range[1]),
            lowercase=counter.lowercase,
            hash_bits=counter.hash_bits,
        )
        if counter.hash_bits is None:
            rebuilt.set_params(min_df=options["min_df"], max_features=options["max_features"])
            rebuilt.hashes_ = counter.hashes_
            rebuilt.names_text_ = counter.names_text_
            rebuilt.names_ends_ = counter.names_ends_
        else:
            rebuilt.n_features_in_ = 1
        tfidf = TfidfTransformer(sublinear_tf=view.sublinear_tf)
        tfidf.idf_ = view.idf
        tfidf.n_features_in_ = len(view.idf)
        views.append((view.name, Pipeline([("count", rebuilt), ("tfidf", tfidf)])))
    classifier: Any
    if scorer.linear.probability == "one-vs-rest":
        settings = training or {}
        classifier = SGDClassifier(
            loss="log_loss", alpha=settings.get("alpha", 0.0001), random_state=settings.get("seed")
        )
    else:
        classifier = LogisticRegression(
            C=options["C"], class_weight=options["class_weight"], max_iter=options["max_iter"]
        )
    classifier.coef_ = scorer.linear.coef
    classifier.intercept_ = scorer.linear.intercept
    classifier.classes_ = np.array(scorer.labels)
    classifier.n_features_in_ = scorer.n_features
    return Pipeline(
        [
            ("clean", TextCleaner(**scorer.cleaning)),
            ("features", FeatureUnion(views)),
            ("classifier", classifier),
        ]
    )
