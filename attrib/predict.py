"""Scoring many inputs in batches, keeping going past the ones that cannot be read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from attrib.errors import InputError
from attrib.model import Model, Prediction
from attrib.overlap import Overlap, ShingleIndex
from attrib.textio import STDIN, Source, read_stdin

#: Texts scored per call to the pipeline: large enough to amortise the call, small enough that
#: memory does not grow with the number of inputs.
BATCH_SIZE = 256


@dataclass(frozen=True)
class Result:
    """The outcome for one input: a prediction, or the reason there is none."""

    path: str
    prediction: Prediction | None = None
    error: str | None = None
    overlap: Overlap | None = None
    key: str = "path"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``path`` (``id`` for inline texts) with either the prediction's
        fields or ``error``, and ``overlap`` when it was asked for."""
        if self.prediction is None:
            return {self.key: self.path, "error": self.error}
        result = {self.key: self.path, **self.prediction.to_dict()}
        if self.overlap is not None:
            result["overlap"] = self.overlap.to_dict()
        return result


def predict_sources(
    model: Model,
    sources: Iterable[Source],
    *,
    batch_size: int = BATCH_SIZE,
    thresholds: dict[str, float] | None = None,
    overlap: ShingleIndex | None = None,
    jobs: int = 1,
) -> Iterator[Result]:
    """Score texts as they come, ``batch_size`` at a time, in ``jobs`` processes.

    Memory stays bounded whatever the number of inputs: sources are read lazily, and with
    several processes only a few batches are in flight at once. Results keep the input order.
    """
    batches = _batches(sources, batch_size)
    if jobs == 1:
        for batch in batches:
            yield from _predict_batch(model, batch, thresholds, overlap)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=jobs, return_as="generator", pre_dispatch="2*n_jobs")
    for results in parallel(
        delayed(_predicted_batch)(model, batch, thresholds, overlap) for batch in batches
    ):
        yield from results


def _batches(sources: Iterable[Source], size: int) -> Iterator[list[Source]]:
    batch: list[Source] = []
    for source in sources:
        if source.name == STDIN and source.text is None and source.error is None:
            # Another process cannot read this one's standard input: read it here.
            try:
                source = Source(STDIN, text=read_stdin())
            except InputError as error:
                source = Source(STDIN, error=str(error))
        batch.append(source)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _predicted_batch(
    model: Model,
    sources: list[Source],
    thresholds: dict[str, float] | None,
    overlap: ShingleIndex | None,
) -> list[Result]:
    return list(_predict_batch(model, sources, thresholds, overlap))


def _predict_batch(
    model: Model,
    sources: list[Source],
    thresholds: dict[str, float] | None,
    overlap: ShingleIndex | None,
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
            yield Result(source.name, error=errors[i], key=source.key)
        else:
            verbatim = overlap.overlap(texts[i]) if overlap is not None else None
            yield Result(source.name, prediction=predictions[i], overlap=verbatim, key=source.key)
