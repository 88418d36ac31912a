"""attrib scan: passages of a long text, which outlet each reads like, and where they start."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import attrib
from attrib import Model, load_corpus, train
from attrib.cli import cli
from attrib.errors import OptionError
from attrib.explanation.overlap import ShingleIndex
from attrib.explanation.scan import (
    _INSIDE,
    _LINE,
    _SENTENCE,
    Scan,
    _absorb_short,
    _settle,
    _units,
    _viterbi,
    _window_starts,
    integrate,
    scan,
)
from conftest import STYLES, render_in_chromium, write_corpus

_WORDS = re.compile(r"\S+")


def paragraphs(outlet: str, count: int, first: int = 100) -> list[str]:
    """``count`` new paragraphs in one made-up outlet's style, about 40 words each."""
    return [
        " ".join(s.format(n=first + 10 * k + j) for j, s in enumerate(STYLES[outlet]))
        for k in range(count)
    ]


def words_before(text: str, at: int) -> int:
    return len(_WORDS.findall(text[:at]))


@pytest.fixture(scope="module")
def styles(tmp_path_factory: pytest.TempPathFactory) -> Model:
    return train(write_corpus(tmp_path_factory.mktemp("styles"), per_outlet=4))


@pytest.fixture(scope="module")
def bundled() -> Model:
    return train()


def check_cover(text: str, found: Scan) -> None:
    """Segments tile the text: no gaps, no overlaps, offsets into the text as given."""
    assert found.segments, "at least one segment"
    assert found.segments[0].start == 0
    assert found.segments[-1].end == len(text)
    for before, after in zip(found.segments, found.segments[1:], strict=False):
        assert before.end == after.start
        assert before.start < before.end
    assert sum(s.words for s in found.segments) == len(_WORDS.findall(text))
    for segment in found.segments:
        piece = text[segment.start : segment.end]
        assert len(_WORDS.findall(piece)) == segment.words
        if segment.start > 0:  # a segment starts on a word, never inside one or on a space
            assert not text[segment.start].isspace() and text[segment.start - 1].isspace()


def test_two_outlets_give_two_segments_with_the_boundary_within_a_window(
    styles: Model,
) -> None:
    first = "\n\n".join(paragraphs("alpha", 6))
    text = first + "\n\n" + "\n\n".join(paragraphs("beta", 6, first=300))
    found = scan(styles, text, window=60, step=10)
    check_cover(text, found)
    assert [s.outlet for s in found.segments] == ["alpha", "beta"]
    truth = words_before(text, len(first))
    assert abs(words_before(text, found.segments[1].start) - truth) <= 60
    # Paragraph-aware: this boundary falls on the paragraph break itself.
    assert found.segments[1].start == len(first) + 2


def test_an_inserted_passage_is_found_with_its_outlet(styles: Model) -> None:
    host = paragraphs("gamma", 8)
    passage = "\n\n".join(paragraphs("beta", 3, first=500))
    text = "\n\n".join(host[:4]) + "\n\n" + passage + "\n\n" + "\n\n".join(host[4:])
    found = scan(styles, text, window=40, step=8)
    check_cover(text, found)
    assert [s.outlet for s in found.segments] == ["gamma", "beta", "gamma"]
    middle = found.segments[1]
    start = text.index(passage)
    assert abs(words_before(text, middle.start) - words_before(text, start)) <= 40
    assert abs(words_before(text, middle.end) - words_before(text, start + len(passage))) <= 40


def test_a_text_of_one_voice_is_one_segment(bundled: Model) -> None:
    for document in load_corpus().documents:  # 365 to 682 words: several windows each
        found = scan(bundled, document.text)
        assert len(found.segments) == 1, document.path
        assert found.segments[0].outlet == document.label
        assert found.segments[0].prediction == found.prediction  # scored whole, as predict does


def test_a_short_text_is_one_segment_scored_as_predict_scores_it(bundled: Model) -> None:
    text = "Moscow and Washington discussed a ceasefire on Friday. " * 3
    found = scan(bundled, text)
    assert len(found.segments) == 1
    assert found.segments[0].prediction == bundled.predictions([text])[0]
    empty = scan(bundled, "")
    assert [(s.start, s.end, s.words, s.outlet) for s in empty.segments] == [(0, 0, 0, "unknown")]


def recipe() -> str:
    """Written for this test: nothing like news."""
    return (
        "Preheat the oven to 180 degrees and grease a deep tin with butter. Cream the butter "
        "and sugar until pale and fluffy, then beat in the eggs one at a time, scraping the "
        "bowl between each. Sift the flour with a pinch of salt and fold it in gently with a "
        "metal spoon. Add the grated zest of two lemons and a splash of milk until the batter "
        "drops softly from the spoon. Pour it into the tin, level the top and bake for forty "
        "minutes, until a skewer comes out clean. Leave the cake to cool for ten minutes, turn "
        "it out onto a rack, and drizzle the icing over while it is still warm."
    )


def test_an_off_topic_insert_is_unknown(bundled: Model) -> None:
    (article,) = [d.text for d in load_corpus().documents if d.label == "tass"]
    parts = article.split("\n")
    half = len(parts) // 2
    text = "\n".join([*parts[:half], recipe(), *parts[half:]])
    found = scan(bundled, text)
    check_cover(text, found)
    assert [s.outlet for s in found.segments] == ["tass", "unknown", "tass"]
    unknown = found.segments[1]
    assert unknown.prediction.reason is not None
    assert unknown.prediction.reason.startswith("too unlike the training corpus")
    start = text.index(recipe())
    assert abs(words_before(text, unknown.start) - words_before(text, start)) <= 20
    assert abs(words_before(text, unknown.end) - words_before(text, start + len(recipe()))) <= 20


def test_an_off_topic_insert_stands_apart_even_from_the_outlet_it_resembles(
    bundled: Model,
) -> None:
    # Scored whole, the recipe's best guess is close to Sputnik's article around it: only the
    # windows' coverage keeps the two apart before each segment is scored.
    (article,) = [d.text for d in load_corpus().documents if d.label == "sputnik"]
    parts = article.split("\n")
    half = len(parts) // 2
    text = "\n".join([*parts[:half], recipe(), *parts[half:]])
    found = scan(bundled, text)
    check_cover(text, found)
    assert [s.outlet for s in found.segments] == ["sputnik", "unknown", "sputnik"]
    assert found.segments[1].start == text.index(recipe())


def test_a_boundary_moves_to_where_the_windows_on_either_side_fit_best(bundled: Model) -> None:
    corpus = load_corpus()
    (rt,) = [d.text for d in corpus.documents if d.path.name.startswith("004")]
    (tass,) = [d.text for d in corpus.documents if d.label == "tass"]
    text = rt + "\n" + tass  # the centred windows alone put the boundary 28 words into TASS
    found = scan(bundled, text)
    assert [s.outlet for s in found.segments] == ["rt", "tass"]
    assert found.segments[1].start == len(rt) + 1


_PIECES = st.sampled_from(
    [*paragraphs("alpha", 3), *paragraphs("beta", 3), *paragraphs("gamma", 3), recipe(), "",
     "Done.", "x" * 30, "\u00e9t\u00e9 \u2014 \u201cquoted\u201d", "a\u200bb c\u00a0d"]
)  # fmt: skip
_GLUE = st.sampled_from(["\n\n", "\n", " ", "\r\n", "\u2029", "  \t", ". "])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.tuples(_PIECES, _GLUE), max_size=12),
    window=st.integers(10, 60),
    step=st.integers(1, 60),
    lead=st.sampled_from(["", " ", "\n\n"]),
)
def test_segments_tile_any_text(
    styles: Model, pieces: list[tuple[str, str]], window: int, step: int, lead: str
) -> None:
    text = lead + "".join(piece + glue for piece, glue in pieces)
    found = scan(styles, text, window=window, step=min(step, window))
    check_cover(text, found)
    for before, after in zip(found.segments, found.segments[1:], strict=False):
        assert before.outlet != after.outlet  # neighbours with one answer are one segment


def test_scan_reports_verbatim_overlap_per_segment(bundled: Model) -> None:
    corpus = load_corpus()
    rt, tass = (next(d for d in corpus.documents if d.label == o) for o in ("rt", "tass"))
    text = rt.text + "\n\n" + tass.text
    found = scan(bundled, text, overlap=ShingleIndex(corpus))
    assert [s.outlet for s in found.segments] == ["rt", "tass"]
    assert found.segments[1].start == len(rt.text) + 2
    documents = [(s.overlap.document, s.overlap.share) for s in found.segments if s.overlap]
    assert documents == [(str(rt.path), 1.0), (str(tass.path), 1.0)]
    assert scan(bundled, text).segments[0].overlap is None  # only when asked


def test_progress_is_reported_per_batch_of_windows(styles: Model) -> None:
    text = "\n\n".join(paragraphs("alpha", 10))
    calls: list[tuple[int, int]] = []
    scan(styles, text, window=20, step=2, progress=lambda done, total: calls.append((done, total)))
    total = calls[-1][1]
    assert calls[-1] == (total, total) and total > 100
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"window": 5}, "window must be"),
        ({"window": 50, "step": 0}, "step must be"),
        ({"window": 50, "step": 51}, "step must not exceed the window"),
        ({"penalty": -1.0}, "penalty must be"),
        ({"penalty": float("nan")}, "penalty must be"),
        ({"window": True}, "window must be"),
    ],
)
def test_bad_settings_are_refused(styles: Model, options: dict[str, object], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        scan(styles, "text", **options)  # type: ignore[arg-type]


def test_scan_takes_one_string(styles: Model) -> None:
    with pytest.raises(TypeError, match="one text"):
        scan(styles, ["a list"])  # type: ignore[arg-type]


def test_scan_is_in_the_public_api() -> None:
    assert attrib.scan is scan


# The parts, each checked against a slow, obvious version.


def test_units_break_at_lines_sentences_and_every_step_words() -> None:
    text = "One two. Three four\nfive six seven eight nine ten eleven"
    words = np.array([m.span() for m in _WORDS.finditer(text)])
    units, kinds = _units(text, words, step=3)
    assert units.tolist() == [[0, 2], [2, 4], [4, 7], [7, 10], [10, 11]]
    assert kinds.tolist() == [_LINE, _SENTENCE, _LINE, _INSIDE, _INSIDE]


def test_integrated_evidence_matches_per_word_means() -> None:
    rng = np.random.default_rng(0)
    n = 37
    starts = np.array([0, 5, 10, 15, 20, 25, 27])
    ends = starts + 10
    values = rng.normal(size=(len(starts), 3))
    evidence = integrate(starts, ends, values)
    per_word = np.array([values[(starts <= i) & (i < ends)].mean(axis=0) for i in range(n)])
    for first, end in [(0, n), (3, 4), (9, 21), (26, 37), (0, 1), (36, 37), (12, 12)]:
        expected = per_word[first:end].sum(axis=0)
        got = evidence.total(np.array([first]), np.array([end]))[0]
        np.testing.assert_allclose(got, expected, atol=1e-9)


def brute_force(emissions: np.ndarray, penalties: np.ndarray) -> float:
    """The best total over every path (small cases only)."""
    from itertools import product

    best = -np.inf
    for path in product(range(emissions.shape[1]), repeat=len(emissions)):
        total = sum(emissions[u, s] for u, s in enumerate(path))
        total -= sum(penalties[u] for u in range(1, len(path)) if path[u] != path[u - 1])
        best = max(best, total)
    return float(best)


@pytest.mark.parametrize("seed", range(30))
def test_viterbi_finds_the_best_path(seed: int) -> None:
    rng = np.random.default_rng(seed)
    units = np.array([[u, u + 1] for u in range(6)])
    kinds = rng.integers(0, 3, size=6)
    values = rng.normal(scale=2, size=(6, 3))
    evidence = integrate(units[:, 0], units[:, 1], values)
    penalty = float(rng.uniform(1, 4))
    path = _viterbi(evidence, units, kinds, penalty)
    penalties = penalty * np.array([1.0, 4 / 3, 2.0])[kinds]
    total = sum(values[u, s] for u, s in enumerate(path))
    total -= sum(penalties[u] for u in range(1, 6) if path[u] != path[u - 1])
    assert total == pytest.approx(brute_force(values, penalties))


@pytest.mark.parametrize("step", [1, 3, 7, 20])
@pytest.mark.parametrize("window", [10, 13, 20])
def test_windows_cover_every_word_and_stay_in_the_text(window: int, step: int) -> None:
    step = min(step, window)
    for n in range(window + 1, window + 40):
        starts = _window_starts(n, window, step)
        covered = np.zeros(n, dtype=int)
        for start in starts:
            covered[start : start + window] += 1
        assert covered.min() >= 1 and starts.min() == 0 and starts.max() == n - window
        assert (np.diff(starts) <= step).all() and (np.diff(starts) > 0).all()


def test_a_run_under_min_words_joins_the_neighbour_its_words_favour() -> None:
    units = np.array([[0, 100], [100, 120], [120, 300]])
    states = np.array([0, 1, 2])
    for favoured, expected in [
        (0, [[0, 120, 0], [120, 300, 2]]),
        (2, [[0, 100, 0], [100, 300, 2]]),
    ]:
        values = np.zeros((3, 3))
        values[0, 0] = values[2, 2] = 1.0
        values[1, favoured] = 0.5  # the short run leans to one side
        values[1, 1] = 0.4
        evidence = integrate(units[:, 0], units[:, 1], values)
        runs = [(0, 100), (100, 120), (120, 300)]
        joined = _absorb_short(runs, evidence, states, units, 50)
        assert joined == expected
    long_enough = _absorb_short(runs, evidence, states, units, 20)
    assert [tuple(run[:2]) for run in long_enough] == runs


def test_neighbours_with_one_answer_merge_and_are_scored_again(styles: Model) -> None:
    text = "\n\n".join([*paragraphs("alpha", 4), *paragraphs("beta", 2)])
    words = np.array([m.span() for m in _WORDS.finditer(text)])
    cut = len(words) // 4
    runs = [(0, cut), (cut, 2 * cut), (2 * cut, len(words))]  # alpha, alpha, alpha and beta
    segments = _settle(styles, text, words, runs, None)
    assert len(segments) < 3
    assert segments[0].start == 0 and segments[0].words >= 2 * cut
    merged = text[segments[0].start : segments[0].end]
    assert segments[0].prediction == styles.predictions([merged])[0]


def test_a_change_needs_evidence_worth_its_penalty() -> None:
    units = np.array([[0, 10], [10, 20], [20, 30]])
    kinds = np.array([_LINE, _LINE, _LINE])
    values = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])  # per word, 10 words a unit
    evidence = integrate(units[:, 0], units[:, 1], values)
    assert _viterbi(evidence, units, kinds, penalty=4.9).tolist() == [0, 1, 0]
    assert _viterbi(evidence, units, kinds, penalty=5.1).tolist() == [0, 0, 0]


# The command.


@pytest.fixture
def styles_model(tmp_path: Path) -> Path:
    path = tmp_path / "styles.npz"
    corpus = write_corpus(tmp_path / "c", per_outlet=4)
    result = CliRunner().invoke(cli, ["train", str(corpus), "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def mixed_file(tmp_path: Path) -> tuple[Path, str]:
    text = "\n\n".join([*paragraphs("alpha", 5), *paragraphs("gamma", 5, first=400)])
    path = tmp_path / "mixed.txt"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_cli_prints_one_line_per_segment(styles_model: Path, tmp_path: Path) -> None:
    path, text = mixed_file(tmp_path)
    result = CliRunner().invoke(cli, ["scan", str(path), "-m", str(styles_model),
                                      "--window", "50", "--step", "10"])  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{path}\twhole text: ")
    assert len(lines) == 3
    boundary = text.index(paragraphs("gamma", 1, first=400)[0])
    answer = r"\d\.\d\d \(runner-up \w+ \d\.\d\d\)"
    assert re.match(rf"  +0-{boundary} *\talpha {answer}\t2\d\d words", lines[1])
    assert lines[2].split("\t")[0].strip() == f"{boundary}-{len(text)}"
    assert "\tgamma " in lines[2]
    assert lines[2].endswith("“Gamma has learned that the so-called plan 400 …”")


def test_cli_json_lines_schema(styles_model: Path, tmp_path: Path) -> None:
    path, text = mixed_file(tmp_path)
    result = CliRunner().invoke(
        cli, ["scan", str(path), "-", "-m", str(styles_model), "--json", "--window", "50"],
        input=paragraphs("beta", 1)[0],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) == {"path", "segments", "outlet", "score", "runner_up", "reason",
                          "window", "step"}  # fmt: skip
    assert first["path"] == str(path) and first["window"] == 50 and first["step"] == 20
    for segment in first["segments"]:
        assert set(segment) == {"start", "end", "outlet", "score", "runner_up", "overlap",
                                "words", "scores", "reason"}  # fmt: skip
        assert isinstance(segment["start"], int) and isinstance(segment["score"], float)
        assert sum(segment["scores"].values()) == pytest.approx(1, abs=1e-3)
        overlap = segment["overlap"]
        assert overlap is not None and set(overlap) == {"document", "outlet", "share"}
    assert [s["outlet"] for s in first["segments"]] == ["alpha", "gamma"]
    assert first["segments"][-1]["end"] == len(text)
    assert second["path"] == "-" and len(second["segments"]) == 1


def test_cli_without_the_training_corpus_says_overlap_is_not_checked(
    styles_model: Path, tmp_path: Path
) -> None:
    path, _ = mixed_file(tmp_path)
    for folder in sorted((tmp_path / "c").iterdir()):
        for file in folder.iterdir():
            file.unlink()
        folder.rmdir()
    result = CliRunner().invoke(cli, ["scan", str(path), "-m", str(styles_model), "--json"])
    assert result.exit_code == 0, result.output
    assert "note: verbatim overlap is not checked" in result.stderr
    (line,) = result.stdout.splitlines()
    assert all(s["overlap"] is None for s in json.loads(line)["segments"])


def test_cli_bad_inputs_are_one_line_errors_and_the_rest_go_on(
    styles_model: Path, tmp_path: Path
) -> None:
    path, _ = mixed_file(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02\xff" * 100)
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(empty), str(binary), str(tmp_path / "missing.txt"),
                                 str(path), "-m", str(styles_model)])  # fmt: skip
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4 and errors[-1] == "error: 3 input(s) could not be read"
    assert "Traceback" not in result.output
    assert result.stdout.startswith(f"{path}\twhole text:")
    page = tmp_path / "page.html"
    result = runner.invoke(cli, ["scan", str(empty), "-m", str(styles_model), "--html", str(page)])
    assert result.exit_code == 1 and not page.exists()
    assert "No page written: no input could be read" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--window", "5"], "Invalid value for '--window'"),
        (["--step", "0"], "Invalid value for '--step'"),
        (["--window", "20", "--step", "30"], "must not exceed --window (20)"),
        (["-", "-"], "standard input can be read once"),
    ],
)
def test_cli_bad_settings_are_usage_errors(
    styles_model: Path, arguments: list[str], message: str
) -> None:
    result = CliRunner().invoke(cli, ["scan", "-m", str(styles_model), *arguments], input="x")
    assert result.exit_code == 2
    assert message in result.output


def test_cli_missing_model_is_one_line(tmp_path: Path) -> None:
    path, _ = mixed_file(tmp_path)
    result = CliRunner().invoke(cli, ["scan", str(path), "-m", str(tmp_path / "none.npz")])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")


def test_cli_html_never_writes_over_an_input_or_the_model(
    styles_model: Path, tmp_path: Path
) -> None:
    path, text = mixed_file(tmp_path)
    for target in (path, styles_model):
        before = target.read_bytes()
        result = CliRunner().invoke(
            cli, ["scan", str(path), "-m", str(styles_model), "--html", str(target)]
        )
        assert result.exit_code == 1, result.output
        assert target.read_bytes() == before
    assert path.read_text(encoding="utf-8") == text


def test_html_draws_each_segment_in_chromium(styles_model: Path, tmp_path: Path) -> None:
    path, _ = mixed_file(tmp_path)
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("\n\n".join(paragraphs("beta", 3)) + " <script>alert(1)</script>\x1b[31m")
    page = tmp_path / "scan.html"
    result = CliRunner().invoke(cli, ["scan", str(path), str(hostile), "-m", str(styles_model),
                                      "--window", "50", "--html", str(page)])  # fmt: skip
    assert result.exit_code == 0, result.output
    source = page.read_text(encoding="utf-8")
    assert "<script>" not in source and "\x1b" not in source
    dom = render_in_chromium(page, tmp_path, height=1600)
    assert dom.count('<span class="seg o-alpha"') == 1
    assert dom.count('<span class="seg o-gamma"') == 1
    assert dom.count('<span class="seg o-beta"') == 1
    assert 'title="passage 1: characters 0–' in dom
    assert "<script>alert(1)</script>" not in dom and "&lt;script&gt;" in dom
