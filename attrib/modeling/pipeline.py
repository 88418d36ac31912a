"""The attribution pipeline: its options, their defaults, and its construction.

Below both the model (which fits it) and the evaluation (which refits it fold by fold): neither
imports the other to build a pipeline.
"""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from attrib.errors import OptionError
from attrib.features.cleaning import DEFAULT_DISTORT_WORDS, MASKS, TextCleaner
from attrib.features.views import build_features

#: The one place that holds the model's defaults. ``build_pipeline`` and ``train`` accept any of
#: these names as overrides, and the resolved options are saved in every model file.
DEFAULTS: dict[str, Any] = {
    # What the model may read: see attrib.features.cleaning. "signatures" masks outlet names,
    # datelines' names, URLs and page furniture, so that the model learns writing, not signatures.
    "mask": "signatures",
    "distort_words": DEFAULT_DISTORT_WORDS,
    "char_analyzer": "char_wb",
    "char_ngram_range": (2, 5),
    "word_ngram_range": (1, 2),
    # Style-only views (see attrib.features.views); None leaves a view out.
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
    :mod:`attrib.features.cleaning`), ``features`` (a FeatureUnion of ``char`` and ``word`` TF-IDF
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
