"""Verbatim overlap: how much of a text appears word for word in a corpus document.

Evidence of another kind than style: "71% of this text appears verbatim in corpus/rt/x.txt" says
it was copied, not that it reads like RT. A text's word 8-gram shingles (lower-cased words) are
looked up in every document; a document's share is the fraction of the text's shingles it holds
(containment).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from attrib.reading.corpus import Corpus
from attrib.reading.shingles import SHINGLE_WORDS, shingles

__all__ = ["SHINGLE_WORDS", "Match", "Overlap", "ShingleIndex", "shingles"]


@dataclass(frozen=True)
class Match:
    """A corpus document holding part of a text, and how much of the text it holds."""

    document: str
    outlet: str
    share: float


@dataclass(frozen=True)
class Overlap:
    """A text's verbatim overlap with a corpus: every document holding part of it, best first."""

    shingles: int
    matches: list[Match]

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "shingles": self.shingles,
            "best": None if best is None else vars(best),
            "documents": {m.document: m.share for m in self.matches},
        }


class ShingleIndex:
    """Every document's shingles, for looking up texts and for pairs of near-duplicates."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.names = [os.fspath(d.path) for d in corpus.documents]
        self.sets = [shingles(d.text) for d in corpus.documents]
        self.index: dict[int, list[int]] = defaultdict(list)
        for i, found in enumerate(self.sets):
            for shingle in found:
                self.index[shingle].append(i)

    def overlap(self, text: str) -> Overlap:
        """How much of ``text`` each document holds, for the documents holding any."""
        mine = shingles(text)
        counts: dict[int, int] = defaultdict(int)
        for shingle in mine:
            for i in self.index.get(shingle, ()):
                counts[i] += 1
        matches = [
            Match(self.names[i], self.corpus.documents[i].label, count / len(mine))
            for i, count in counts.items()
        ]
        matches.sort(key=lambda m: (-m.share, m.document))
        return Overlap(len(mine), matches)

    def near_duplicates(self, threshold: float) -> list[tuple[Match, Match, float]]:
        """Pairs of documents one of which holds at least ``threshold`` of the other's shingles.

        Returns ``(a, b, containment)`` with ``a.share`` = share of a's shingles found in b and
        ``b.share`` the reverse; ``containment`` is the larger of the two.
        """
        shared: dict[tuple[int, int], int] = defaultdict(int)
        for holders in self.index.values():
            for pair in combinations(holders, 2):
                shared[pair] += 1
        pairs = []
        for (i, j), count in shared.items():
            a_in_b = count / len(self.sets[i])
            b_in_a = count / len(self.sets[j])
            if max(a_in_b, b_in_a) >= threshold:
                a = Match(self.names[i], self.corpus.documents[i].label, a_in_b)
                b = Match(self.names[j], self.corpus.documents[j].label, b_in_a)
                pairs.append((a, b, max(a_in_b, b_in_a)))
        pairs.sort(key=lambda p: (-p[2], p[0].document, p[1].document))
        return pairs
