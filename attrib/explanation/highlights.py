"""Where a text's evidence lies: the text cut into runs of characters, each marked with the
outlet its characters push towards most, and the n-grams behind each run (for a hover).

Each feature's contribution is spread evenly over the characters of its spans; a character is
marked for the explained outlet it pushes towards most, strongly when that push is at least half
the strongest push anywhere in the text, weakly when it is at least :data:`WEAK` of it. The
terminal, the HTML report and the web page all draw these runs, so they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

#: Share of the strongest push from which a character is marked strongly (level 2) or weakly (1).
STRONG = 0.5
WEAK = 0.15
#: N-grams listed per run; the rest are counted.
HOVER = 8


class _Contribution(Protocol):
    """What is read of a :class:`~attrib.explanation.explain.Contribution`."""

    @property
    def feature(self) -> str: ...
    @property
    def contribution(self) -> float: ...
    @property
    def spans(self) -> list[tuple[int, int]]: ...


class _Outlet(Protocol):
    """What is read of an :class:`~attrib.explanation.explain.OutletExplanation`."""

    @property
    def outlet(self) -> str: ...
    @property
    def contributions(self) -> Sequence[_Contribution]: ...


@dataclass(frozen=True)
class Highlight:
    """One run ``[start, end)`` of the explained (cleaned) text marked for ``outlet``.

    ``level`` is 2 (strong) or 1 (weak); ``ngrams`` are the outlet's n-grams overlapping the run
    with their contributions, strongest (by size) first, at most :data:`HOVER` of them, and
    ``more`` counts the others.
    """

    start: int
    end: int
    outlet: str
    level: int
    ngrams: list[tuple[str, float]]
    more: int

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "start": self.start,
            "end": self.end,
            "outlet": self.outlet,
            "level": self.level,
            "ngrams": [{"feature": f, "contribution": c} for f, c in self.ngrams],
            "more": self.more,
        }


def char_strengths(text: str, outlets: Sequence[_Outlet]) -> dict[str, np.ndarray]:
    """Per explained outlet, how much each character of ``text`` pushes towards it."""
    length = len(text)
    strengths = {}
    for o in outlets:
        starts, ends, shares = [], [], []
        for c in o.contributions:
            for start, end in c.spans:
                if end > start:
                    starts.append(start)
                    ends.append(end)
                    shares.append(c.contribution / (len(c.spans) * (end - start)))
        delta = np.zeros(length + 1)
        np.add.at(delta, np.asarray(starts, dtype=np.intp), shares)
        np.subtract.at(delta, np.asarray(ends, dtype=np.intp), shares)
        strengths[o.outlet] = np.cumsum(delta[:length])
    return strengths


def highlights(text: str, outlets: Sequence[_Outlet], hover: int = HOVER) -> list[Highlight]:
    """The marked runs of an explained (cleaned) ``text``, in order, from its explained
    ``outlets``; unmarked characters lie between them."""
    strengths = char_strengths(text, outlets)
    if not strengths or not text:
        return []
    labels = list(strengths)
    stacked = np.vstack([strengths[label] for label in labels])
    best = stacked.argmax(axis=0)  # ties: the first explained outlet, the predicted one
    value = stacked.max(axis=0)
    peak = float(value.max())
    if peak <= 0:
        return []  # no character pushes towards any explained outlet
    level = np.where(value >= STRONG * peak, 2, np.where(value >= WEAK * peak, 1, 0))
    key = np.where(level > 0, best * 3 + level, -1)
    cuts = np.flatnonzero(np.diff(key)) + 1
    bounds = np.concatenate(([0], cuts, [len(key)]))
    finders = {o.outlet: _SpanFinder(o.contributions) for o in outlets}
    runs = []
    for start, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if key[start] < 0:
            continue
        outlet = labels[best[start]]
        found = finders[outlet].overlapping(start, end)
        marked = Highlight(start, end, outlet, int(level[start]), found[:hover], len(found[hover:]))
        runs.append(marked)
    return runs


class _SpanFinder:
    """The n-grams of one outlet's contributions whose spans overlap a range of the text."""

    def __init__(self, contributions: Sequence[_Contribution]) -> None:
        rows = [(s, e, i) for i, c in enumerate(contributions) for s, e in c.spans if e > s]
        spans = np.asarray(rows, dtype=np.intp).reshape(-1, 3)
        spans = spans[np.argsort(spans[:, 0], kind="stable")]
        self.starts, self.ends, self.which = spans[:, 0], spans[:, 1], spans[:, 2]
        self.longest = int((self.ends - self.starts).max(initial=0))
        self.contributions = contributions

    def overlapping(self, start: int, end: int) -> list[tuple[str, float]]:
        """``(feature, contribution)`` of each n-gram with a span in ``[start, end)``, strongest
        (by size) first."""
        lo = int(np.searchsorted(self.starts, start - self.longest, side="right"))
        hi = int(np.searchsorted(self.starts, end, side="left"))
        hit = self.which[lo:hi][self.ends[lo:hi] > start]
        chosen = [self.contributions[i] for i in np.unique(hit).tolist()]
        chosen.sort(key=lambda c: (-abs(c.contribution), c.feature))
        return [(c.feature, c.contribution) for c in chosen]
