"""Benchmark: does attribution survive republication, and how short a text can it take?

On the development corpus (the 5 bundled seeds plus ``../shared/corpus-dev``: 92 documents):

1. ``attrib evaluate --republish`` in the library: stratified 5-fold, seeds 0 and 1, every
   transform of :mod:`attrib.republish` applied to the held-out documents, attrib's default
   beside the plain pipeline (char_wb 2-5 + word 1-2 TF-IDF, LinearSVC) and beside attrib with
   the old reading (``--typography raw``, datelines kept).
2. A learning curve: macro-F1 against excerpt length (50, 100, 200, 400 words, whole text)
   under the combined transform (``all``, then the excerpt), attrib and plain, seeds 0 and 1.
3. The untouched check: a quarter of the development corpus (stratified, seed 2026) was set
   aside after the first round of tuning; the default and the plain pipeline are trained on the
   other three quarters and scored on it, as published and under ``all``.

    python bench/republication.py
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path
from unittest import mock

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedShuffleSplit

sys.path.insert(0, str(Path(__file__).parent))

from devcorpus import dev_corpus

import attrib
from attrib.evaluation.republished import (
    document_seed,
    evaluate_republished,
    plain_pipeline,
)
from attrib.features import cleaning
from attrib.reading.corpus import Corpus
from attrib.republish import ALL, combine, excerpt

SEEDS = (0, 1)
LENGTHS = (50, 100, 200, 400, None)


def robustness(corpus: Corpus) -> None:
    print("1. Republished held-out documents, stratified 5-fold, macro-F1 (drop from none)")
    for seed in SEEDS:
        start = time.perf_counter()
        report = evaluate_republished(corpus, folds=5, seed=seed)
        with mock.patch.object(cleaning, "strip_frames", lambda text: text):
            old = evaluate_republished(corpus, folds=5, seed=seed, typography="raw", baseline=False)
        print(f"  seed {seed} ({time.perf_counter() - start:.0f} s)")
        print(f"    {'transform':11s} {'attrib':>15s} {'plain':>15s} {'old reading':>15s}")
        for row, before in zip(report.rows, old.rows, strict=True):
            print(
                f"    {row.transform:11s} {row.macro_f1:7.3f} ({row.drop:+.3f})"
                f" {row.plain_macro_f1:7.3f} ({row.plain_drop:+.3f})"
                f" {before.macro_f1:7.3f} ({before.drop:+.3f})"
            )


def learning_curve(corpus: Corpus) -> None:
    print("\n2. Excerpt length under the combined transform, stratified 5-fold, macro-F1")
    transforms = {
        f"{words or 'whole'}": combine(ALL, partial(excerpt, words=words)) if words else ALL
        for words in LENGTHS
    }
    for seed in SEEDS:
        report = evaluate_republished(corpus, folds=5, seed=seed, transforms=transforms)
        cells = [
            f"{row.transform}: {row.macro_f1:.3f}/{row.plain_macro_f1:.3f}"
            for row in report.rows[1:]
        ]
        print(f"  seed {seed} (words: attrib/plain)  " + "   ".join(cells))


def untouched_check(corpus: Corpus) -> None:
    print("\n3. The quarter set aside (stratified, seed 2026), trained on the rest, macro-F1")
    texts, labels = corpus.texts, np.array(corpus.labels, dtype=object)
    split = StratifiedShuffleSplit(1, test_size=0.25, random_state=2026)
    train, test = next(split.split(texts, labels))
    for name, model in (("attrib", attrib.build_pipeline()), ("plain", plain_pipeline())):
        model.fit([texts[i] for i in train], labels[train])
        scores = []
        for transform in (None, ALL):
            held = [
                texts[i] if transform is None else transform(texts[i], document_seed(0, i))
                for i in test
            ]
            predicted = model.predict(held)
            scores.append(f1_score(list(labels[test]), list(predicted), average="macro"))
        print(f"  {name:7s} as published {scores[0]:.3f}   all transforms {scores[1]:.3f}")
    print(f"  ({len(train)} training, {len(test)} held-out documents)")


def main() -> None:
    corpus = attrib.load_corpus(dev_corpus())
    print(f"corpus: {len(corpus.documents)} documents\n")
    robustness(corpus)
    learning_curve(corpus)
    untouched_check(corpus)


if __name__ == "__main__":
    main()
