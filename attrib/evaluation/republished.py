"""Does attribution survive republication? The same folds, with the held-out texts republished.

Each fold's model is trained on its training documents as they are; its held-out documents are
predicted as they are (the ``none`` row, the same numbers as :func:`attrib.evaluate`'s forced
choice) and after each republication transform of :mod:`attrib.republish`. Beside every row,
the plain pipeline a user would write by hand (character 2-5-grams within words and word 1-2-
grams, TF-IDF, a linear SVM, no cleaning), trained and tested on the same folds, shows whether
a drop is attrib's or the task's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from attrib.errors import EvaluationError
from attrib.evaluation.evaluate import _splits
from attrib.modeling.pipeline import build_pipeline
from attrib.options import check
from attrib.reading.corpus import Corpus, load_corpus, require_outlets
from attrib.republish import TRANSFORMS, Transform
from attrib.scale.parallel import Progress

#: The row of the texts as they are.
UNTOUCHED = "none"


@dataclass(frozen=True)
class Row:
    """Forced-choice scores on the held-out texts after one transform, attrib's and the plain
    pipeline's; ``drop`` is the fall in macro-F1 from the untransformed row (positive: worse)."""

    transform: str
    accuracy: float
    macro_f1: float
    drop: float
    plain_accuracy: float | None
    plain_macro_f1: float | None
    plain_drop: float | None


@dataclass
class Robustness:
    """What :func:`evaluate_republished` found. ``to_dict()`` gives the JSON form."""

    corpus: str
    scheme: str
    n_folds: int
    documents: int
    seed: int
    rows: list[Row]
    ceiling: float
    predictions: dict[str, list[str]]
    warnings: list[str] = field(default_factory=list)

    def row(self, transform: str) -> Row:
        """The row of one transform."""
        return next(r for r in self.rows if r.transform == transform)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        result = asdict(self)
        result["rows"] = [asdict(r) for r in self.rows]
        return result


def plain_pipeline() -> Pipeline:
    """The pipeline a user would write by hand, attrib's yardstick: char_wb 2-5 and word 1-2
    TF-IDF (sublinear), a LinearSVC, no cleaning."""
    return Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        (
                            "char",
                            TfidfVectorizer(
                                analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
                            ),
                        ),
                        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                    ]
                ),
            ),
            ("classifier", LinearSVC()),
        ]
    )


def document_seed(seed: int, index: int) -> int:
    """The transforms' seed for the document at ``index``: each document its own draw."""
    return seed * 1_000_003 + index


def evaluate_republished(
    corpus: Corpus | str | os.PathLike[str] | None = None,
    *,
    folds: int | None = None,
    seed: int = 0,
    transforms: Mapping[str, Transform] | None = None,
    baseline: bool = True,
    progress: Progress | None = None,
    **overrides: Any,
) -> Robustness:
    """Score held-out documents as published and after each republication transform.

    Parameters
    ----------
    corpus : Corpus, str or path-like, optional
        The corpus, or its directory; the bundled corpus when omitted.
    folds : int, optional
        Stratified K-fold (shuffled with ``seed``); leave-one-out when omitted.
    seed : int
        Seed of the folds and of the transforms (each document gets its own, see
        :func:`document_seed`).
    transforms : mapping of str to transform, optional
        The rows after ``none``; :data:`attrib.republish.TRANSFORMS` by default. Only the
        held-out texts are transformed.
    baseline : bool
        Also train and score the plain pipeline (:func:`plain_pipeline`) on the same folds.
    progress : callable, optional
        Called as ``progress(folds_done, folds_total)``.
    **overrides
        Model options, as for :func:`attrib.build_pipeline`.

    Returns
    -------
    Robustness

    Raises
    ------
    EvaluationError
        If the corpus has fewer than two outlets, or ``folds`` does not fit it.

    Examples
    --------
    >>> import attrib.republish
    >>> from attrib.evaluation.republished import evaluate_republished
    >>> only = {"typography": attrib.republish.typography}
    >>> report = evaluate_republished(transforms=only, baseline=False)
    >>> [row.transform for row in report.rows]
    ['none', 'typography']
    """
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    check("folds", folds)
    check("seed", seed)
    require_outlets(corpus, "evaluating attribution", EvaluationError)
    transforms = dict(TRANSFORMS if transforms is None else transforms)
    if UNTOUCHED in transforms:
        raise EvaluationError(f"{UNTOUCHED!r} names the untransformed row; rename the transform")
    texts, labels = corpus.texts, np.array(corpus.labels, dtype=object)
    n = len(texts)
    splits = _splits(labels, np.arange(n), "document", folds, seed, n)
    names = [UNTOUCHED, *transforms]
    predicted = {name: np.empty(n, dtype=object) for name in names}
    plain = {name: np.empty(n, dtype=object) for name in names}
    attainable = np.zeros(n, dtype=bool)
    for done, (train, test) in enumerate(splits, 1):
        attainable[test] = np.isin(labels[test], labels[train])
        held_out = {UNTOUCHED: [texts[i] for i in test]}
        for name, transform in transforms.items():
            held_out[name] = [transform(texts[i], seed=document_seed(seed, i)) for i in test]
        models = [(predicted, build_pipeline(**overrides))]
        if baseline:
            models.append((plain, plain_pipeline()))
        for into, model in models:
            _fit(model, [texts[i] for i in train], labels[train])
            for name in names:
                into[name][test] = _predict(model, held_out[name], labels[train])
        if progress is not None:
            progress(done, len(splits))
    rows = []
    outlets = corpus.outlets
    base_f1 = _scores(labels, predicted[UNTOUCHED], outlets)[1]
    plain_base_f1 = _scores(labels, plain[UNTOUCHED], outlets)[1] if baseline else 0.0
    for name in names:
        accuracy, macro_f1 = _scores(labels, predicted[name], outlets)
        plain_scores: tuple[float | None, float | None] = (None, None)
        plain_drop = None
        if baseline:
            plain_scores = _scores(labels, plain[name], outlets)
            plain_drop = plain_base_f1 - plain_scores[1]
        rows.append(Row(name, accuracy, macro_f1, base_f1 - macro_f1, *plain_scores, plain_drop))
    scheme = "leave-one-out" if folds is None else f"stratified {folds}-fold"
    report = Robustness(
        corpus=os.fspath(corpus.root),
        scheme=scheme,
        n_folds=len(splits),
        documents=n,
        seed=seed,
        rows=rows,
        ceiling=float(attainable.mean()),
        predictions={name: [str(p) for p in predicted[name]] for name in names},
    )
    if report.ceiling < 1:
        report.warnings.append(
            f"{int((~attainable).sum())} of {n} held-out documents are unattainable (their outlet "
            f"had no training document in that fold): no row can exceed accuracy "
            f"{report.ceiling:.2f}, and the drops compare numbers near that floor"
        )
    return report


def _fit(model: Pipeline, texts: list[str], labels: np.ndarray) -> None:
    if len(set(labels)) > 1:
        model.fit(texts, labels)


def _predict(model: Pipeline, texts: list[str], train_labels: np.ndarray) -> list[str]:
    """Predictions; a fold with one training outlet can only name that outlet."""
    classes = sorted(set(train_labels))
    if len(classes) == 1:
        return [classes[0]] * len(texts)
    return [str(p) for p in model.predict(texts)]


def _scores(labels: np.ndarray, predicted: np.ndarray, outlets: list[str]) -> tuple[float, float]:
    accuracy = float(np.mean(predicted == labels))
    macro_f1 = f1_score(
        list(labels), list(predicted), labels=outlets, average="macro", zero_division=0
    )
    return accuracy, float(macro_f1)
