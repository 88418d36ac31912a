"""Benchmark: how much accuracy do the options for scale give up?

On the development corpus (the bundled seeds plus ``../shared/corpus-dev``), stratified 5-fold
cross-validation (seed 0, the same folds for every row): macro-F1 of the default in-memory
model, of the same with smaller vocabulary caps (``max_features`` per view, which bounds the
model's size) or ``min_df=2``, and of ``train_bounded`` under a few settings (hash bits, SGD
alpha, epochs; batches of 32 documents, so that even this small corpus is fed in batches).

    python bench/quality_tradeoffs.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).parent))

from devcorpus import dev_corpus

import attrib
from attrib.reading.corpus import Corpus
from attrib.scale.bounded import train_bounded


def cross_validated(corpus: Corpus, fit: Any, folds: int = 5) -> float:
    """Macro-F1 of the forced choice (best outlet) over stratified folds."""
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    truth, guesses = [], []
    for train, test in splitter.split(corpus.texts, corpus.labels):
        part = Corpus(corpus.root, tuple(corpus.documents[i] for i in train))
        model = fit(part)
        held = [corpus.documents[i] for i in test]
        guesses += [p.best for p in model.predictions([d.text for d in held])]
        truth += [d.label for d in held]
    return float(f1_score(truth, guesses, average="macro"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the defaults of each mode")
    args = parser.parse_args()
    corpus = attrib.load_corpus(dev_corpus())
    rows: list[tuple[str, Any]] = [("default (in memory)", attrib.train)]
    caps: list[dict[str, Any]] = [
        {"max_features": None},
        {"max_features": 20_000},
        {"max_features": 10_000},
        {"max_features": 5_000},
        {"min_df": 2},
    ]
    for cap in [] if args.quick else caps:
        name = "default " + ", ".join(f"{k}={v}" for k, v in cap.items())
        rows.append((name, lambda c, o=cap: attrib.train(c, **o)))
    settings: list[dict[str, Any]] = (
        [{}]
        if args.quick
        else [
            {},
            {"alpha": 1e-4},
            {"alpha": 1e-5},
            {"epochs": 20},
            {"hash_bits": 20},
            {"hash_bits": 16},
        ]
    )
    for setting in settings:
        name = "bounded " + (", ".join(f"{k}={v}" for k, v in setting.items()) or "defaults")
        rows.append((name, lambda c, s=setting: train_bounded(c, batch_size=32, **s)))
    print(f"{len(corpus.documents)} documents, stratified 5-fold, macro-F1 of the best outlet")
    for name, fit in rows:
        start = time.perf_counter()
        score = cross_validated(corpus, fit)
        print(f"{name:32} {score:.3f}  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
