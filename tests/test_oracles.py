"""Independent oracles for results that single deliberate bugs once got past every test.

Each test names the bug it catches (a mutation of ``scripts/mutants.py``); each oracle is a hand
computation on a tiny corpus built for it, or scikit-learn's own function.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from attrib import evaluate, load_corpus
from attrib.evaluation.calibration import choose_margin, open_set_thresholds
from attrib.evaluation.foldcache import FoldFeatures, coverage
from attrib.features.cleaning import mask_signatures
from attrib.modeling.openset import coverage_ngrams
from attrib.modeling.pipeline import DEFAULTS, build_pipeline
from conftest import STYLES, write_corpus


def write(root: Path, documents: dict[str, list[str]]) -> Path:
    for outlet, texts in documents.items():
        (root / outlet).mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / outlet / f"{i}.txt").write_text(text, encoding="utf-8")
    return root


def styled(outlet: str, n: int) -> str:
    return " ".join(s.format(n=n * 10 + j) for j, s in enumerate(STYLES[outlet]))


def test_attainability_counts_every_training_outlet(tmp_path: Path) -> None:
    # Bug: attainability from all but one training document or outlet. Leave-one-out on
    # alpha x1, beta x2, gamma x2: by hand, every document's outlet is among the others' except
    # alpha's (the last training document of gamma/0's fold is gamma/1, its only twin).
    corpus = write(
        tmp_path / "c",
        {
            "alpha": [styled("alpha", 1)],
            "beta": [styled("beta", 1), styled("beta", 2)],
            "gamma": [styled("gamma", 1), styled("gamma", 2)],
        },
    )
    report = evaluate(corpus, permutations=0)
    assert {h.document: h.attainable for h in report.held_out} == {
        "alpha/0.txt": False,
        "beta/0.txt": True,
        "beta/1.txt": True,
        "gamma/0.txt": True,
        "gamma/1.txt": True,
    }
    assert report.ceiling == pytest.approx(4 / 5)


# Every name the README promises to mask, written here by hand rather than read from the code.
PROMISED = [
    "Sputnik International", "Sputnik News", "Sputnik", "ITAR-TASS", "TASS", "ТАСС", "Press TV",
    "Press-TV", "PressTV", "Russia Today", "RT", "Ruptly", "RIA Novosti", "RIA", "Interfax",
    "Izvestia", "Kommersant", "Vedomosti", "Rossiyskaya Gazeta", "TV Zvezda", "Reuters",
    "Agence France-Presse", "AFP", "Associated Press", "AP", "Bloomberg", "BBC", "CNN",
    "Fox News", "NBC News", "CBS News", "ABC News", "Sky News", "Al Jazeera", "Al Mayadeen",
    "Xinhua", "IRNA", "Tasnim", "Fars News", "Mehr News", "Anadolu", "Euronews",
    "Deutsche Welle", "The New York Times", "New York Times", "The Washington Post",
    "Washington Post", "The Wall Street Journal", "Wall Street Journal", "The Guardian",
    "Politico", "Newsweek", "Daily Mail",
]  # fmt: skip


@pytest.mark.parametrize("name", PROMISED)
def test_every_promised_name_is_masked(name: str) -> None:
    # Bug: one alias dropped from the list of names.
    assert mask_signatures(f"according to {name}, talks went on") == "according to §, talks went on"


def test_a_monte_carlo_p_value_is_never_zero(tmp_path: Path) -> None:
    # Bug: k/n instead of (k+1)/(n+1). Nine documents of three blatant styles: 1,680 distinct
    # label orders, so 20 are drawn; no shuffled labelling gets all nine right, so k = 0 and the
    # p-value is 1/21, never 0 (the observed labelling counts as one of the possible ones).
    report = evaluate(write_corpus(tmp_path / "c"), permutations=20, seed=3)
    assert report.accuracy == 1.0
    assert report.p_value_method == "monte-carlo"
    assert report.permutations == 20
    assert report.p_value == pytest.approx(1 / 21)


def test_fold_coverage_reads_only_the_training_rows(tmp_path: Path) -> None:
    # Bug: the fold's coverage from the whole corpus's vocabulary. By hand: a held-out text that
    # shares no 5-gram with the training rows has coverage 0, whatever the whole corpus holds.
    texts = ["alpha beta gamma delta", "alpha beta gamma delta epsilon", "zyxwv qutsr ponml"]
    cache = FoldFeatures(build_pipeline(), texts)
    shares = coverage(cache, np.array([0, 1]), np.array([2]))
    assert shares.tolist() == [0.0]
    # and one that shares some: the hand count over its 5-grams
    shares = coverage(cache, np.array([0]), np.array([1]))
    grams = list(coverage_ngrams("alpha beta gamma delta epsilon"))
    seen = set(coverage_ngrams("alpha beta gamma delta"))
    assert shares[0] == pytest.approx(sum(g in seen for g in grams) / len(grams))


def mixed_corpus(root: Path) -> Path:
    """Five documents per outlet in its style, plus one, two and three (by outlet) that open in
    its style and go on in the next outlet's: uneven, so that macro-F1 differs from accuracy,
    and the one they get wrong is a near tie, so that a calibrated margin is above 0."""
    outlets = list(STYLES)
    documents: dict[str, list[str]] = {}
    for k, outlet in enumerate(outlets):
        other = outlets[(k + 1) % len(outlets)]
        texts = [styled(outlet, n) for n in range(5)]
        for n in range(k + 1):
            number = 50 + 10 * n
            texts.append(
                " ".join(
                    [
                        STYLES[outlet][0].format(n=number),
                        STYLES[other][1].format(n=number + 1),
                        STYLES[other][2].format(n=number + 2),
                    ]
                )
            )
        documents[outlet] = texts
    return write(root, documents)


def test_the_calibrated_margin_is_the_lead_over_the_runner_up(tmp_path: Path) -> None:
    # Bug: the margin taken as the top score alone, ignoring the runner-up. Oracle: margins
    # computed from an independent leave-one-out run, and choose_margin (tested by hand).
    corpus = load_corpus(mixed_corpus(tmp_path / "c"))
    report = evaluate(corpus, permutations=0)
    assert not all(h.correct for h in report.held_out)  # else any margin rule picks 0
    margins = [h.score - (h.runner_up_score or 0.0) for h in report.held_out]
    expected = choose_margin(margins, [h.correct for h in report.held_out])
    chosen = open_set_thresholds(corpus, dict(DEFAULTS), calibrate=True)
    assert chosen["thresholds"]["min_margin"] == pytest.approx(expected)
    assert chosen["thresholds"]["min_margin"] > 0


def test_passages_of_a_document_are_held_out_together(tmp_path: Path) -> None:
    # Bug: each passage its own group, so a held-out passage's siblings stay in training. Each
    # document here is two passages; every document's passages must share one fold, and there
    # are as many folds as documents.
    documents = {
        outlet: [styled(outlet, n) + "\n\n" + styled(outlet, n + 100) for n in range(2)]
        for outlet in STYLES
    }
    report = evaluate(write(tmp_path / "c", documents), unit="passage", min_passage_chars=50)
    folds: dict[str, set[int]] = {}
    for h in report.held_out:
        folds.setdefault(h.document.split("#")[0], set()).add(h.fold)
    assert len(report.held_out) == 12
    assert all(len(f) == 1 for f in folds.values())
    assert len({next(iter(f)) for f in folds.values()}) == report.n_folds == 6


def test_macro_f1_is_the_mean_of_each_outlets_f1(tmp_path: Path) -> None:
    # Bug: another average (micro, weighted). By hand: per outlet, F1 = 2 tp / (2 tp + fp + fn).
    report = evaluate(mixed_corpus(tmp_path / "c"), permutations=0)
    pairs = [(h.true, h.predicted) for h in report.held_out]
    scores = []
    for outlet in report.outlets:
        tp = sum(t == p == outlet for t, p in pairs)
        fp = sum(p == outlet != t for t, p in pairs)
        fn = sum(t == outlet != p for t, p in pairs)
        scores.append(2 * tp / (2 * tp + fp + fn))
    assert report.macro_f1 == pytest.approx(sum(scores) / len(scores))
    assert report.macro_f1 != pytest.approx(report.accuracy)  # micro-F1 would be the accuracy


def test_the_strongest_evidence_comes_first(tmp_path: Path) -> None:
    # Bug: contributions sorted weakest first.
    from attrib import train
    from attrib.explanation.explain import explain_text

    model = train(write_corpus(tmp_path / "c"))
    for outlet in explain_text(model, styled("beta", 7), ["alpha", "beta"]).outlets:
        values = [c.contribution for c in outlet.contributions]
        assert outlet.towards(1)[0].contribution == max(values)
        assert outlet.away(1)[0].contribution == min(values)


def test_the_top_features_are_stable_across_folds(tmp_path: Path) -> None:
    # Bug: stability counted on the most negative weights. With three blatant styles, each
    # outlet's strongest feature stays in its top three in most leave-one-out folds.
    from attrib import train
    from attrib.explanation.explain import explain_model

    corpus = write_corpus(tmp_path / "c")
    profile = explain_model(train(corpus), top=3, corpus=corpus)
    assert profile.folds == 9
    for outlet in profile.outlets:
        assert outlet.features[0].stability is not None
        assert outlet.features[0].stability > 9 / 2, outlet.outlet


def test_a_signature_is_a_feature_masking_mostly_removes(tmp_path: Path) -> None:
    # Bug: "removes some" instead of "removes most". By hand, word__news in alpha: raw 3 and
    # masked 2 (one "news" is part of "Sputnik News"): not a signature; raw 3 and masked 1: one.
    from attrib import load_corpus as load
    from attrib import train
    from attrib.explanation.explain import _Evidence

    def evidence(alpha: str) -> _Evidence:
        root = write(
            tmp_path / str(len(list(tmp_path.iterdir()))),
            {"alpha": [alpha], "beta": ["other words here"]},
        )
        corpus = load(root)
        return _Evidence(train(corpus, mask="none"), corpus)

    assert not evidence("Sputnik News told the news, more news.").is_signature(
        "alpha", "word", "news"
    )
    assert evidence("Sputnik News, Sputnik News and news.").is_signature("alpha", "word", "news")
