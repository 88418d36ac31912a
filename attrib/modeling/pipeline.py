"""The attribution pipeline: its options, their defaults, and its construction.

Below both the model (which fits it) and the evaluation (which refits it fold by fold): neither
imports the other to build a pipeline.
"""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from attrib.errors import OptionError
from attrib.features.cleaning import TextCleaner
from attrib.features.views import build_features
from attrib.options import MODEL_OPTIONS, check, defaults

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


def resolve_options(**overrides: Any) -> dict[str, Any]:
    """Return the defaults updated with ``overrides``, checking every name and value.

    Raises
    ------
    OptionError
        If an override names no option, or its value is out of the option's bounds.
    """
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        raise OptionError(
            f"unknown model option(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}"
        )
    return {name: check(name, value) for name, value in {**DEFAULTS, **overrides}.items()}


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
