"""Republication: the transforms (golden strings), cleaning that they cannot move, and
``evaluate --republish`` bookkeeping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from attrib import Model, evaluate, load_corpus, train
from attrib.cli import cli
from attrib.evaluation.republished import UNTOUCHED, document_seed, evaluate_republished
from attrib.explanation.explain import explain_text
from attrib.features.frames import strip_frames
from attrib.features.typography import TYPOGRAPHY, plain_typography
from attrib.presentation.terminal import text_explanation
from attrib.republish import (
    ALL,
    TRANSFORMS,
    combine,
    copyedit,
    excerpt,
    frame,
    headline,
    reflow,
    typography,
)
from conftest import style_text, write_corpus

BODY = "Russia has begun talks with the United States, the minister said."

# Every dateline and credit form of the four outlets, as published and as masking leaves it.
FRAMED = {
    "TASS": f"MOSCOW, May 20. /TASS/. {BODY}",
    "TASS, region": f"IGORA /Leningrad Region/, December 26. /TASS/. {BODY}",
    "TASS, two words": f"UNITED NATIONS, October 16. /TASS/. {BODY}",
    "ITAR-TASS": f"MOSCOW, December 5. /ITAR-TASS/. {BODY}",
    "TASS, no date": f"/TASS/. {BODY}",
    "TASS, masked": f"MOSCOW, May 20. /§/. {BODY}",
    "Sputnik, en dash": f"MOSCOW (Sputnik) – {BODY}",
    "Sputnik, hyphen": f"WASHINGTON (Sputnik) - {BODY}",
    "Sputnik, comma": f"WASHINGTON, (Sputnik) – {BODY}",
    "Sputnik, dated": f"MOSCOW, May 3 (Sputnik) — {BODY}",
    "Sputnik, no place": f"(Sputnik) - {BODY}",
    "Sputnik, masked": f"MOSCOW (§) – {BODY}",
    "Press TV credit": f"Press TV, Tehran\n\n{BODY}",
    "Press TV byline": f"Yusef Jalali\nPress TV, Sana'a\n\n{BODY}",
    "Press TV byline, blank": f"Danjuma Abdullahi\n\nPress TV, Abuja\n\n{BODY}",
    "Press TV header": f"Press TV's news headlines\n\n{BODY}",
    "Press TV footer": f"{BODY}\n\nPress TV’s website can also be accessed at the following "
    "alternate addresses:\n\nwww.presstv.ir\n\nSHARE THIS ARTICLE\nPress TV News Roku",
    "RT page": f"icon bookmark-bicon bookmarkicon cameraicon checkicon chevron downicon\n"
    f"10 May, 2016 16:21\n{BODY}\n\nPodcasts\n0:00\n25:36",
    "read more": f"{BODY}\n\nREAD MORE: Putin hopes for change",
    "read more, any case": f"{BODY}\n\nRead more: Putin hopes for change",
    "follow": f"{BODY}\nFollow RT on Telegram",
    "subscribe": f"{BODY}\nSubscribe to our newsletter",
    "share": f"{BODY}\n\nYou can share this story on social media:",
    "disclaimer": f"{BODY}\nThe views expressed in this article do not necessarily reflect "
    "those of Sputnik.",
}


@pytest.mark.parametrize("framed", FRAMED.values(), ids=FRAMED)
def test_frame_removes_every_dateline_credit_and_tail(framed: str) -> None:
    assert frame(framed) == BODY


@pytest.mark.parametrize(
    "text",
    [
        "He told TASS on Monday that the talks went well.",
        "MOSCOW is the capital, the minister said.",
        "Sputnik: How damaging would the sanctions be?",
        "The Press TV correspondent has the details.",
        "Read the statement in full.",
    ],
)
def test_frame_leaves_the_article_s_own_sentences(text: str) -> None:
    assert strip_frames(text) == text


def test_typography_replaces_every_typographic_character() -> None:
    assert typography("“Yes” – it’s\u00a0done…") == '"Yes" - it\'s done...'
    for character, plain in TYPOGRAPHY.items():
        assert typography(f"a{character}b") == f"a{plain}b", hex(ord(character))
    assert typography("T\u200bA\u00adS\u2060S") == "TASS"
    assert (
        typography("ordinary text, 'quoted' - \"twice\"") == "ordinary text, 'quoted' - \"twice\""
    )


def test_headline_drops_the_headline_and_standfirst_only() -> None:
    text = f"Talks begin\n\nThe minister says Russia is ready\n\n{BODY}\n\n{BODY}"
    assert headline(text) == f"{BODY}\n\n{BODY}"
    assert headline(BODY) == BODY  # nothing heading-like
    assert headline("Only a headline") == "Only a headline"  # never the whole text
    three = f"One\n\nTwo\n\nThree\n\n{BODY}"
    assert headline(three) == f"Three\n\n{BODY}"  # at most two


def test_reflow_keeps_the_words_and_reaches_every_style() -> None:
    text = "\n\n".join([BODY * 3, BODY, BODY * 2])
    styles = set()
    for seed in range(40):
        flowed = reflow(text, seed)
        assert flowed.split() == text.split()
        assert reflow(text, seed) == flowed
        if "\n" not in flowed:
            styles.add("one")
        elif "\n\n" not in flowed:
            styles.add("single")
        elif max(map(len, flowed.split("\n"))) <= 80:
            styles.add("wrap")
        else:
            styles.add("double")
    assert styles == {"one", "single", "double", "wrap"}


def test_copyedit_drops_one_later_sentence_and_moves_one_paragraph() -> None:
    paragraphs = [f"P{n} opens. P{n} goes on. P{n} ends." for n in range(4)]
    text = "\n\n".join(paragraphs)
    sentences = re.findall(r"P\d \w+(?: on)?\.", text)
    orders = set()
    for seed in range(10):
        edited = copyedit(text, seed)
        assert edited == copyedit(text, seed)
        kept = re.findall(r"P\d \w+(?: on)?\.", edited)
        assert len(kept) == len(sentences) - 1 and set(kept) < set(sentences)
        assert edited.startswith("P0 opens.")  # the first sentence and paragraph stay first
        orders.add(tuple(re.findall(r"^P(\d)", edited, re.MULTILINE)))
    assert len(orders) > 1  # paragraphs moved, differently by seed


def test_excerpt_is_a_contiguous_passage_of_n_words() -> None:
    text = " ".join(f"Sentence {n} has five words." for n in range(40))
    for seed in range(10):
        passage = excerpt(text, seed, words=12)
        assert len(passage.split()) == 12
        assert passage in text
        assert passage.startswith("Sentence ")  # a sentence start when one fits
    assert excerpt("Too short.", words=12) == "Too short."
    assert {excerpt(text, s, words=12) for s in range(10)} != {excerpt(text, 0, words=12)}


def test_combine_applies_in_order_with_one_seed() -> None:
    calls: list[tuple[str, int]] = []

    def first(text: str, seed: int = 0) -> str:
        calls.append(("first", seed))
        return text + "1"

    def second(text: str, seed: int = 0) -> str:
        calls.append(("second", seed))
        return text + "2"

    assert combine(first, second)("x", 7) == "x12"
    assert calls == [("first", 7), ("second", 7)]
    assert list(TRANSFORMS) == [
        "typography", "frame", "headline", "reflow", "copyedit", "excerpt", "all",
    ]  # fmt: skip


def test_republished_copies_of_a_text_score_exactly_as_the_text(tmp_path: Path) -> None:
    # Cleaning removes what typography, frame and reflow change: identical scores.
    model = train(write_corpus(tmp_path / "c"))
    text = (
        "MOSCOW, June 9. /TASS/. “The ministry said” – on Monday – that talks would continue…"
        "\n\nOfficials said the plan is under review.\n\nREAD MORE: Talks"
    )
    copies = [typography(text), frame(text), reflow(text, 1), reflow(text, 2)]
    copies.append(combine(typography, frame, reflow)(text, 3))
    scores = model.scores([text, *copies])
    assert all(s == scores[0] for s in scores[1:]), scores
    raw = train(write_corpus(tmp_path / "r"), typography="raw")
    assert raw.scores([text]) != raw.scores([typography(text)])


def test_republish_transforms_held_out_documents_only(tmp_path: Path) -> None:
    corpus = load_corpus(write_corpus(tmp_path / "c", per_outlet=4))
    touched: list[str] = []

    def mark(text: str, seed: int = 0) -> str:
        touched.append(text)
        return text + " MARKED"

    seen: list[str] = []
    from attrib.features import estimators

    original = estimators.TextCleaner.transform

    def spy(self: estimators.TextCleaner, texts: list[str]) -> list[str]:
        seen.extend(texts)
        return original(self, texts)

    mp = pytest.MonkeyPatch()
    mp.setattr(estimators.TextCleaner, "transform", spy)
    try:
        report = evaluate_republished(corpus, folds=4, transforms={"mark": mark}, baseline=False)
    finally:
        mp.undo()
    # Each document transformed once (the fold that holds it out), the training texts never.
    assert sorted(touched) == sorted(corpus.texts)
    assert sum(t.endswith(" MARKED") for t in seen) == len(corpus.texts)
    assert [r.transform for r in report.rows] == [UNTOUCHED, "mark"]


def test_the_untouched_row_is_evaluate_s_forced_choice(tmp_path: Path) -> None:
    corpus = load_corpus(write_corpus(tmp_path / "c", per_outlet=4))
    plain = evaluate(corpus, folds=4, seed=3, permutations=0)
    report = evaluate_republished(corpus, folds=4, seed=3, transforms={}, baseline=False)
    row = report.row(UNTOUCHED)
    assert row.accuracy == plain.accuracy
    assert row.macro_f1 == plain.macro_f1
    assert report.predictions[UNTOUCHED] == [h.predicted for h in plain.held_out]


def test_a_transform_that_destroys_the_text_shows_a_drop(tmp_path: Path) -> None:
    corpus = load_corpus(write_corpus(tmp_path / "c", per_outlet=4))

    def swap(text: str, seed: int = 0) -> str:  # every text becomes another outlet's
        outlets = ["alpha", "beta", "gamma"]
        own = next(o for o in outlets if o.upper() in text.upper() or o in text.lower())
        return style_text(outlets[(outlets.index(own) + 1) % 3], seed)

    report = evaluate_republished(corpus, folds=4, transforms={"swap": swap})
    untouched, swapped = report.row(UNTOUCHED), report.row("swap")
    assert untouched.accuracy == 1.0
    assert swapped.accuracy < 0.5
    assert swapped.drop == pytest.approx(untouched.macro_f1 - swapped.macro_f1)
    assert swapped.drop > 0.5 and swapped.plain_drop is not None and swapped.plain_drop > 0.5


def test_document_seeds_differ_by_document_and_seed() -> None:
    seeds = {document_seed(s, i) for s in range(3) for i in range(100)}
    assert len(seeds) == 300


def test_cli_evaluate_republish(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", per_outlet=4)
    runner = CliRunner()
    result = runner.invoke(cli, ["evaluate", str(corpus), "--folds", "4", "--republish"])
    assert result.exit_code == 0, result.output
    for name in ["none", *TRANSFORMS]:
        assert re.search(rf"^  {name}\s+\d", result.output, re.MULTILINE), name
    assert "plain macro-F1" in result.output
    result = runner.invoke(cli, ["evaluate", str(corpus), "--folds", "4", "--republish", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["transform"] for r in data["rows"]] == ["none", *TRANSFORMS]
    assert {"accuracy", "macro_f1", "drop", "plain_macro_f1"} <= set(data["rows"][0])
    bad = runner.invoke(cli, ["evaluate", str(corpus), "--republish", "--unit", "passage"])
    assert bad.exit_code == 2 and "--unit passage" in bad.output


def test_explain_splits_every_decision_into_prior_and_evidence(tmp_path: Path) -> None:
    model = train(write_corpus(tmp_path / "c"))
    text = style_text("beta", 7)
    explanation = explain_text(model, text)
    decision = model.pipeline.decision_function([text])[0]
    for i, outlet in enumerate(model.labels):
        total = explanation.evidence[outlet] + explanation.priors[outlet]
        assert total == pytest.approx(decision[i])
    for o in explanation.outlets:
        assert o.intercept == explanation.priors[o.outlet]
        assert sum(c.contribution for c in o.contributions) == pytest.approx(
            explanation.evidence[o.outlet]
        )
    assert not explanation.prior_decided
    assert "PRIOR DECIDED" not in text_explanation(explanation, "t", colour=False)

    # A prior so large for alpha that it wins against the text's evidence for beta.
    classifier = model.pipeline.named_steps["classifier"]
    classifier.intercept_ = np.where(np.array(model.labels) == "alpha", 50.0, 0.0)
    tilted = explain_text(Model(model.pipeline, model.metadata), text)
    assert tilted.prediction.best == "alpha"
    assert tilted.evidence_favours == "beta"
    assert tilted.prior_decided
    shown = text_explanation(tilted, "t", colour=False)
    assert "PRIOR DECIDED: the n-grams favour beta" in shown.replace("Beta", "beta")


def test_all_is_every_transform_but_excerpt() -> None:
    text = f"Talks begin\n\nMOSCOW, May 20. /TASS/. “{BODY}” Then more. And more.\n\nEnd here."
    result = ALL(text, 5)
    assert "TASS" not in result and "Talks begin" not in result and "“" not in result
    assert plain_typography(result) == result
