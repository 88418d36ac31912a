"""Scoring many inputs in batches, keeping going past the ones that cannot be read."""

from __future__ import annotations

import importlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from attrib.errors import AttribError, InputError
from attrib.explanation.overlap import Overlap, ShingleIndex
from attrib.modeling.model import Model, Prediction
from attrib.reading.texts import STDIN, Source, read_stdin
from attrib.scale.parallel import worker_count

#: Texts scored per call to the pipeline: large enough to amortise the call, small enough that
#: memory does not grow with the number of inputs.
BATCH_SIZE = 256
#: The same with several processes, where each batch also carries the model to its process:
#: 2,400 generated articles took 6.4 s with -j 2 in batches of 256, 3.9 s in batches of 1,024
#: (7.5 s with -j 1).
PARALLEL_BATCH_SIZE = 1024


@dataclass(frozen=True)
class Result:
    """The outcome for one input: a prediction, or the reason there is none."""

    path: str
    prediction: Prediction | None = None
    error: str | None = None
    overlap: Overlap | None = None
    key: str = "path"
    label: Any = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``path`` (``id`` for inline texts, as given) with either the
        prediction's fields or ``error``, and ``overlap`` when it was asked for."""
        name = self.label if self.key == "id" else self.path
        if self.prediction is None:
            return {self.key: name, "error": self.error}
        result = {self.key: name, **self.prediction.to_dict()}
        if self.overlap is not None:
            result["overlap"] = self.overlap.to_dict()
        return result


def predict_sources(
    model: Model,
    sources: Iterable[Source],
    *,
    batch_size: int | None = None,
    thresholds: dict[str, float] | None = None,
    overlap: ShingleIndex | None = None,
    jobs: int = 1,
    dask: str | None = None,
) -> Iterator[Result]:
    """Score texts as they come, ``batch_size`` at a time, in ``jobs`` processes or on Dask.

    ``batch_size`` defaults to :data:`BATCH_SIZE` in this process, :data:`PARALLEL_BATCH_SIZE`
    in several.

    Memory stays bounded whatever the number of inputs: sources are read lazily, and with
    several processes only a few batches are in flight at once. Results keep the input order.

    Parameters
    ----------
    dask : str, optional
        The address of a Dask distributed scheduler (``tcp://host:8786``), or ``"local"`` for
        a cluster of ``jobs`` worker processes on this machine (see :func:`predict_on_dask`).
    """
    workers = worker_count(jobs)
    if batch_size is None:
        batch_size = BATCH_SIZE if workers == 1 and dask is None else PARALLEL_BATCH_SIZE
    batches = _batches(sources, batch_size)
    if dask is not None:
        yield from predict_on_dask(model, batches, dask, thresholds, overlap, workers=workers)
        return
    if workers == 1:
        for batch in batches:
            yield from _predict_batch(model, batch, thresholds, overlap)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=workers, return_as="generator", pre_dispatch="2*n_jobs")
    for results in parallel(
        delayed(_predict_batch)(model, batch, thresholds, overlap) for batch in batches
    ):
        yield from results


def predict_on_dask(
    model: Model,
    batches: Iterable[list[Source]],
    address: str,
    thresholds: dict[str, float] | None = None,
    overlap: ShingleIndex | None = None,
    *,
    workers: int = 2,
) -> Iterator[Result]:
    """Score batches on a Dask distributed cluster; the results are those of a local run.

    The texts are read here and sent to the workers with each batch, so the workers need
    attrib installed but not the input files. The model is sent to every worker once. At most
    two batches per worker are in flight, so memory stays bounded here as well.

    Raises
    ------
    AttribError
        If distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        # Typed as Any on purpose: mypy's verdict must not depend on whether the extra is there.
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise AttribError("--dask needs the dask extra: pip install 'attrib[dask]'") from None
    cluster = None
    try:
        if address == "local":
            count = worker_count(workers)
            cluster = distributed.LocalCluster(
                n_workers=count,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",
            )
        target = cluster if cluster is not None else address
        client = distributed.Client(target, timeout="10s")
    except Exception as error:  # distributed fails in many ways (TypeError for tls://)
        if cluster is not None:
            cluster.close()
        raise AttribError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    try:
        with client:
            limit = 2 * max(1, len(client.scheduler_info().get("workers", {})))
            shared = client.scatter([model, overlap], broadcast=True)
            pending: deque[Any] = deque()
            for batch in batches:
                texts = [_with_text(source) for source in batch]
                pending.append(
                    client.submit(_predict_batch, shared[0], texts, thresholds, shared[1])
                )
                if len(pending) >= limit:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
    finally:
        if cluster is not None:
            cluster.close()


def _with_text(source: Source) -> Source:
    """The source with its text read (or its error), to send to another machine."""
    try:
        return replace(source, text=source.read())
    except InputError as error:
        return replace(source, error=str(error))


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


def _predict_batch(
    model: Model,
    sources: list[Source],
    thresholds: dict[str, float] | None,
    overlap: ShingleIndex | None,
) -> list[Result]:
    """One result per source, in order (a list: it is sent back from other processes)."""
    texts: dict[int, str] = {}
    errors: dict[int, str] = {}
    for i, source in enumerate(sources):
        try:
            texts[i] = source.read()
        except InputError as error:
            errors[i] = str(error)
    found = model.predictions(list(texts.values()), thresholds=thresholds)
    predictions = dict(zip(texts, found, strict=True))
    return [
        Result(
            source.name,
            prediction=predictions.get(i),
            error=errors.get(i),
            overlap=overlap.overlap(texts[i]) if overlap is not None and i in texts else None,
            key=source.key,
            label=source.label,
        )
        for i, source in enumerate(sources)
    ]
