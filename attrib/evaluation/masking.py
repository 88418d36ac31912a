"""The same evaluation under each masking mode, side by side: signatures against style."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from attrib.evaluation.evaluate import Evaluation, evaluate
from attrib.explanation.explain import top_features
from attrib.modeling.pipeline import DEFAULTS
from attrib.modeling.training import train
from attrib.reading.corpus import Corpus, load_corpus
from attrib.scale.parallel import Progress


@dataclass
class MaskingComparison:
    """The same evaluation under each masking mode, with each mode's strongest features."""

    evaluations: dict[str, Evaluation]
    top_features: dict[str, dict[str, list[str]]]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: per mode, the evaluation (with folds) and the top features per outlet."""
        return {
            mode: {"evaluation": e.to_dict(), "top_features": self.top_features[mode]}
            for mode, e in self.evaluations.items()
        }


def compare_masking(
    corpus: Corpus | str | os.PathLike[str] | None = None,
    *,
    modes: Sequence[str] = ("none", "signatures", "distort"),
    top: int = 5,
    progress: Progress | None = None,
    **options: Any,
) -> MaskingComparison:
    """Evaluate under each masking mode, and list each mode's top features per outlet.

    Parameters
    ----------
    corpus : Corpus, str or path-like, optional
        The corpus; the bundled one when omitted.
    modes : sequence of str
        Masking modes to compare.
    top : int
        Features listed per outlet and mode (from a model trained on the whole corpus).
    progress : callable, optional
        Called as ``progress(done, total)`` over all modes' folds.
    **options
        Passed to :func:`evaluate` (``folds``, ``unit``, ``jobs``, model options...).
    """
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    evaluations: dict[str, Evaluation] = {}
    features: dict[str, dict[str, list[str]]] = {}
    for number, mode in enumerate(modes):

        def overall(done: int, total: int, number: int = number) -> None:
            if progress is not None:
                progress(number * total + done, len(modes) * total)

        evaluations[mode] = evaluate(corpus, mask=mode, progress=overall, **options)
        model_options = {k: v for k, v in options.items() if k in DEFAULTS}
        model = train(corpus, mask=mode, **model_options)
        features[mode] = {
            label: [f.name for f in found] for label, found in top_features(model, top).items()
        }
    return MaskingComparison(evaluations, features)
