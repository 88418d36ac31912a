"""Scanning a long text for the passages that read like an outlet.

Republished copy rarely arrives whole: a few paragraphs pasted into a blog post, or two
outlets stitched together. :func:`scan` answers where each passage starts and ends, which
outlet it reads like, and how sure the model is.

How it works:

1. A window of ``window`` words slides over the text, ``step`` words at a time; the model
   scores each window as it would score a text (its probabilities, and the share of its
   character 5-grams the training corpus holds).
2. Each word takes the mean log-probability of every window covering it: evidence that
   changes smoothly from one passage to the next.
3. The text is cut into units at sentence ends and line breaks (a unit longer than ``step``
   words is cut every ``step`` words). A Viterbi pass gives each unit an outlet, or "unlike the
   corpus" where the covering windows' coverage is under the model's ``min_coverage``,
   maximising the evidence minus a penalty for each change: a change costs least at a line
   break, more at a sentence end, most inside a sentence. Boundaries therefore fall on paragraph
   breaks when there is one nearby.
4. Each run of units is then scored whole, as ``attrib predict`` would score it, and its
   answer is that prediction: an outlet, or ``unknown`` under the model's open-set rules (too
   short, too unlike the corpus, no clear winner). Neighbouring segments with the same answer
   are merged and scored again until no two neighbours agree. A run shorter than the model's
   ``min_words`` first joins the neighbour its evidence prefers.

Segments cover the text exactly: the first starts at 0, each starts where the previous one
ends (whitespace between passages belongs to the passage before it), the last ends at
``len(text)``. Offsets are in characters (code points) of the text as given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Any, TypeVar

import numpy as np

from attrib.errors import OptionError
from attrib.explanation.overlap import Match, ShingleIndex
from attrib.modeling.model import Model, Prediction
from attrib.modeling.openset import check_thresholds
from attrib.options import RUN_OPTIONS, check

#: Words per window, and words between the starts of two windows: chosen by measurement on the
#: development corpus (``bench/scan.py``; the README's benchmark section has the numbers).
WINDOW_WORDS: int = RUN_OPTIONS["window"].default
STEP_WORDS: int = RUN_OPTIONS["step"].default
#: What changing outlet at a line break costs, in units of per-word log-probability (nats):
#: the higher, the more evidence a passage needs to stand apart. Chosen by measurement too.
CHANGE_PENALTY = 24.0
#: The cost at a line break, a sentence end and inside a sentence, relative to that.
_PLACE_COSTS = np.array([1.0, 4 / 3, 2.0])
#: When a boundary is refined, what a line break and a sentence end add to the fit of the windows
#: on either side (log-probabilities): a nudge towards paragraph breaks where the fit is a tie.
_PLACE_BONUS = np.array([0.1, 0.05, 0.0])
#: How much a word under the coverage threshold favours "unlike the corpus" (and a word above it
#: disfavours it), in the same units, relative to the best outlet's evidence.
UNLIKE_BONUS = 0.5
#: Windows (or passages) scored at a time: bounded memory for long texts.
WINDOW_BATCH = 512
#: The smallest probability taken into account (log of 0 is not evidence, it is a rounding).
_FLOOR = 1e-6

_T = TypeVar("_T")
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")

# How a unit starts: after a line break, after a sentence end, or inside a sentence.
_LINE, _SENTENCE, _INSIDE = 0, 1, 2


@dataclass(frozen=True)
class Segment:
    """A passage of a scanned text and the model's answer for it, scored whole.

    Attributes
    ----------
    start, end : int
        Character offsets in the original text: ``text[start:end]`` is the passage.
    words : int
        Words (runs of non-space characters) in the passage.
    prediction : Prediction
        The passage's scores, best first, and the reason to abstain if there is one.
    overlap : Match or None
        The training document holding most of the passage word for word (8-word runs), when
        one holds any and the scan was given the training corpus.
    """

    start: int
    end: int
    words: int
    prediction: Prediction
    overlap: Match | None = None

    @property
    def outlet(self) -> str:
        """The outlet the passage reads like, or ``"unknown"``."""
        return self.prediction.outlet

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``start``, ``end``, ``outlet``, ``score``, ``runner_up``, ``overlap``
        (``{"document", "outlet", "share"}`` or null), and ``words``, ``scores``, ``reason``."""
        answer = self.prediction.to_dict()
        return {
            "start": self.start,
            "end": self.end,
            **{key: answer[key] for key in ("outlet", "score", "runner_up")},
            "overlap": None if self.overlap is None else _match_dict(self.overlap),
            "words": self.words,
            **{key: answer[key] for key in ("scores", "reason")},
        }


def _match_dict(match: Match) -> dict[str, Any]:
    return {"document": match.document, "outlet": match.outlet, "share": round(match.share, 4)}


@dataclass(frozen=True)
class Scan:
    """A scanned text: its segments in order, and the whole text's own answer."""

    text: str
    segments: list[Segment]
    prediction: Prediction
    window: int
    step: int

    @property
    def outlet(self) -> str:
        """The whole text's answer, as ``attrib predict`` gives it."""
        return self.prediction.outlet

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``segments`` (see :meth:`Segment.to_dict`), ``outlet`` (the whole
        text's answer), ``score``, ``runner_up``, ``reason``, ``window`` and ``step``."""
        answer = self.prediction.to_dict()
        return {
            "segments": [segment.to_dict() for segment in self.segments],
            **{key: answer[key] for key in ("outlet", "score", "runner_up", "reason")},
            "window": self.window,
            "step": self.step,
        }


def scan(
    model: Model,
    text: str,
    *,
    window: int = WINDOW_WORDS,
    step: int = STEP_WORDS,
    penalty: float = CHANGE_PENALTY,
    thresholds: dict[str, float] | None = None,
    overlap: ShingleIndex | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Scan:
    """Find the passages of ``text`` that read like one outlet.

    Parameters
    ----------
    model : Model
    text : str
    window : int
        Words per window (10 to 100,000). Passages much shorter than half a window are not
        found.
    step : int
        Words between the starts of two windows (1 to ``window``).
    penalty : float
        What a change of outlet at a line break costs (:data:`CHANGE_PENALTY`); higher finds
        fewer, longer passages.
    thresholds : dict, optional
        Overrides of the model's abstention thresholds, as for :meth:`Model.predictions`.
    overlap : ShingleIndex, optional
        The training corpus's index: each segment then reports its verbatim overlap.
    progress : callable, optional
        Called as ``progress(windows_scored, windows)`` after each batch of windows.

    Returns
    -------
    Scan
        Segments covering the text without gaps or overlaps; a text with one voice comes back
        as one segment, and a text of at most ``window`` words always does.

    Raises
    ------
    OptionError
        If ``window``, ``step`` or ``penalty`` is out of bounds.

    Examples
    --------
    >>> import attrib
    >>> article = attrib.load_corpus().documents[1].text  # an RT article the model was trained on
    >>> found = attrib.scan(attrib.train(), article)
    >>> [(s.outlet, s.start, s.end == len(article)) for s in found.segments]
    [('rt', 0, True)]
    """
    if not isinstance(text, str):
        raise TypeError("scan takes one text (a str)")
    _check_settings(window, step, penalty)
    words = np.array([m.span() for m in _WORD.finditer(text)], dtype=np.int64).reshape(-1, 2)
    whole = model.predictions([text], thresholds=thresholds)[0]  # checks ``thresholds`` too
    limits = {**model.thresholds, **check_thresholds(thresholds or {})}
    if len(words) <= window:
        runs = [(0, len(words))]
    else:
        units, kinds = _units(text, words, step)
        evidence = _evidence(model, text, words, (window, step), limits["min_coverage"], progress)
        states = _viterbi(evidence, units, kinds, penalty)
        runs = _runs(units, states)
        labelled = _absorb_short(runs, evidence, states, units, limits["min_words"])
        runs = _refine(model, text, words, labelled, (units[:, 0], kinds), window)
    segments = _settle(model, text, words, runs, thresholds, whole)
    if overlap is not None:
        segments = [_with_overlap(s, text, overlap) for s in segments]
    return Scan(text, segments, whole, window, step)


def _check_settings(window: int, step: int, penalty: float) -> None:
    check("window", window)
    check("step", step)
    if step > window:
        raise OptionError(f"step must not exceed the window ({window} words), not {step}")
    if (
        isinstance(penalty, bool)
        or not isinstance(penalty, (int, float))
        or not (0 <= penalty < float("inf"))
    ):
        raise OptionError(f"penalty must be a number from 0 up, not {penalty!r}")


def _units(text: str, words: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """The units a boundary may fall between: ``(first word, end word)`` rows, and how each
    unit starts (after a line break, a sentence end, or inside a sentence)."""
    starts = [0]
    kinds = [_LINE]
    since = 0
    for i in range(1, len(words)):
        gap = text[words[i - 1, 1] : words[i, 0]]
        if "\n" in gap or "\r" in gap or "\u2029" in gap:
            kind = _LINE
        elif _SENTENCE_END.search(text[words[i - 1, 0] : words[i - 1, 1]]):
            kind = _SENTENCE
        elif i - since >= step:
            kind = _INSIDE
        else:
            continue
        starts.append(i)
        kinds.append(kind)
        since = i
    bounds = np.array([*starts, len(words)], dtype=np.int64)
    return np.column_stack([bounds[:-1], bounds[1:]]), np.array(kinds, dtype=np.int64)


def _window_starts(n: int, window: int, step: int) -> np.ndarray:
    starts = np.arange(0, n - window + 1, step, dtype=np.int64)
    if starts[-1] + window < n:
        starts = np.append(starts, n - window)
    return starts


@dataclass(frozen=True)
class WordEvidence:
    """Per-word evidence, constant between consecutive ``points`` (word positions): the mean
    over covering windows of each outlet's log-probability, then the "unlike" column."""

    points: np.ndarray
    means: np.ndarray  # (pieces, outlets + 1)
    cumulative: np.ndarray  # (pieces + 1, outlets + 1): integral up to each point

    def total(self, first: np.ndarray, end: np.ndarray) -> np.ndarray:
        """The summed evidence of words ``[first, end)``, one row per range."""
        result: np.ndarray = self._integral(end) - self._integral(first)
        return result

    def _integral(self, at: np.ndarray) -> np.ndarray:
        piece = np.clip(np.searchsorted(self.points, at, side="right") - 1, 0, len(self.means) - 1)
        into = (at - self.points[piece])[:, None]
        result: np.ndarray = self.cumulative[piece] + into * self.means[piece]
        return result


def _evidence(
    model: Model,
    text: str,
    words: np.ndarray,
    sizes: tuple[int, int],
    limit: float,
    progress: Callable[[int, int], None] | None,
) -> WordEvidence:
    window, step = sizes
    starts = _window_starts(len(words), window, step)
    ends = starts + window
    columns = []
    for batch in range(0, len(starts), WINDOW_BATCH):
        chosen = slice(batch, batch + WINDOW_BATCH)
        texts = [
            text[words[s, 0] : words[e - 1, 1]]
            for s, e in zip(starts[chosen], ends[chosen], strict=True)
        ]
        logs, cleaned = _log_scores(model, texts)
        covered = np.array(model.coverage(cleaned))
        best = logs.max(axis=1)
        unlike = best + np.where(covered < limit, UNLIKE_BONUS, -UNLIKE_BONUS)
        columns.append(np.column_stack([logs, unlike]))
        if progress is not None:
            progress(min(batch + WINDOW_BATCH, len(starts)), len(starts))
    return integrate(starts, ends, np.concatenate(columns))


def _log_scores(model: Model, texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """The texts' log-probabilities (floored at :data:`_FLOOR`), and the texts cleaned."""
    cleaned, features = model.featurize(texts)
    return np.log(np.maximum(model.scorer.probabilities(features), _FLOOR)), cleaned


def integrate(starts: np.ndarray, ends: np.ndarray, values: np.ndarray) -> WordEvidence:
    """Per-word means of the ``values`` rows of windows ``[starts, ends)`` (which must cover
    every word), as piecewise-constant evidence."""
    points, where = np.unique(np.concatenate([starts, ends]), return_inverse=True)
    change = np.zeros((len(points), values.shape[1]))
    np.add.at(change, where[: len(starts)], values)
    np.subtract.at(change, where[len(starts) :], values)
    counts = np.zeros(len(points))
    np.add.at(counts, where[: len(starts)], 1)
    np.subtract.at(counts, where[len(starts) :], 1)
    sums = np.cumsum(change, axis=0)[:-1]
    means = sums / np.cumsum(counts)[:-1, None]
    cumulative = np.vstack([np.zeros(values.shape[1]), np.cumsum(np.diff(points)[:, None] * means,
                                                                   axis=0)])  # fmt: skip
    return WordEvidence(points, means, cumulative)


def _viterbi(
    evidence: WordEvidence, units: np.ndarray, kinds: np.ndarray, penalty: float
) -> np.ndarray:
    """The state (outlet column, or the last column for "unlike") of each unit that maximises
    the evidence minus the penalties of the changes."""
    emissions = evidence.total(units[:, 0], units[:, 1])
    penalties = penalty * _PLACE_COSTS[kinds]
    states = emissions.shape[1]
    back = np.zeros(emissions.shape, dtype=np.int64)
    score = emissions[0].copy()
    stay = np.arange(states)
    for u in range(1, len(units)):
        leader = int(np.argmax(score))
        switched = score[leader] - penalties[u]
        moves = score < switched
        back[u] = np.where(moves, leader, stay)
        score = np.where(moves, switched, score) + emissions[u]
    path = np.empty(len(units), dtype=np.int64)
    path[-1] = int(np.argmax(score))
    for u in range(len(units) - 1, 0, -1):
        path[u - 1] = back[u, path[u]]
    return path


def _runs(units: np.ndarray, states: np.ndarray) -> list[tuple[int, int]]:
    """Word ranges ``[first, end)`` of the maximal runs of units in one state."""
    changes = np.flatnonzero(np.diff(states)) + 1
    cuts = [0, *changes.tolist(), len(units)]
    return [(int(units[a, 0]), int(units[b - 1, 1])) for a, b in pairwise(cuts)]


def _absorb_short(
    runs: list[tuple[int, int]],
    evidence: WordEvidence,
    states: np.ndarray,
    units: np.ndarray,
    shortest: float,
) -> list[list[int]]:
    """Join each run shorter than ``min_words`` to the neighbour whose state its words favour;
    ``[first, end, state]`` for each run."""
    state_of = {int(units[u, 0]): int(states[u]) for u in range(len(units))}
    labelled = [[a, b, state_of[a]] for a, b in runs]
    while len(labelled) > 1:
        short = [i for i, (a, b, _) in enumerate(labelled) if b - a < shortest]
        if not short:
            break
        i = min(short, key=lambda j: labelled[j][1] - labelled[j][0])
        a, b, _ = labelled[i]
        totals = evidence.total(np.array([a]), np.array([b]))[0]
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(labelled)]
        j = max(neighbours, key=lambda k: totals[labelled[k][2]])
        first, last = sorted((i, j))
        merged = [labelled[first][0], labelled[last][1], labelled[j][2]]
        labelled[first : last + 1] = [merged]
        # Neighbours in one state are one run.
        labelled = _join_equal(labelled)
    return labelled


def _refine(
    model: Model,
    text: str,
    words: np.ndarray,
    labelled: list[list[int]],
    places: tuple[np.ndarray, np.ndarray],
    window: int,
) -> list[tuple[int, int]]:
    """Move each boundary between two outlets to the unit start near it (within half a window,
    and half-way to the next boundary) where the window before reads most like the first outlet
    and the window after most like the second: sharper than the centred windows' evidence."""
    starts, kinds = places
    outlets = len(model.labels)
    boundaries = [run[1] for run in labelled[:-1]]
    tasks: list[tuple[int, int, float]] = []  # (boundary, candidate, its place's bonus)
    texts: list[str] = []
    for i, here in enumerate(boundaries):
        (first, _, before), (_, end, after) = labelled[i][:3], labelled[i + 1][:3]
        if before >= outlets or after >= outlets:  # "unlike the corpus" keeps its boundary
            continue
        low = max(here - window // 2, first + (here - first + 1) // 2)
        high = min(here + window // 2, here + (end - here) // 2)
        near = np.flatnonzero((starts >= low) & (starts <= high))
        for c, bonus in zip(starts[near].tolist(), _PLACE_BONUS[kinds[near]].tolist(), strict=True):
            left = words[max(first, c - window), 0], words[c - 1, 1]
            right = words[c, 0], words[min(end, c + window) - 1, 1]
            tasks.append((i, c, bonus))
            texts += [text[slice(*left)], text[slice(*right)]]
    if tasks:
        logs = np.concatenate([_log_scores(model, chunk)[0] for chunk in _chunks(texts)])
        best: dict[int, tuple[float, int, int]] = {}
        for k, (i, c, bonus) in enumerate(tasks):
            fit = logs[2 * k, labelled[i][2]] + logs[2 * k + 1, labelled[i + 1][2]] + bonus
            key = (float(fit), -abs(c - boundaries[i]), c)
            if i not in best or key > best[i]:
                best[i] = key
        for i, (_, _, c) in best.items():
            boundaries[i] = c
    cuts = [0, *boundaries, labelled[-1][1]]
    return list(pairwise(cuts))


def _chunks(items: list[_T]) -> list[list[_T]]:
    """``items`` in lists of :data:`WINDOW_BATCH` (bounded memory for long texts)."""
    return [items[i : i + WINDOW_BATCH] for i in range(0, len(items), WINDOW_BATCH)]


def _join_equal(labelled: list[list[int]]) -> list[list[int]]:
    joined: list[list[int]] = []
    for a, b, state in labelled:
        if joined and joined[-1][2] == state:
            joined[-1][1] = b
        else:
            joined.append([a, b, state])
    return joined


def _settle(
    model: Model,
    text: str,
    words: np.ndarray,
    runs: list[tuple[int, int]],
    thresholds: dict[str, float] | None,
    whole: Prediction | None = None,
) -> list[Segment]:
    """Score each run whole; merge neighbours with the same answer until none agree. ``whole``
    is the whole text's prediction, if known (a run of every word is the whole text)."""
    scored: dict[tuple[int, int], Prediction] = {}
    if whole is not None:
        scored[(0, len(words))] = whole

    def span(run: tuple[int, int]) -> tuple[int, int]:
        a, b = run
        start = 0 if a == 0 else int(words[a, 0])
        end = len(text) if b == len(words) else int(words[b, 0])
        return start, end

    while True:
        new = [run for run in runs if run not in scored]
        for chunk in _chunks(new):
            texts = [text[slice(*span(run))] for run in chunk]
            scored.update(zip(chunk, model.predictions(texts, thresholds=thresholds), strict=True))
        merged = [
            (group[0][0], group[-1][1])
            for group in (list(g) for _, g in groupby(runs, key=lambda r: scored[r].outlet))
        ]
        if merged == runs:
            break
        runs = merged
    return [Segment(*span(run), run[1] - run[0], scored[run]) for run in runs]


def _with_overlap(segment: Segment, text: str, index: ShingleIndex) -> Segment:
    best = index.overlap(text[segment.start : segment.end]).best
    return Segment(segment.start, segment.end, segment.words, segment.prediction, best)
