"""Scoring with a fitted model's arrays: what the pipeline's ``predict_proba`` computes, as data.

Once trained, attrib's pipeline is nothing but data: the cleaning options, each view's counter
(its parameters and vocabulary) and IDF weights, and the linear classifier's coefficients and
intercepts. A :class:`Scorer` holds that data and computes, with NumPy and SciPy's sparse
matrices, what the pipeline computes: the cleaned texts, each view's counts weighted by TF-IDF and
normalised to unit length, side by side, and the classifier's probabilities. It is what a model
file stores (:mod:`attrib.storage.modelfile`) and what every model scores with, so that a
loaded model never imports scikit-learn (about a second of start-up) and scores the same
whichever scikit-learn is installed. :func:`~attrib.modeling.pipeline.rebuild_pipeline` makes
the scikit-learn pipeline again for the code that needs one (explanations, refitting);
``tests/test_scoring.py`` checks the two agree to 1e-12.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from attrib.features.cleaning import clean_texts
from attrib.features.counting import CHUNK_CHARS, Counting, text_pieces

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

#: How a linear classifier's decision values become probabilities: scikit-learn's
#: ``LogisticRegression`` (multinomial) uses ``softmax``; ``SGDClassifier(loss="log_loss")``
#: (bounded training) fits one model per outlet, whose logistic scores are then normalised
#: (``one-vs-rest``). With two outlets both are the logistic of one decision value.
PROBABILITIES = ("softmax", "one-vs-rest")


@dataclass(frozen=True)
class ViewPart:
    """One view of the features: its counter, IDF weights and term-frequency setting."""

    name: str
    counter: Counting
    idf: np.ndarray
    sublinear_tf: bool

    def weigh(self, counts: Any) -> sp.csr_matrix:
        """TF-IDF of ``counts``, each row scaled to unit length (``TfidfTransformer``'s)."""
        weighted = sp.csr_matrix(counts, dtype=np.float64, copy=True)
        if self.sublinear_tf:
            np.log(weighted.data, out=weighted.data)
            weighted.data += 1.0
        weighted.data *= self.idf[weighted.indices]
        rows = np.repeat(np.arange(weighted.shape[0]), np.diff(weighted.indptr))
        norms = np.sqrt(np.bincount(rows, weights=weighted.data**2, minlength=weighted.shape[0]))
        weighted.data /= norms[rows]  # a row without values has nothing to divide
        return weighted


@dataclass(frozen=True)
class LinearPart:
    """A linear classifier: ``decision = features @ coef.T + intercept``, then probabilities.

    ``coef`` has one row per outlet, or one row in all with two outlets (the second's decision).
    """

    coef: np.ndarray
    intercept: np.ndarray
    probability: str

    def probabilities(self, features: Any) -> np.ndarray:
        """One row per text, one probability per outlet; each row sums to 1."""
        decision: np.ndarray = np.asarray(features @ self.coef.T) + self.intercept
        if self.coef.shape[0] == 1:
            second = _logistic(decision[:, 0])
            return np.stack([1 - second, second], axis=1)
        if self.probability == "softmax":
            decision -= decision.max(axis=1, keepdims=True)
            np.exp(decision, out=decision)
            decision /= decision.sum(axis=1, keepdims=True)
            return decision
        scores = _logistic(decision)
        totals = scores.sum(axis=1)
        scores[totals == 0] = 1.0  # every outlet's score underflowed: call it even
        totals[totals == 0] = scores.shape[1]
        scores /= totals[:, None]
        return scores


def _logistic(values: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709: logistic 0
        result: np.ndarray = 1.0 / (1.0 + np.exp(-values))
    return result


class Scorer:
    """A fitted attrib pipeline as data: cleaning options, views, classifier.

    Parameters
    ----------
    labels : list of str
        The outlets, in the classifier's order.
    cleaning : dict
        ``mask``, ``distort_words`` and ``typography`` (:func:`~attrib.features.cleaning.
        clean_texts`).
    views : list of ViewPart
        In the order of the feature columns.
    linear : LinearPart
    """

    def __init__(
        self,
        labels: Sequence[str],
        cleaning: dict[str, Any],
        views: Sequence[ViewPart],
        linear: LinearPart,
    ) -> None:
        self.labels = [str(label) for label in labels]
        self.cleaning = dict(cleaning)
        self.views = list(views)
        self.linear = linear

    @property
    def n_features(self) -> int:
        """Columns of the feature matrix: every view's, side by side."""
        return sum(view.counter.n_features for view in self.views)

    def clean(self, texts: Sequence[str]) -> list[str]:
        """The texts after the model's cleaning step."""
        return clean_texts(texts, **self.cleaning)

    def features(self, cleaned: Sequence[str]) -> sp.csr_matrix:
        """The feature rows of cleaned texts; a text longer than :data:`~attrib.features.views.
        CHUNK_CHARS` is counted piece by piece, so memory stays bounded."""
        cleaned = list(cleaned)
        long = [i for i, text in enumerate(cleaned) if len(text) > CHUNK_CHARS]
        if not long:
            return self._features(cleaned)
        short = [i for i, text in enumerate(cleaned) if len(text) <= CHUNK_CHARS]
        rows: dict[int, Any] = {}
        if short:
            matrix = self._features([cleaned[i] for i in short])
            rows.update((i, matrix[k]) for k, i in enumerate(short))
        for i in long:
            rows[i] = self.long_features(cleaned[i], CHUNK_CHARS)
        return sp.vstack([rows[i] for i in range(len(cleaned))], format="csr")

    def probabilities(self, features: Any) -> np.ndarray:
        """One row per text, one probability per outlet in :attr:`labels` order."""
        return self.linear.probabilities(features)

    def _features(self, cleaned: list[str]) -> sp.csr_matrix:
        parts = [view.weigh(view.counter.transform(cleaned)) for view in self.views]
        return sp.hstack(parts, format="csr")

    def long_features(self, text: str, size: int = CHUNK_CHARS) -> sp.csr_matrix:
        """One cleaned text's row, its n-grams counted in pieces of ``size`` characters: the row
        of the whole text but for the few n-grams that span a cut."""
        pieces = text_pieces(text, size)
        rows = []
        for view in self.views:
            counts = sum(
                (sp.csr_matrix(view.counter.transform([piece]).sum(axis=0)) for piece in pieces),
                sp.csr_matrix((1, view.counter.n_features), dtype=np.int64),
            )
            rows.append(view.weigh(counts))
        return sp.hstack(rows, format="csr")

    # -- to and from scikit-learn ------------------------------------------------------------

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> Scorer:
        """The data of a fitted pipeline from :func:`~attrib.modeling.pipeline.build_pipeline`
        or the bounded trainer (:mod:`attrib.scale.bounded`); its arrays are shared, not copied.
        """
        cleaner = pipeline.named_steps["clean"]
        views = [
            ViewPart(
                name,
                view.named_steps["count"],
                np.asarray(view.named_steps["tfidf"].idf_, dtype=np.float64),
                bool(view.named_steps["tfidf"].sublinear_tf),
            )
            for name, view in pipeline.named_steps["features"].transformer_list
        ]
        classifier = pipeline.named_steps["classifier"]
        if type(classifier).__name__ == "SGDClassifier":
            probability = "one-vs-rest"
        elif type(classifier).__name__ == "LogisticRegression":
            probability = "softmax"
        else:
            raise TypeError(f"cannot score with a {type(classifier).__name__}")
        linear = LinearPart(
            np.asarray(classifier.coef_, dtype=np.float64),
            np.asarray(classifier.intercept_, dtype=np.float64),
            probability,
        )
        cleaning = {k: getattr(cleaner, k) for k in ("mask", "distort_words", "typography")}
        return cls(list(classifier.classes_), cleaning, views, linear)
