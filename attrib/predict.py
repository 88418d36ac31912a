"""Scoring many inputs in batches, keeping going past the ones that cannot be read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from attrib.errors import InputError
from attrib.model import Model, Prediction
from attrib.textio import Source, expand_inputs

#: Texts scored per call to the pipeline: large enough to amortise the call, small enough that
#: memory does not grow with the number of inputs.
BATCH_SIZE = 256


@dataclass(frozen=True)
class Result:
    """The outcome for one input: a prediction, or the reason there is none."""

    path: str
    prediction: Prediction | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``path`` with either the prediction's fields or ``error``."""
        if self.prediction is None:
            return {"path": self.path, "error": self.error}
        return {"path": self.path, **self.prediction.to_dict()}


def predict_inputs(
    model: Model,
    arguments: Iterable[str],
    *,
    batch_size: int = BATCH_SIZE,
    thresholds: dict[str, float] | None = None,
) -> Iterator[Result]:
    """Score every text named by ``arguments`` (files, directories of ``.txt`` files, ``-``).

    Results come in input order. An input that cannot be read gives a :class:`Result` with its
    error instead of stopping the others. ``thresholds`` override the model's abstention
    thresholds (see :mod:`attrib.openset`).
    """
    batch: list[Source] = []
    for source in expand_inputs(list(arguments)):
        batch.append(source)
        if len(batch) == batch_size:
            yield from _predict_batch(model, batch, thresholds)
            batch = []
    if batch:
        yield from _predict_batch(model, batch, thresholds)


def _predict_batch(
    model: Model, sources: list[Source], thresholds: dict[str, float] | None
) -> Iterator[Result]:
    texts: dict[int, str] = {}
    errors: dict[int, str] = {}
    for i, source in enumerate(sources):
        try:
            texts[i] = source.read()
        except InputError as error:
            errors[i] = str(error)
    found = model.predictions(list(texts.values()), thresholds=thresholds)
    predictions = dict(zip(texts, found, strict=True))
    for i, source in enumerate(sources):
        if i in errors:
            yield Result(source.name, error=errors[i])
        else:
            yield Result(source.name, prediction=predictions[i])
