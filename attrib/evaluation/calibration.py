"""Calibrating the abstention margin from leave-one-out scores: an evaluation concern.

``attrib train --calibrate-threshold`` evaluates the corpus (leave-one-out, the model's own
options) and keeps the margin below which answering does more harm than good.
"""

from __future__ import annotations

import warnings
from typing import Any

from attrib.errors import AttribWarning
from attrib.evaluation.evaluate import evaluate
from attrib.modeling.openset import DEFAULT_THRESHOLDS
from attrib.reading.corpus import Corpus

#: Fewest documents, and fewest per outlet, for --calibrate-threshold to choose a margin.
CALIBRATION_MIN_DOCUMENTS = 20
CALIBRATION_MIN_PER_OUTLET = 3


def open_set_thresholds(
    corpus: Corpus, options: dict[str, Any], *, calibrate: bool
) -> dict[str, Any]:
    """The abstention thresholds to save with a model, calibrated on the corpus if asked."""
    thresholds = dict(DEFAULT_THRESHOLDS)
    if not calibrate:
        return {"thresholds": thresholds, "calibrated": False, "how": "defaults"}
    smallest = min(s.documents for s in corpus.stats().values())
    if len(corpus.documents) < CALIBRATION_MIN_DOCUMENTS or smallest < CALIBRATION_MIN_PER_OUTLET:
        how = (
            f"not calibrated: {len(corpus.documents)} documents, {smallest} in the smallest "
            f"outlet; calibration needs {CALIBRATION_MIN_DOCUMENTS} documents and "
            f"{CALIBRATION_MIN_PER_OUTLET} per outlet. Kept the default margin "
            f"{thresholds['min_margin']:.2f}"
        )
        warnings.warn(how, AttribWarning, stacklevel=3)
        return {"thresholds": thresholds, "calibrated": False, "how": how}
    report = evaluate(corpus, permutations=0, **options)
    margins = [h.score - (h.runner_up_score or 0.0) for h in report.held_out]
    thresholds["min_margin"] = choose_margin(margins, [h.correct for h in report.held_out])
    how = (
        f"min_margin {thresholds['min_margin']:.3f} chosen from leave-one-out scores of "
        f"{len(report.held_out)} documents (forced-choice accuracy {report.accuracy:.2f})"
    )
    if thresholds["min_margin"] == 0.0:
        how += (
            ": abstaining on close calls is off, since on these scores every answer did better "
            "than abstaining (texts too short or too unlike the corpus still get unknown)"
        )
    return {"thresholds": thresholds, "calibrated": True, "how": how}


def choose_margin(margins: list[float], correct: list[bool]) -> float:
    """The margin threshold that maximises right answers minus wrong ones, smallest on ties.

    ``margins`` and ``correct`` describe held-out predictions (leave-one-out); abstaining on a
    prediction scores 0, answering scores +1 if right and -1 if wrong.
    """
    candidates = sorted({0.0, *margins})
    best, best_net = 0.0, None
    for threshold in candidates:
        net = sum(
            (1 if ok else -1) for m, ok in zip(margins, correct, strict=True) if m >= threshold
        )
        if best_net is None or net > best_net:
            best, best_net = threshold, net
    return best
