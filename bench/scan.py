"""Benchmark: does ``attrib scan`` find a passage of one outlet inside another text?

On the development corpus (the 5 bundled seeds plus ``../shared/corpus-dev``: 92 documents),
stratified 4-fold by document: a model is trained on three folds, and every mixture is built
from documents of the fourth only (hosts and passages the model never saw).

Mixtures, for inserted passages of 100, 200 and 400 words:

* news: a held-out document of outlet A, with a passage of outlet B (another outlet, drawn at
  random; its held-out documents joined when one is too short, cut at a sentence start by
  :func:`attrib.republish.excerpt`) inserted at a random paragraph break;
* prose: the same passages inside neutral prose written for this benchmark (``prose.py``), six
  paragraphs (about 360 words) chosen at random.

Each is scored as published and laundered (:data:`attrib.republish.ALL` applied to host and
passage apart: no frames, headlines or typography, re-flowed, copy-edited). Per length: the mean
boundary error in words (start and end of the segment that overlaps the passage most), the mean
intersection over union of that segment and the passage (in words), and how often it got
outlet B; beside it, the plain answer (one label for the whole text). Then one voice: how
often a held-out document longer than a window comes back as one segment.

    python bench/scan.py                 # the report (seed 2)
    python bench/scan.py --grid --seed 1  # the settings compared to choose the defaults
    python bench/scan.py --settings 100,20,18 150,30,24 --seed 1
    python bench/scan.py --speed 2        # time on 2 MB against the plain rolling window

The speed check: one text of the bundled articles repeated to the size asked, scanned by
:func:`attrib.scan` with the bundled model, against the plain way a user would write a rolling
attribution: the plain two-view pipeline
(:func:`attrib.evaluation.republished.plain_pipeline`, fitted on the same corpus) scoring the
same 100-word windows every 20 words (``decision_function``), with no segmentation at all.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).parent))

from devcorpus import dev_corpus
from prose import PARAGRAPHS

import attrib
from attrib.evaluation.republished import plain_pipeline
from attrib.explanation.scan import CHANGE_PENALTY, STEP_WORDS, WINDOW_WORDS, Scan, scan
from attrib.reading.corpus import Corpus, Document, load_corpus
from attrib.republish import ALL, excerpt

LENGTHS = (100, 200, 400)
FOLDS = 4
_WORD = re.compile(r"\S+")
_BREAK = re.compile(r"\n\s*\n|\n")
_SENTENCE = re.compile(r"""(?<=[.!?]) (?=\S)|(?<=[.!?]["'”’)]) (?=\S)""")


@dataclass(frozen=True)
class Mixture:
    text: str
    start: int  # the passage, in characters
    end: int
    outlet: str  # the passage's outlet
    kind: str
    words: int
    laundered: bool


def splits(corpus: Corpus, seed: int) -> list[tuple[Corpus, list[Document]]]:
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed)
    documents = list(corpus.documents)
    result = []
    for train, test in folds.split(documents, corpus.labels):
        kept = tuple(documents[i] for i in train)
        result.append((Corpus(corpus.root, kept), [documents[i] for i in test]))
    return result


def pieces(text: str) -> list[str]:
    """Paragraphs; sentences of a text that has one paragraph."""
    paragraphs = [p.strip() for p in _BREAK.split(text.strip()) if p.strip()]
    if len(paragraphs) > 1:
        return paragraphs
    return [s for s in _SENTENCE.split(text.strip()) if s]


def passage(documents: list[Document], words: int, rng: random.Random, launder: bool) -> str:
    chosen = documents[:]
    rng.shuffle(chosen)
    texts = [ALL(d.text, rng.randrange(10**6)) if launder else d.text for d in chosen]
    joined = "\n\n".join(texts)
    return excerpt(joined, rng.randrange(10**6), words=words)


def insert(host: list[str], inserted: str, rng: random.Random) -> tuple[str, int, int]:
    at = rng.randrange(1, len(host))
    before = "\n\n".join(host[:at]) + "\n\n"
    text = before + inserted + "\n\n" + "\n\n".join(host[at:])
    return text, len(before), len(before) + len(inserted)


def mixtures(held_out: list[Document], seed: int) -> list[Mixture]:
    rng = random.Random(seed)
    by_outlet: dict[str, list[Document]] = {}
    for d in held_out:
        by_outlet.setdefault(d.label, []).append(d)
    made = []
    for launder in (False, True):
        for words in LENGTHS:
            for document in held_out:
                # news: this document hosts a passage of another outlet
                text = ALL(document.text, rng.randrange(10**6)) if launder else document.text
                host = pieces(text)
                others = sorted(o for o in by_outlet if o != document.label)
                if len(host) > 1 and others:
                    other = rng.choice(others)
                    inserted = passage(by_outlet[other], words, rng, launder)
                    made.append(Mixture(*insert(host, inserted, rng), other, "news", words,
                                        launder))  # fmt: skip
                # prose: a passage of this document's outlet inside neutral prose
                inserted = passage(by_outlet[document.label], words, rng, launder)
                prose = rng.sample(PARAGRAPHS, 6)
                made.append(Mixture(*insert(prose, inserted, rng), document.label, "prose",
                                    words, launder))  # fmt: skip
    return made


@dataclass(frozen=True)
class Found:
    iou: float
    boundary: float
    right: bool
    plain_iou: float
    plain_boundary: float
    plain_right: bool
    prose_unknown: float  # share of the host's words in unknown segments
    alone_right: bool  # the passage scored alone (its true boundaries) gets outlet B


def measure(mixture: Mixture, found: Scan, alone: str) -> Found:
    text = mixture.text
    starts = [m.start() for m in _WORD.finditer(text)]
    n = len(starts)

    def words_of(a: int, b: int) -> tuple[int, int]:
        return int(np.searchsorted(starts, a)), int(np.searchsorted(starts, b))

    true = words_of(mixture.start, mixture.end)
    spans = [(words_of(s.start, s.end), s.outlet) for s in found.segments]
    best, outlet = max(spans, key=lambda item: _intersection(item[0], true))
    host_words = n - (true[1] - true[0])
    unknown = sum((b - a) - _intersection((a, b), true) for (a, b), o in spans if o == "unknown")
    return Found(
        iou=_iou(best, true),
        boundary=(abs(best[0] - true[0]) + abs(best[1] - true[1])) / 2,
        right=outlet == mixture.outlet,
        plain_iou=_iou((0, n), true),
        plain_boundary=(true[0] + (n - true[1])) / 2,
        plain_right=found.outlet == mixture.outlet,
        prose_unknown=unknown / host_words if host_words else 0.0,
        alone_right=alone == mixture.outlet,
    )


def _intersection(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = _intersection(a, b)
    return inter / ((a[1] - a[0]) + (b[1] - b[0]) - inter)


def run(corpus: Corpus, seed: int, settings: list[tuple[int, int, float]]) -> None:
    results: dict[tuple[int, int, float], list[tuple[Mixture, Found]]] = {s: [] for s in settings}
    one_voice: dict[tuple[int, int, float], list[int]] = {s: [] for s in settings}
    trained = 0.0
    scanned = {s: 0.0 for s in settings}
    for number, (train, held_out) in enumerate(splits(corpus, seed)):
        start = time.perf_counter()
        model = attrib.train(train)
        trained += time.perf_counter() - start
        made = mixtures(held_out, seed * 100 + number)
        alone = model.predict([m.text[m.start : m.end] for m in made])
        for setting in settings:
            window, step, penalty = setting
            start = time.perf_counter()
            for mixture, answer in zip(made, alone, strict=True):
                found = scan(model, mixture.text, window=window, step=step, penalty=penalty)
                results[setting].append((mixture, measure(mixture, found, answer)))
            for document in held_out:
                for launder in (False, True):
                    text = ALL(document.text, 7) if launder else document.text
                    if len(text.split()) > window:
                        found = scan(model, text, window=window, step=step, penalty=penalty)
                        one_voice[setting].append(len(found.segments))
            scanned[setting] += time.perf_counter() - start
    print(f"seed {seed}: {FOLDS} folds, training {trained:.0f} s in all")
    for setting in settings:
        report(setting, results[setting], one_voice[setting], scanned[setting])


def report(
    setting: tuple[int, int, float],
    results: list[tuple[Mixture, Found]],
    one_voice: list[int],
    seconds: float,
) -> None:
    window, step, penalty = setting
    single = sum(1 for count in one_voice if count == 1)
    print(
        f"\nwindow {window}, step {step}, penalty {penalty:g} ({seconds:.0f} s): one voice -> one "
        f"segment {single}/{len(one_voice)} ({single / len(one_voice):.0%})"
    )
    print(
        f"  {'mixture':22s} {'words':>5s} {'n':>4s}  {'boundary':>8s} {'IoU':>5s} {'right':>6s}"
        f"   plain: {'boundary':>8s} {'IoU':>5s} {'right':>6s}   alone: {'right':>5s} "
        f"{'IoU|right':>9s}   host unknown"
    )
    for kind in ("news", "prose"):
        for laundered in (False, True):
            for words in LENGTHS:
                rows = [
                    f
                    for m, f in results
                    if m.kind == kind and m.laundered == laundered and m.words == words
                ]
                if not rows:
                    continue
                name = f"{kind}, {'laundered' if laundered else 'published'}"
                print(
                    f"  {name:22s} {words:5d} {len(rows):4d}  "
                    f"{np.mean([f.boundary for f in rows]):8.1f} "
                    f"{np.mean([f.iou for f in rows]):5.2f} "
                    f"{np.mean([f.right for f in rows]):6.0%}   "
                    f"       {np.mean([f.plain_boundary for f in rows]):8.1f} "
                    f"{np.mean([f.plain_iou for f in rows]):5.2f} "
                    f"{np.mean([f.plain_right for f in rows]):6.0%}   "
                    f"       {np.mean([f.alone_right for f in rows]):5.0%} "
                    f"{np.mean([f.iou for f in rows if f.alone_right] or [np.nan]):9.2f}   "
                    f"{np.mean([f.prose_unknown for f in rows]):5.0%}"
                )


def speed(megabytes: float) -> None:
    corpus = load_corpus()
    texts, size = [], 0
    while size < megabytes * 1e6:
        texts.append(corpus.documents[len(texts) % len(corpus.documents)].text)
        size += len(texts[-1])
    text = "\n\n".join(texts)
    model = attrib.train(corpus)
    plain = plain_pipeline().fit(corpus.texts, corpus.labels)
    start = time.perf_counter()
    found = scan(model, text)
    scanned = time.perf_counter() - start
    start = time.perf_counter()
    spans = [m.span() for m in _WORD.finditer(text)]
    windows = [
        text[spans[i][0] : spans[min(i + WINDOW_WORDS, len(spans)) - 1][1]]
        for i in range(0, max(1, len(spans) - WINDOW_WORDS + 1), STEP_WORDS)
    ]
    plain.decision_function(windows)
    rolled = time.perf_counter() - start
    print(
        f"{len(text) / 1e6:.1f} MB, {len(spans):,} words, {len(windows):,} windows: attrib scan "
        f"{scanned:.1f} s ({len(found.segments)} segments); plain rolling window {rolled:.1f} s "
        f"(windows scored only); plain / attrib = {rolled / scanned:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--grid", action="store_true", help="compare window/step/penalty")
    parser.add_argument("--speed", type=float, metavar="MB", help="time scan against plain")
    parser.add_argument(
        "--settings", nargs="+", metavar="W,S,P", help="window,step,penalty triples to compare"
    )
    arguments = parser.parse_args()
    if arguments.speed:
        speed(arguments.speed)
        return
    corpus = load_corpus(dev_corpus())
    if arguments.grid:
        settings = [
            (window, max(5, window // 5), penalty)
            for window in (50, 100, 150)
            for penalty in (CHANGE_PENALTY / 2, CHANGE_PENALTY, CHANGE_PENALTY * 2)
        ]
    elif arguments.settings:
        settings = [
            (int(w), int(s), float(p)) for w, s, p in (t.split(",") for t in arguments.settings)
        ]
    else:
        settings = [(WINDOW_WORDS, STEP_WORDS, CHANGE_PENALTY)]
    run(corpus, arguments.seed, settings)


if __name__ == "__main__":
    main()
