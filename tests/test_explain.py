from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from attrib import CorpusError, Model, load_corpus, train
from attrib.cli import cli
from attrib.explanation.explain import explain_model, explain_text, ngram_type
from conftest import render_in_chromium, style_text, write_corpus

BUNDLED = Path(__file__).parents[1] / "corpus"
RT_ARTICLE = BUNDLED / "rt" / "004_34bca788bfde8d69.txt"


@pytest.fixture(scope="module")
def model() -> Model:
    return train()


@pytest.fixture(scope="module")
def binary_model(tmp_path_factory: pytest.TempPathFactory) -> Model:
    return train(write_corpus(tmp_path_factory.mktemp("c"), outlets=("alpha", "beta")))


@pytest.fixture
def trained() -> Path:
    result = CliRunner().invoke(cli, ["train"])
    assert result.exit_code == 0, result.output
    return Path("models/attrib.npz")


def assert_exact(model: Model, text: str) -> None:
    decision = np.atleast_2d(model.pipeline.decision_function([text]))[0]
    if len(model.labels) == 2:
        decision = np.array([-decision[0], decision[0]])
    explanation = explain_text(model, text, outlets=model.labels)
    for outlet in explanation.outlets:
        total = outlet.intercept + sum(c.contribution for c in outlet.contributions)
        expected = decision[model.labels.index(outlet.outlet)]
        assert abs(total - expected) < 1e-6
        assert abs(outlet.decision - expected) < 1e-6


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=400))
def test_contributions_add_up_to_the_decision_value(model: Model, text: str) -> None:
    assert_exact(model, text)


@settings(max_examples=20, deadline=None)
@given(st.text(max_size=200))
def test_contributions_add_up_for_two_outlets(binary_model: Model, text: str) -> None:
    assert_exact(binary_model, text)


def test_every_contribution_is_value_times_weight_and_has_spans(model: Model) -> None:
    text = RT_ARTICLE.read_text(encoding="utf-8")
    explanation = explain_text(model, text)
    assert [o.outlet for o in explanation.outlets] == [
        explanation.prediction.best,
        explanation.prediction.runner_up,
    ]
    for outlet in explanation.outlets:
        for c in outlet.contributions:
            assert c.contribution == pytest.approx(c.value * c.weight)
            assert c.spans, c.feature
            for start, end in c.spans:
                assert 0 <= start <= end <= len(explanation.text)
    # Spans point at the n-gram: a word feature's span is that word, in any case.
    word = next(c for c in explanation.outlets[0].contributions if c.kind == "word")
    start, end = word.spans[0]
    assert explanation.text[start:end].lower() == word.ngram


@pytest.mark.parametrize(
    ("kind", "ngram", "expected"),
    [
        ("char", " th", "prefix"),
        ("char", "ed ", "suffix"),
        ("char", " the ", "whole word"),
        ("char", "tio", "mid-word"),
        ("char", "s, ", "punctuation"),
        ("char", "/§/", "punctuation"),
        ("word", "said on", "word n-gram"),
        ("punct", "w, w", "punctuation"),
        ("shape", "Xx", "shape"),
    ],
)
def test_ngram_types(kind: str, ngram: str, expected: str) -> None:
    assert ngram_type(kind, ngram) == expected


def test_model_profile_on_the_bundled_corpus(model: Model) -> None:
    profile = explain_model(model, top=8)
    assert profile.folds == 5
    assert [p.outlet for p in profile.outlets] == ["presstv", "rt", "sputnik", "tass"]
    for outlet in profile.outlets:
        assert sum(outlet.type_shares.values()) == pytest.approx(1.0)
        weights = [f.weight for f in outlet.features]
        assert weights == sorted(weights, reverse=True)
        for f in outlet.features:
            assert f.stability is not None and 0 <= f.stability <= 5
            assert f.documents is not None and f.documents >= 1
            assert f.example is not None and "⟦" in f.example
            assert f.signature is None  # only judged when the model reads signatures
    # Press TV has one article: every one of its features comes from it.
    assert all(f.one_article for f in profile.outlets[0].features)


def test_signature_features_are_flagged_when_masking_is_off() -> None:
    profile = explain_model(train(mask="none"), top=10, outlets=["rt"], stability=False)
    flagged = {f.ngram for f in profile.outlets[0].features if f.signature}
    assert "chevron" in flagged  # rt.com's icon strip
    unflagged = explain_model(train(), top=10, outlets=["rt"], stability=False)
    assert all(f.signature is None for f in unflagged.outlets[0].features)


def test_profile_without_the_training_corpus_says_why(model: Model, tmp_path: Path) -> None:
    saved = {**model.metadata["corpus"], "path": str(tmp_path / "moved")}
    moved = Model(model.pipeline, {**model.metadata, "corpus": saved}, seen=model.seen)
    profile = explain_model(moved, top=3)
    assert profile.folds is None
    assert "moved does not exist" in profile.notes[0]
    assert all(f.example is None for p in profile.outlets for f in p.features)


def test_a_corpus_given_on_purpose_must_be_the_training_corpus(
    model: Model, tmp_path: Path
) -> None:
    with pytest.raises(CorpusError, match="fingerprint differs"):
        explain_model(model, top=3, corpus=write_corpus(tmp_path / "other"))


def test_cli_profile(trained: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "--top", "3", "--outlet", "tass"])
    assert result.exit_code == 0, result.output
    assert "TASS: style-like" in result.stdout
    assert "stability over 5 leave-one-out folds" in result.stdout
    assert "Press TV" not in result.stdout.split("\n\n")[1]


def test_cli_profile_json(trained: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "--top", "2", "--json", "--no-stability"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["folds"] is None
    feature = data["outlets"][0]["features"][0]
    assert {"feature", "kind", "type", "weight", "example", "one_article"} <= set(feature)


def test_cli_unknown_outlet_is_one_line(trained: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "--outlet", "bbc"])
    assert result.exit_code == 1
    assert "the model knows no outlet bbc" in result.stderr


def test_cli_text_json_schema(trained: Path) -> None:
    text = RT_ARTICLE.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", "--json", "-"], input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outlet"] in data["scores"]
    for outlet in data["explained"]:
        assert {"outlet", "decision", "intercept", "contributions"} <= set(outlet)
        total = outlet["intercept"] + sum(c["contribution"] for c in outlet["contributions"])
        assert total == pytest.approx(outlet["decision"], abs=1e-6)
        for c in outlet["contributions"][:5]:
            assert {"feature", "kind", "type", "value", "spans"} <= set(c)


def test_cli_text_highlights_in_colour(trained: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", str(RT_ARTICLE), "--color", "always"])
    assert result.exit_code == 0, result.output
    assert "decision" in result.stdout and "towards" in result.stdout
    assert result.stdout.startswith("verbatim overlap: 100% of this text appears word for word")
    assert "\x1b[" in result.stdout  # ANSI colour codes around highlighted spans
    plain = CliRunner().invoke(cli, ["explain", str(RT_ARTICLE), "--color", "never"])
    assert "\x1b[" not in plain.stdout


def test_cli_html_needs_a_text(trained: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", "--html", "r.html"])
    assert result.exit_code == 2
    assert "need a PATH" in result.stderr


def test_cli_writes_a_self_contained_html_report(trained: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    args = ["explain", str(RT_ARTICLE), "--html", str(report), "--with-evaluation"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    assert page.count("<mark ") > 10
    assert "Evaluation: leave-one-out on 5 documents" in page
    assert not re.search(r"<script|<link|@import|url\(|https?://", page)


def test_demo_tells_the_whole_story(tmp_path: Path) -> None:
    report = tmp_path / "demo.html"
    result = CliRunner().invoke(cli, ["demo", "--html", str(report), "--color", "never"])
    assert result.exit_code == 0, result.output
    headings = ["1. The corpus", "2. Leave-one-out", "3. Signatures or style?",
                "4. What the model learned", "5. Why rt/004", "6. The report"]  # fmt: skip
    for heading in headings:
        assert heading in result.stdout
    assert "ceiling              0.40" in result.stdout
    # It says why it explains this article, and what the answer teaches.
    assert "is chosen because its outlet, RT, keeps 1 other article" in result.stdout
    endings = ("Even so the model abstains", "It names the right outlet", ", wrongly:")
    assert sum(ending in result.stdout for ending in endings) == 1
    page = report.read_text(encoding="utf-8")
    assert page.count("<mark ") > 10
    assert "<b>True outlet:</b> RT" in page
    assert "The model saw one article of Press TV, RT, Sputnik, TASS" in page
    # The story in plain words first, each number said in one sentence, the tables after.
    story = [
        "1. What it learns from",
        "2. The honest test: hide one, guess it",
        "<b>Ceiling (0.40)</b>: the best score any program could get here",
        "<b>Chance (0.10)</b>",
        "<b>p-value (1.00)</b>: how often a program trained on shuffled, wrong labels",
        "3. How it fools itself: names are not style",
        "4. The lesson",
        "Why rt/004_34bca788bfde8d69.txt got its answer",
        "<h2>Scores</h2>",
        "What the model learned: top features per outlet",
        "<h2>Evaluation: leave-one-out",
    ]
    places = [page.index(part) for part in story]
    assert places == sorted(places)
    assert not Path("models").exists()  # the demo saves no model


def test_html_report_renders_in_chromium(trained: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["explain", str(RT_ARTICLE), "--html", str(report)])
    assert result.exit_code == 0, result.output
    dom = render_in_chromium(report, tmp_path)
    assert dom.count('<mark class="l') > 10
    assert "towards RT" in dom or "towards Press TV" in dom


@pytest.mark.parametrize(
    ("feature", "shown"),
    [
        ("char__ ta", "c:␣ta"),
        ("punct__\u00a0w", "p:⍽w"),
        ("punct__ \u00a0", "p:␣⍽"),
        ("word__a\u200bb", "w:a⟨U+200B⟩b"),
        ("shape__X\u2009x", "s:X⟨U+2009⟩x"),
        ("char__\n\t", "c:⏎⇥"),
        ("char__\x1b[", "c:⟨U+001B⟩["),
    ],
)
def test_every_space_and_invisible_character_is_shown_distinctly(feature: str, shown: str) -> None:
    from attrib.presentation.terminal import visible

    assert visible(feature) == shown


def test_explanations_carry_a_key_and_mark_evidence_visibly(tmp_path: Path) -> None:
    from attrib.presentation.html import html_report
    from attrib.presentation.terminal import highlighted, text_explanation

    model = train(write_corpus(tmp_path / "c"))
    explanation = explain_text(model, style_text("beta", 7))
    shown = text_explanation(explanation, "t", colour=False)
    assert "key: c: character n-gram (within words), w: word n-gram, p: punctuation" in shown
    assert "⍽ a no-break space" in shown
    page = html_report(explanation, "t")
    assert "Key: c: character n-gram" in page
    coloured = highlighted(explanation, colour=True)
    assert "\x1b[7m" in coloured  # strongest evidence: a coloured background
    assert "\x1b[4m" in coloured  # weaker: underlined


def test_the_html_report_says_first_what_the_terminal_says_first(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["train"]).exit_code == 0
    page = tmp_path / "r.html"
    # The article as the model's training corpus holds it (installed, that is another copy).
    (article,) = [d.path for d in load_corpus().documents if d.path.name == RT_ARTICLE.name]
    result = runner.invoke(cli, ["explain", str(article), "--html", str(page)])
    assert result.exit_code == 0, result.output
    report = page.read_text()
    scores = report.index("<h2>Scores</h2>")
    for said in (
        "<b>True outlet:</b> RT (the model&#x27;s answer is right)",
        "<b>Verbatim overlap:</b> 100% of this text appears word for word",
        "so the scores below mean nothing",
        "The model saw one article of Press TV, Sputnik, TASS",
    ):
        assert -1 < report.index(said) < scores
    short = tmp_path / "short.txt"
    short.write_text("Moscow said talks on grain would continue on Monday.")
    result = runner.invoke(cli, ["explain", str(short), "--html", str(page)])
    report = page.read_text()
    assert re.search(r"<h1>.*short.txt: unknown <small>\(best guess \w", report)
    assert report.index("<b>The model abstains:</b> too short to judge") < report.index("Scores")
    assert "True outlet" not in report  # not a corpus file: the truth is not known
