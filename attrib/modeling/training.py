"""Training the attribution model on a corpus, and what its file records about it."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import Any

import sklearn

from attrib import __version__
from attrib.evaluation.calibration import open_set_thresholds
from attrib.modeling.model import Model
from attrib.modeling.pipeline import build_pipeline, resolve_options
from attrib.reading.corpus import Corpus, load_corpus, require_outlets


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

    Examples
    --------
    >>> import attrib
    >>> model = attrib.train()  # the bundled five articles
    >>> model.labels
    ['presstv', 'rt', 'sputnik', 'tass']
    >>> model.predict([attrib.load_corpus().documents[1].text])  # one it was trained on
    ['rt']
    """
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    check_trainable(corpus)
    options = resolve_options(**overrides)
    pipeline = build_pipeline(**options)
    pipeline.fit(corpus.texts, corpus.labels)
    metadata = model_metadata(
        labels=[str(label) for label in pipeline.classes_],
        corpus=corpus,
        options=options,
        open_set=open_set_thresholds(corpus, options, calibrate=calibrate_threshold),
    )
    return Model(pipeline, metadata)


def model_metadata(
    *,
    labels: list[str],
    corpus: Corpus,
    options: dict[str, Any],
    open_set: dict[str, Any],
    training: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What every model file records beside the fitted pipeline (JSON-ready: ranges as lists)."""
    metadata: dict[str, Any] = {
        "attrib_version": __version__,
        "sklearn_version": sklearn.__version__,
        "labels": labels,
        "corpus": corpus.summary(),
        "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()},
    }
    if training is not None:
        metadata["training"] = training
    metadata["created"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    metadata["open_set"] = open_set
    return metadata


def check_trainable(corpus: Corpus) -> None:
    """Raise :class:`CorpusError` unless ``corpus`` has at least two outlets."""
    require_outlets(corpus, "attribution")
