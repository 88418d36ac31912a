"""Highlights: checked against a character-by-character oracle, the plain definition."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from attrib import Model, train
from attrib.cli import cli
from attrib.explanation.explain import TextExplanation, explain_text
from attrib.explanation.highlights import HOVER, STRONG, WEAK

BUNDLED = Path(__file__).parents[1] / "corpus"
TASS_ARTICLE = next((BUNDLED / "tass").glob("*.txt"))


@pytest.fixture(scope="module")
def model() -> Model:
    return train()


def oracle(explanation: TextExplanation) -> list[tuple[str | None, int]]:
    """Per character: the outlet it pushes towards most and its level, by the definition."""
    text = explanation.text
    rows = {}
    for o in explanation.outlets:
        row = [0.0] * len(text)
        for c in o.contributions:
            for start, end in c.spans:
                for i in range(start, end):
                    row[i] += c.contribution / (len(c.spans) * (end - start))
        rows[o.outlet] = row
    peak = max(max(max(row, default=0.0) for row in rows.values()), 0.0) or 1.0
    marks: list[tuple[str | None, int]] = []
    for i in range(len(text)):
        outlet, value = max(((o, row[i]) for o, row in rows.items()), key=lambda x: x[1])
        level = 0 if value <= 0 else 2 if value >= STRONG * peak else int(value >= WEAK * peak)
        marks.append((outlet if level else None, level))
    return marks


def drawn(explanation: TextExplanation) -> list[tuple[str | None, int]]:
    marks: list[tuple[str | None, int]] = [(None, 0)] * len(explanation.text)
    for h in explanation.highlights():
        marks[h.start : h.end] = [(h.outlet, h.level)] * (h.end - h.start)
    return marks


def near_threshold(explanation: TextExplanation) -> bool:
    """Whether float rounding could put a character on either side of a level (then the
    oracle's sum order and the cumulative sum may disagree)."""
    rows = [[0.0] * len(explanation.text) for _ in explanation.outlets]
    for row, o in zip(rows, explanation.outlets, strict=True):
        for c in o.contributions:
            for start, end in c.spans:
                for i in range(start, end):
                    row[i] += c.contribution / (len(c.spans) * (end - start))
    peak = max((max(r, default=0.0) for r in rows), default=0.0)
    values = [v for r in rows for v in r]
    return any(abs(v - t * peak) < 1e-9 for v in values for t in (STRONG, WEAK, 0.0))


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="abc TASS.,\n–", max_size=120))
def test_runs_mark_each_character_as_the_definition_says(model: Model, text: str) -> None:
    explanation = explain_text(model, text)
    if not near_threshold(explanation):
        assert drawn(explanation) == oracle(explanation)


def test_an_article_is_marked_as_the_definition_says(model: Model) -> None:
    explanation = explain_text(model, TASS_ARTICLE.read_text(encoding="utf-8")[:1500])
    runs = explanation.highlights()
    assert drawn(explanation) == oracle(explanation)
    assert {h.level for h in runs} == {1, 2}
    assert all(a.end <= b.start for a, b in itertools.pairwise(runs))
    # neighbouring runs differ in outlet or level, or there is unmarked text between them
    assert all(
        (a.outlet, a.level) != (b.outlet, b.level) or a.end < b.start
        for a, b in itertools.pairwise(runs)
    )


def test_each_run_lists_the_ngrams_that_overlap_it_strongest_first(model: Model) -> None:
    explanation = explain_text(model, TASS_ARTICLE.read_text(encoding="utf-8")[:800])
    by_outlet = {o.outlet: o for o in explanation.outlets}
    for h in explanation.highlights():
        expected = sorted(
            (
                c
                for c in by_outlet[h.outlet].contributions
                if any(s < h.end and e > h.start for s, e in c.spans if e > s)
            ),
            key=lambda c: (-abs(c.contribution), c.feature),
        )
        assert h.ngrams == [(c.feature, c.contribution) for c in expected[:HOVER]]
        assert h.more == max(0, len(expected) - HOVER)


def test_json_keeps_the_strongest_contributions_each_way_with_top(model: Model) -> None:
    explanation = explain_text(model, TASS_ARTICLE.read_text(encoding="utf-8"))
    full, short = explanation.to_dict(), explanation.to_dict(top=3)
    assert (
        full["highlights"] == short["highlights"] == [h.to_dict() for h in explanation.highlights()]
    )
    pairs = zip(full["explained"], short["explained"], explanation.outlets, strict=True)
    for whole, kept, o in pairs:
        features = [c["feature"] for c in kept["contributions"]]
        assert features == [c.feature for c in o.towards(3) + o.away(3)[::-1]]
        assert features == [
            c["feature"]
            for c in whole["contributions"]
            if c["feature"] in {x.feature for x in o.towards(3) + o.away(3)}
        ]
        assert {k: v for k, v in whole.items() if k != "contributions"} == {
            k: v for k, v in kept.items() if k != "contributions"
        }


def test_explain_json_carries_the_highlights(tmp_path: Path) -> None:
    assert CliRunner().invoke(cli, ["train"]).exit_code == 0
    result = CliRunner().invoke(cli, ["explain", "--json", str(TASS_ARTICLE)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    marks = data["highlights"]
    assert marks and all(0 <= h["start"] < h["end"] <= len(data["text"]) for h in marks)
    assert {h["level"] for h in marks} <= {1, 2}
    assert all(set(h) == {"start", "end", "outlet", "level", "ngrams", "more"} for h in marks)


def test_nothing_is_marked_where_every_push_is_away() -> None:
    """Characters that push away from every explained outlet are not evidence for any."""
    from attrib.explanation.explain import Contribution, OutletExplanation
    from attrib.modeling.model import Prediction

    def away(outlet: str, size: float) -> OutletExplanation:
        c = Contribution("word__ab", "word", "ab", "word n-gram", 1.0, size, size, [(0, 2)])
        return OutletExplanation(outlet, 0.5, size, 0.0, [c])

    prediction = Prediction({"x": 0.5, "y": 0.5})
    explanation = TextExplanation("ab cd", prediction, [away("x", -0.5), away("y", -0.2)])
    assert explanation.highlights() == []
    pushed = TextExplanation("ab cd", prediction, [away("x", -0.5), away("y", 0.2)])
    assert [(h.start, h.end, h.outlet, h.level) for h in pushed.highlights()] == [(0, 2, "y", 2)]
