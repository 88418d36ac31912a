"""Evaluation that says what its numbers can mean: leave-one-out or K-fold, with its ceiling.

Leave-one-out on a corpus where an outlet has a single document holds that document out of its
own training set: no model can name an outlet it never saw. Each held-out item is therefore
marked *attainable* or not, and the report gives the best reachable accuracy (the ceiling) beside
the accuracy, with a chance level and a permutation p-value, so a number is never shown without
what it should be compared to.
"""

from __future__ import annotations

import math
import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import confusion_matrix, f1_score
from sklearn.model_selection import (
    LeaveOneGroupOut,
    StratifiedGroupKFold,
    StratifiedKFold,
)
from sklearn.pipeline import Pipeline

from attrib.errors import CorpusError, EvaluationError, OptionError
from attrib.evaluation.foldcache import FoldFeatures
from attrib.evaluation.foldcache import coverage as fold_coverage
from attrib.explanation.overlap import ShingleIndex
from attrib.modeling.model import Model, rounded
from attrib.modeling.openset import DEFAULT_THRESHOLDS, Evidence, decide, word_count
from attrib.modeling.pipeline import build_pipeline
from attrib.options import RUN_OPTIONS, check
from attrib.outlets import display_name
from attrib.reading.corpus import Corpus, load_corpus, require_outlets
from attrib.scale.parallel import Progress, worker_count

#: Shortest passage, in characters, when documents are split (``unit="passage"``).
MIN_PASSAGE_CHARS: int = RUN_OPTIONS["min_passage_chars"].default
#: Most label permutations drawn for the p-value when none are asked for.
MAX_PERMUTATIONS = 100
#: With no count asked for, permutations x folds stays under this many model fits; when that
#: leaves fewer than 19 permutations (p could not go below 0.05) the p-value is skipped and the
#: report says how to ask for it.
_FIT_BUDGET = 500
_MIN_DEFAULT_PERMUTATIONS = 19


@dataclass(frozen=True)
class Item:
    """One unit of evaluation: a document, or a passage of one."""

    name: str
    label: str
    text: str
    group: int


#: How the scheme of :func:`evaluate_test_set` begins.
TEST_SET = "held-out test set"


@dataclass(frozen=True)
class HeldOut:
    """The prediction for one held-out item, made by a model that never saw its document."""

    document: str
    true: str
    predicted: str
    score: float
    runner_up: str | None
    runner_up_score: float | None
    attainable: bool
    fold: int
    scores: dict[str, float]
    reason: str | None = None

    @property
    def correct(self) -> bool:
        """Whether the best-scoring outlet is the true one (forced choice)."""
        return self.predicted == self.true

    @property
    def abstained(self) -> bool:
        """Whether the open-set rules would answer "unknown" (:mod:`attrib.modeling.openset`)."""
        return self.reason is not None

    @property
    def open_set_correct(self) -> bool:
        """Right with abstention allowed: "unknown" is right exactly where the outlet was
        unattainable, an answer is right when it names the true outlet."""
        return not self.attainable if self.abstained else self.correct


@dataclass
class Evaluation:
    """What :func:`evaluate` found. ``to_dict()`` gives the JSON form."""

    corpus: str
    unit: str
    scheme: str
    n_folds: int
    documents: int
    outlets: list[str]
    held_out: list[HeldOut]
    accuracy: float
    attainable_accuracy: float | None
    open_set_accuracy: float
    abstentions: int
    macro_f1: float
    confusion: dict[str, Any]
    chance: float
    ceiling: float
    p_value: float | None
    permutations: int
    p_value_method: str
    warnings: list[str] = field(default_factory=list)

    @property
    def correct(self) -> int:
        return sum(f.correct for f in self.held_out)

    @property
    def attainable(self) -> int:
        return sum(f.attainable for f in self.held_out)

    @property
    def on_test_set(self) -> bool:
        """Whether a saved model was scored on a test set (:func:`evaluate_test_set`)."""
        return self.scheme.startswith(TEST_SET)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every field, with ``held_out`` as a list of objects (their scores
        rounded to :data:`~attrib.modeling.model.SCORE_DIGITS` places)."""
        result = asdict(self)
        result["held_out"] = [_held_out_dict(f) for f in self.held_out]
        return result


def _held_out_dict(held: HeldOut) -> dict[str, Any]:
    result = asdict(held)
    result["score"] = rounded(held.score)
    if held.runner_up_score is not None:
        result["runner_up_score"] = rounded(held.runner_up_score)
    result["scores"] = {outlet: rounded(score) for outlet, score in held.scores.items()}
    return result


def evaluate(
    corpus: Corpus | str | os.PathLike[str] | None = None,
    *,
    unit: str = "document",
    folds: int | None = None,
    min_passage_chars: int = MIN_PASSAGE_CHARS,
    permutations: int | None = None,
    seed: int = 0,
    jobs: int = 1,
    progress: Progress | None = None,
    thresholds: dict[str, float] | None = None,
    announce: Callable[[str], None] | None = None,
    **overrides: Any,
) -> Evaluation:
    """Predict every item with a model trained without its document, and summarise.

    Parameters
    ----------
    corpus : Corpus, str or path-like, optional
        The corpus, or its directory; the bundled corpus when omitted.
    unit : {"document", "passage"}
        Evaluate whole documents, or passages (paragraph groups of at least
        ``min_passage_chars`` characters) with every passage of the held-out document kept out of
        training.
    folds : int, optional
        Stratified K-fold (grouped by document for passages) instead of leaving one document out.
    min_passage_chars : int
        Shortest passage when ``unit="passage"``.
    permutations : int, optional
        Label permutations for the p-value; 0 skips it. When every distinct permutation of the
        document labels fits in this count they are all enumerated (an exact p-value);
        otherwise this many are drawn with ``seed`` (Monte Carlo). By default: all of them when
        there are at most 100; else as many (up to 100) as keep the extra model fits under 500;
        else none, and the report says how to ask for them.
    seed : int
        Seed of the K-fold shuffling and the drawn permutations.
    jobs : int
        Processes to run folds in (joblib); -1 for one per core.
    progress : callable, optional
        Called as ``progress(folds_done, folds_total)`` as folds finish.
    thresholds : dict, optional
        Abstention thresholds (see :mod:`attrib.modeling.openset`); the defaults otherwise.
        Abstentions are counted apart: ``accuracy`` is the forced choice,
        ``open_set_accuracy`` counts "unknown" as right where the true outlet had no training
        document.
    announce : callable, optional
        Called with one sentence before permutation tests start: how many, what they cost, and
        how to skip them.
    **overrides
        Model options, as for :func:`attrib.build_pipeline`.

    Returns
    -------
    Evaluation

    Raises
    ------
    EvaluationError
        If the corpus has fewer than two outlets or documents, or ``folds`` does not fit it.
    OptionError
        If an option is invalid.

    Examples
    --------
    >>> import attrib
    >>> report = attrib.evaluate(permutations=0)  # leave-one-out on the bundled corpus
    >>> report.scheme, len(report.held_out), report.ceiling
    ('leave-one-out', 5, 0.4)
    """
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    for name, value in (
        ("unit", unit),
        ("folds", folds),
        ("min_passage_chars", min_passage_chars),
        ("permutations", permutations),
        ("seed", seed),
        ("jobs", jobs),
    ):
        check(name, value)
    require_outlets(corpus, "evaluating attribution", EvaluationError)
    items = _items(corpus, unit, min_passage_chars)
    labels = np.array([item.label for item in items], dtype=object)
    groups = np.array([item.group for item in items])
    splits = _splits(labels, groups, unit, folds, seed, len(corpus.documents))
    labelings, method = _labelings(corpus.labels, groups, permutations, len(splits), seed)
    if labelings and announce is not None:
        announce(
            f"{len(labelings)} label permutations ({method}) for the p-value: "
            f"{len(labelings) * len(splits):,} model fits beside the evaluation's "
            f"{len(splits)}; --permutations 0 skips them"
        )

    pipeline = build_pipeline(**overrides)
    texts = [item.text for item in items]
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    fits = _run_folds(pipeline, texts, labels, splits, labelings, jobs, progress, limits)

    held_out: list[tuple[int, HeldOut]] = []
    permuted_correct = np.zeros(len(labelings), dtype=int)
    for fold_number, ((train, test), (classes, probabilities, permuted, reasons)) in enumerate(
        zip(splits, fits, strict=True)
    ):
        trained_on = set(labels[train])
        for row, index in enumerate(test):
            scores = sorted(
                zip(classes, map(float, probabilities[row]), strict=True),
                key=lambda pair: (-pair[1], pair[0]),
            )
            held_out.append(
                (
                    index,
                    HeldOut(
                        document=items[index].name,
                        true=items[index].label,
                        predicted=scores[0][0],
                        score=scores[0][1],
                        runner_up=scores[1][0] if len(scores) > 1 else None,
                        runner_up_score=scores[1][1] if len(scores) > 1 else None,
                        attainable=items[index].label in trained_on,
                        fold=fold_number,
                        scores=dict(scores),
                        reason=reasons[row],
                    ),
                )
            )
        for k, labeling in enumerate(labelings):
            permuted_correct[k] += int(np.sum(permuted[k] == labeling[test]))
    in_corpus_order = [h for _, h in sorted(held_out, key=lambda pair: pair[0])]
    chance = 0.0
    for train, test in splits:
        trained_on = set(labels[train])
        chance += sum(1 / len(trained_on) for i in test if labels[i] in trained_on)
    if folds is None:
        scheme = "leave-one-out" if unit == "document" else "leave-one-document-out"
    else:
        scheme = f"stratified {folds}-fold" + (" grouped by document" if unit == "passage" else "")
    return _summarise(
        corpus,
        unit,
        scheme,
        len(splits),
        chance / len(in_corpus_order),
        in_corpus_order,
        permuted_correct,
        method,
    )


def evaluate_test_set(
    model: Model,
    corpus: Corpus | str | os.PathLike[str],
    *,
    permutations: int | None = None,
    seed: int = 0,
    thresholds: dict[str, float] | None = None,
) -> Evaluation:
    """Score a trained model on a labelled folder it was not trained on (the corpus layout).

    The report has the fields of :func:`evaluate`: accuracy (forced choice), abstentions counted
    apart, open-set accuracy, macro-F1, the confusion matrix, the chance level (a uniform guess
    among the model's outlets) and the ceiling (the share of documents whose outlet the model
    knows). The p-value is how often the test set's labels, shuffled, agree with the model's
    answers at least as often (the model is not refitted, so permutations are cheap). Documents
    of the test set that are copies of training documents (half or more of their word 8-grams)
    are named in a warning: their scores say nothing about new text.

    Raises
    ------
    CorpusError
        If the folder cannot be read as a corpus.
    """
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    check("permutations", permutations)
    check("seed", seed)
    items = _items(corpus, "document", MIN_PASSAGE_CHARS)
    if not items:
        raise EvaluationError(f"{corpus.root} holds no documents to test the model on")
    predictions = model.predictions([item.text for item in items], thresholds=thresholds)
    held_out = []
    for item, prediction in zip(items, predictions, strict=True):
        ranked = list(prediction.scores.items())
        held_out.append(
            HeldOut(
                document=item.name,
                true=item.label,
                predicted=ranked[0][0],
                score=ranked[0][1],
                runner_up=ranked[1][0],
                runner_up_score=ranked[1][1],
                attainable=item.label in model.labels,
                fold=0,
                scores=dict(ranked),
                reason=prediction.reason,
            )
        )
    groups = np.arange(len(items))
    labelings, method = _labelings(corpus.labels, groups, permutations, 1, seed)
    predicted = np.array([h.predicted for h in held_out], dtype=object)
    permuted_correct = np.array([int(np.sum(predicted == labels)) for labels in labelings])
    trained_on = model.metadata.get("corpus", {})
    report = _summarise(
        corpus,
        "document",
        f"{TEST_SET} (model trained on {trained_on.get('path')}, "
        f"{trained_on.get('documents')} documents)",
        1,
        sum(1 / len(model.labels) for h in held_out if h.attainable) / len(held_out),
        held_out,
        permuted_correct,
        method,
    )
    report.warnings += _copies_of_training(model, corpus)
    return report


def _copies_of_training(model: Model, corpus: Corpus) -> list[str]:
    """A warning naming test documents that are (near-)copies of training documents."""
    try:
        training = model.training_corpus()
    except CorpusError as error:
        return [f"the test set could not be checked for copies of training documents: {error}"]
    index = ShingleIndex(training)
    copies = []
    for document in corpus.documents:
        best = index.overlap(document.text).best
        if best is not None and best.share >= 0.5:
            copies.append(document.path.relative_to(corpus.root).as_posix())
    if not copies:
        return []
    return [
        f"{len(copies)} of {len(corpus.documents)} test documents are copies of training "
        f"documents (half or more of their word 8-grams), so their scores say nothing about new "
        f"text: {', '.join(copies[:5])}{' ...' if len(copies) > 5 else ''}"
    ]


def split_passages(text: str, min_chars: int = MIN_PASSAGE_CHARS) -> list[str]:
    """Split a text into passages: runs of whole paragraphs of at least ``min_chars`` characters.

    A short last run joins the passage before it, so only a text shorter than ``min_chars`` gives
    a passage shorter than that.
    """
    check("min_passage_chars", min_chars)
    passages: list[str] = []
    current: list[str] = []
    for paragraph in (p.strip() for p in text.splitlines()):
        if not paragraph:
            continue
        current.append(paragraph)
        if sum(len(p) for p in current) >= min_chars:
            passages.append("\n".join(current))
            current = []
    if current:
        if passages:
            passages[-1] += "\n" + "\n".join(current)
        else:
            passages.append("\n".join(current))
    return passages


def _items(corpus: Corpus, unit: str, min_passage_chars: int) -> list[Item]:
    items = []
    for group, document in enumerate(corpus.documents):
        name = document.path.relative_to(corpus.root).as_posix()
        if unit == "document":
            items.append(Item(name, document.label, document.text, group))
            continue
        for number, passage in enumerate(split_passages(document.text, min_passage_chars), 1):
            items.append(Item(f"{name}#{number}", document.label, passage, group))
    return items


def _splits(
    labels: np.ndarray,
    groups: np.ndarray,
    unit: str,
    folds: int | None,
    seed: int,
    n_documents: int,
) -> list[tuple[np.ndarray, np.ndarray]]:
    placeholder = np.zeros(len(labels))
    if folds is None:
        return list(LeaveOneGroupOut().split(placeholder, labels, groups))
    if folds > n_documents:
        raise OptionError(
            f"folds must be at most the number of documents ({n_documents}), not {folds}"
        )
    with warnings.catch_warnings():
        # Stratification cannot spread an outlet with fewer documents than folds; the report's
        # attainability column already shows what that costs.
        warnings.filterwarnings("ignore", message="The least populated class")
        if unit == "document":
            splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
            return list(splitter.split(placeholder, labels))
        grouped = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
        return list(grouped.split(placeholder, labels, groups))


def _labelings(
    document_labels: list[str],
    groups: np.ndarray,
    permutations: int | None,
    n_folds: int,
    seed: int,
) -> tuple[list[np.ndarray], str]:
    """Permuted item labels for the p-value; documents keep all their passages together."""
    counts = Counter(document_labels)
    distinct = math.factorial(len(document_labels))
    for count in counts.values():
        distinct //= math.factorial(count)
    if permutations is None:
        affordable = min(MAX_PERMUTATIONS, _FIT_BUDGET // n_folds)
        if distinct <= MAX_PERMUTATIONS:
            permutations = distinct
        elif affordable >= _MIN_DEFAULT_PERMUTATIONS:
            permutations = affordable
        else:
            return [], "skipped"
    if permutations == 0:
        return [], "none"
    if distinct <= permutations:
        orders = list(_multiset_permutations(document_labels))
        method = "exact"
    else:
        rng = np.random.default_rng(seed)
        orders = [
            list(rng.permutation(np.array(document_labels, dtype=object)))
            for _ in range(permutations)
        ]
        method = "monte-carlo"
    return [np.array(order, dtype=object)[groups] for order in orders], method


def _multiset_permutations(values: Sequence[str]) -> Iterator[list[str]]:
    """Every distinct ordering of ``values``, each once, in lexicographic order."""
    remaining = Counter(values)
    prefix: list[str] = []

    def extend() -> Iterator[list[str]]:
        if len(prefix) == len(values):
            yield list(prefix)
            return
        for value in sorted(remaining):
            if remaining[value]:
                remaining[value] -= 1
                prefix.append(value)
                yield from extend()
                prefix.pop()
                remaining[value] += 1

    return extend()


FoldFit = tuple[list[str], np.ndarray, list[np.ndarray], list[str | None]]


def _run_folds(
    pipeline: Pipeline,
    texts: list[str],
    labels: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    labelings: list[np.ndarray],
    jobs: int,
    progress: Progress | None,
    thresholds: dict[str, float],
) -> list[FoldFit]:
    """Fit every fold (for the true labels and each permutation), in order."""
    cache = FoldFeatures(pipeline, texts)
    numbered = list(enumerate(splits))
    workers = worker_count(jobs, len(splits))
    if workers == 1:
        chunks = [[fold] for fold in numbered]
    else:
        chunks = [
            list(c) for c in np.array_split(np.array(numbered, dtype=object), workers * 4) if len(c)
        ]
    results: list[FoldFit] = []
    done = 0
    for chunk_results in _map_chunks(
        pipeline, cache, labels, chunks, labelings, workers, thresholds
    ):
        results.extend(chunk_results)
        done += len(chunk_results)
        if progress is not None:
            progress(done, len(splits))
    return results


def _map_chunks(
    pipeline: Pipeline,
    cache: FoldFeatures,
    labels: np.ndarray,
    chunks: list[list[tuple[int, tuple[np.ndarray, np.ndarray]]]],
    labelings: list[np.ndarray],
    workers: int,
    thresholds: dict[str, float],
) -> Iterator[list[FoldFit]]:
    if workers == 1:
        for chunk in chunks:
            yield _fit_chunk(pipeline, cache, labels, chunk, labelings, thresholds)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=workers, return_as="generator")
    yield from parallel(
        delayed(_fit_chunk)(pipeline, cache, labels, chunk, labelings, thresholds)
        for chunk in chunks
    )


def _fit_chunk(
    pipeline: Pipeline,
    cache: FoldFeatures,
    labels: np.ndarray,
    chunk: list[tuple[int, tuple[np.ndarray, np.ndarray]]],
    labelings: list[np.ndarray],
    thresholds: dict[str, float],
) -> list[FoldFit]:
    from threadpoolctl import threadpool_limits

    results = []
    # Small dense products in each fit: BLAS threads cost more than they give, and with
    # several workers they would fight over the cores.
    with threadpool_limits(limits=1, user_api="blas"):
        for _, (train, test) in chunk:
            train_x, test_x = cache.fold(train, test)
            model = clone(pipeline.named_steps["classifier"])
            classes, probabilities = _fit_predict(model, train_x, labels[train], test_x)
            permuted = []
            for y in labelings:
                names, scores = _fit_predict(clone(model), train_x, y[train], test_x)
                permuted.append(np.array(names, dtype=object)[scores.argmax(axis=1)])
            covered = fold_coverage(cache, train, test)
            reasons = []
            for row, index in enumerate(test):
                evidence = Evidence(word_count(cache.cleaned_[index]), float(covered[row]))
                ranked = sorted(map(float, probabilities[row]), reverse=True)
                reasons.append(decide(evidence, ranked, thresholds))
            results.append((classes, probabilities, permuted, reasons))
    return results


def _fit_predict(
    model: Any, train_x: Any, train_y: np.ndarray, test_x: Any
) -> tuple[list[str], np.ndarray]:
    """Fit and return the classes and test probabilities; one training class gets probability 1."""
    classes = sorted(set(train_y))
    if len(classes) == 1:
        return classes, np.ones((test_x.shape[0], 1))
    model.fit(train_x, train_y)
    return [str(c) for c in model.classes_], model.predict_proba(test_x)


def _summarise(
    corpus: Corpus,
    unit: str,
    scheme: str,
    n_folds: int,
    chance: float,
    held_out: list[HeldOut],
    permuted_correct: np.ndarray,
    method: str,
) -> Evaluation:
    n = len(held_out)
    correct = sum(h.correct for h in held_out)
    attainable = [h for h in held_out if h.attainable]
    true = [h.true for h in held_out]
    predicted = [h.predicted for h in held_out]
    names = sorted(set(true) | set(predicted))
    matrix = confusion_matrix(true, predicted, labels=names)
    macro_f1 = f1_score(true, predicted, labels=corpus.outlets, average="macro", zero_division=0)
    p_value = None
    if method == "exact":
        p_value = float(np.mean(permuted_correct >= correct))
    elif method == "monte-carlo":
        p_value = float((1 + np.sum(permuted_correct >= correct)) / (1 + len(permuted_correct)))
    evaluation = Evaluation(
        corpus=os.fspath(corpus.root),
        unit=unit,
        scheme=scheme,
        n_folds=n_folds,
        documents=len(corpus.documents),
        outlets=corpus.outlets,
        held_out=held_out,
        accuracy=correct / n,
        open_set_accuracy=sum(h.open_set_correct for h in held_out) / n,
        abstentions=sum(h.abstained for h in held_out),
        attainable_accuracy=(sum(h.correct for h in attainable) / len(attainable))
        if attainable
        else None,
        macro_f1=float(macro_f1),
        confusion={"labels": names, "matrix": matrix.tolist()},
        chance=chance,
        ceiling=len(attainable) / n,
        p_value=p_value,
        permutations=len(permuted_correct),
        p_value_method=method,
    )
    evaluation.warnings = _warnings(evaluation)
    return evaluation


def _warnings(evaluation: Evaluation) -> list[str]:
    notes = []
    unattainable = [h for h in evaluation.held_out if not h.attainable]
    if len(unattainable) * 2 > len(evaluation.held_out):
        outlets = sorted({display_name(h.true) for h in unattainable})
        notes.append(
            f"{len(unattainable)} of {len(evaluation.held_out)} held-out {evaluation.unit}s are "
            f"unattainable: their outlet ({', '.join(outlets)}) had no training document in "
            f"that fold, so no model could name it. Accuracy cannot exceed the ceiling "
            f"{evaluation.ceiling:.2f}; judge the model by its attainable accuracy, and add "
            "articles"
        )
    elif unattainable:
        notes.append(
            f"{len(unattainable)} of {len(evaluation.held_out)} held-out {evaluation.unit}s are "
            "unattainable (their outlet had no training document in that fold)"
        )
    if evaluation.p_value_method == "skipped":
        notes.append(
            f"no p-value: with {evaluation.n_folds} folds, each label permutation costs another "
            "full evaluation; pass --permutations 19 (or more) to compute one"
        )
    if evaluation.p_value_method == "monte-carlo" and evaluation.permutations < 99:
        smallest = 1 / (1 + evaluation.permutations)
        notes.append(
            f"the p-value rests on {evaluation.permutations} permutations: it cannot be smaller "
            f"than {smallest:.3f}; pass --permutations for more"
        )
    return notes
