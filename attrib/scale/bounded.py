"""Training in bounded memory: hashed n-grams and a linear model fitted batch by batch.

The default model (:func:`attrib.train`) holds every text, the whole vocabulary and the whole
feature matrix in memory, so its memory grows with the corpus. :func:`train_bounded`
(``attrib train --bounded``) keeps only one batch of documents in memory at a time:

1. The corpus is read once to check and fingerprint it; only each text's digest is kept.
2. First pass: each batch of documents (in a seeded random order) is cleaned, and each of the
   four views of :mod:`attrib.features.views` is hashed into ``2**hash_bits`` columns (an
   ``NgramCounter`` with ``hash_bits``: no vocabulary). The counts are written to a temporary
   folder, the
   document frequency of every column is summed (for the IDF), and the character 5-grams are
   marked in a :class:`~attrib.modeling.openset.SeenNgrams` bitmap (for the open-set coverage rule).
   With ``jobs`` > 1 the batches are hashed in parallel processes.
3. ``epochs`` passes of ``SGDClassifier(loss="log_loss").partial_fit`` over the saved batches, in
   a new order each pass, with class weights that balance the outlets as the default model's
   ``class_weight="balanced"`` does.

Memory is one batch of texts and features, the document frequencies (``8 * 2**hash_bits``
bytes per view), the bitmap and a few hundred bytes per document for the corpus listing.
Disk: the temporary counts, about 4 bytes per distinct n-gram per document (4-6 kB for a
1,000-character article), deleted at the end.

What it trades, against the default model:

* No feature names: several n-grams share each hashed column and the model keeps no vocabulary,
  so ``attrib explain`` cannot name features for a bounded model (it says so).
* Collisions: with ``2**18`` columns per view, rare n-grams share columns; raise ``hash_bits``
  for more columns (the model grows by ``8 * classes * 4 * 2**hash_bits`` bytes).
* The classifier is fitted by stochastic gradient descent, one-versus-rest, for a fixed number of
  passes: an approximation of the default model's exact multinomial fit, so scores differ.
* ``--calibrate-threshold`` (leave-one-out) is not available: it would refit in memory.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline

from attrib.evaluation.calibration import open_set_thresholds
from attrib.features.estimators import TextCleaner
from attrib.features.views import build_hashed_features
from attrib.modeling.model import Model
from attrib.modeling.openset import SeenNgrams, coverage_positions
from attrib.modeling.pipeline import resolve_options
from attrib.modeling.training import check_trainable, model_metadata
from attrib.options import BOUNDED_OPTIONS, check, defaults
from attrib.reading.corpus import Corpus, Document, load_corpus
from attrib.scale.parallel import Progress, check_jobs, worker_count

#: Options of the bounded trainer, and their defaults.
#: Columns per view are 2**hash_bits: 4 views x 262,144 columns by default, a model of about
#: 40 MB for four outlets. The SGD regularisation alpha was chosen by 5-fold macro-F1 on the
#: development corpus. The coverage bitmap has 2**coverage_bits bits (8 MB by default).
BOUNDED_DEFAULTS: dict[str, Any] = defaults(BOUNDED_OPTIONS)


def train_bounded(
    corpus: Corpus | str | os.PathLike[str] | None = None,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    temporary_dir: str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> Model:
    """Fit a model with hashed features over batches, in memory that does not grow with the corpus.

    Parameters
    ----------
    corpus : Corpus, str or path-like, optional
        A corpus directory (read without keeping its texts) or a loaded corpus; the bundled
        corpus when omitted.
    jobs : int
        Processes that hash batches in the first pass (-1: one per core). The model is the same
        for any number.
    progress : callable, optional
        Called as ``progress(steps_done, steps_total)``: one step per batch and pass.
    temporary_dir : path-like, optional
        Where to keep the hashed batches while training (default: the system's temporary folder).
    **overrides
        Options of :data:`BOUNDED_DEFAULTS` and the feature and masking options of
        :data:`attrib.modeling.pipeline.DEFAULTS` (``C``, ``min_df`` and the other options of the
        in-memory model do not apply).

    Returns
    -------
    Model
        A model that predicts like any other; its metadata says ``"training": "bounded"``.

    Raises
    ------
    CorpusError
        If the corpus has fewer than two outlets, or a file changes while it is being read.
    OptionError
        If an option is unknown or out of range.
    """
    bounded = {k: overrides.pop(k) for k in list(overrides) if k in BOUNDED_DEFAULTS}
    settings = {**BOUNDED_DEFAULTS, **bounded}
    settings = {name: check(name, value) for name, value in settings.items()}
    check_jobs(jobs)
    options = resolve_options(**overrides)
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus, keep_texts=False)
    check_trainable(corpus)

    cleaner = TextCleaner(
        mask=options["mask"],
        distort_words=options["distort_words"],
        typography=options["typography"],
    )
    features = build_hashed_features(hash_bits=settings["hash_bits"], **options)
    views: list[tuple[str, Pipeline]] = features.transformer_list
    rng = np.random.default_rng(settings["seed"])
    order = rng.permutation(len(corpus.documents))
    size = settings["batch_size"]
    batches = [
        [corpus.documents[i] for i in order[start : start + size]]
        for start in range(0, len(order), size)
    ]
    steps = len(batches) * (1 + settings["epochs"])
    labels = corpus.outlets
    counts = corpus.stats()
    weights = {
        outlet: len(corpus.documents) / (len(labels) * counts[outlet].documents)
        for outlet in labels
    }
    classifier = SGDClassifier(
        loss="log_loss",
        alpha=settings["alpha"],
        class_weight=weights,
        random_state=settings["seed"],
    )
    seen = SeenNgrams(settings["coverage_bits"])
    with tempfile.TemporaryDirectory(prefix="attrib-train-", dir=temporary_dir) as folder:
        frequencies = _hash_corpus(
            batches,
            cleaner,
            views,
            seen,
            Path(folder),
            jobs,
            lambda done: _tell(progress, done, steps),
        )
        for (_, view), df in zip(views, frequencies, strict=True):
            view.named_steps["tfidf"].idf_ = _idf(df, len(corpus.documents))
        done = len(batches)
        for _ in range(settings["epochs"]):
            for number in rng.permutation(len(batches)):
                matrix, y = _load_batch(Path(folder), int(number), views)
                classifier.partial_fit(matrix, y, classes=labels)
                done += 1
                _tell(progress, done, steps)
    pipeline = Pipeline([("clean", cleaner), ("features", features), ("classifier", classifier)])
    metadata = model_metadata(
        labels=list(labels),
        corpus=corpus,
        options=options,
        open_set=open_set_thresholds(corpus, options, calibrate=False),
        training={"mode": "bounded", **settings, "coverage_fill": round(seen.fill, 4)},
    )
    return Model(pipeline, metadata, seen=seen)


def _hash_corpus(
    batches: list[list[Document]],
    cleaner: TextCleaner,
    views: list[tuple[str, Pipeline]],
    seen: SeenNgrams,
    folder: Path,
    jobs: int,
    advance: Callable[[int], None],
) -> list[Any]:
    """Hash every batch to ``folder``; return each view's document frequencies."""
    from joblib import Parallel, delayed

    hashers = [view.named_steps["count"] for _, view in views]
    frequencies = [np.zeros(h.n_features, dtype=np.int64) for h in hashers]
    parallel = Parallel(
        n_jobs=worker_count(jobs, len(batches)), return_as="generator", pre_dispatch="2*n_jobs"
    )
    tasks = (
        delayed(_hash_batch)(batch, number, cleaner, hashers, seen.bits, folder)
        for number, batch in enumerate(batches)
    )
    for done, (batch_frequencies, positions) in enumerate(parallel(tasks), 1):
        for total, counted in zip(frequencies, batch_frequencies, strict=True):
            total += counted
        seen.add(positions)
        advance(done)
    return frequencies


def _tell(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _hash_batch(
    documents: Sequence[Document],
    number: int,
    cleaner: TextCleaner,
    hashers: list[Any],
    coverage_bits: int,
    folder: Path,
) -> tuple[list[Any], Any]:
    """Clean and hash one batch, save its counts; return its document frequencies and 5-grams."""
    cleaned = cleaner.transform([d.text for d in documents])
    frequencies = []
    for view, hasher in enumerate(hashers):
        counts = hasher.transform(cleaned).tocsr()
        scipy.sparse.save_npz(folder / f"{number}-{view}.npz", counts.astype(np.float32))
        frequencies.append(np.bincount(counts.indices, minlength=hasher.n_features))
    np.save(folder / f"{number}-labels.npy", np.array([d.label for d in documents]))
    return frequencies, coverage_positions(cleaned, coverage_bits)


def _load_batch(folder: Path, number: int, views: list[tuple[str, Pipeline]]) -> tuple[Any, Any]:
    """A saved batch as the classifier sees it: TF-IDF of every view, side by side."""
    parts = [
        view.named_steps["tfidf"].transform(
            scipy.sparse.load_npz(folder / f"{number}-{i}.npz").astype(np.float64)
        )
        for i, (_, view) in enumerate(views)
    ]
    return scipy.sparse.hstack(parts, format="csr"), np.load(folder / f"{number}-labels.npy")


def _idf(frequencies: Any, documents: int) -> Any:
    """Smoothed IDF, as ``TfidfTransformer(smooth_idf=True)`` computes it from a full matrix."""
    return np.log((1 + documents) / (1 + frequencies)) + 1.0
