"""Benchmark: attrib.evaluation.evaluate against the plain cross_val_predict, on the same pipeline.

Generates a corpus of N documents (sentences of the bundled corpus resampled, no network),
then times, in this one run:

* the plain way: ``cross_val_predict(build_pipeline(), texts, labels, cv=LeaveOneOut())``,
  which re-tokenizes every training document in every fold;
* ``attrib.evaluate(corpus, permutations=0, jobs=J)`` for each J asked for, which counts
  n-grams once and builds each fold's TF-IDF from the cached counts;

checks that every fold's predicted outlet is identical (and reports the largest probability
difference), and prints the speed-up ratios.

    python bench/evaluate_speed.py -n 200 --jobs 1 2
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import LeaveOneOut, cross_val_predict

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import write_corpus

import attrib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="documents (default 200)")
    parser.add_argument("--chars", type=int, default=3500, help="characters per document")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="-j values to time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = attrib.load_corpus(write_corpus(Path(tmp), args.n, chars=args.chars))
        print(
            f"corpus: {len(corpus.documents)} generated documents, "
            f"{np.mean([len(t) for t in corpus.texts]):.0f} characters on average"
        )

        start = time.perf_counter()
        plain = cross_val_predict(
            attrib.build_pipeline(),
            corpus.texts,
            corpus.labels,
            cv=LeaveOneOut(),
            method="predict_proba",
        )
        plain_seconds = time.perf_counter() - start
        plain_labels = np.array(corpus.outlets)[plain.argmax(axis=1)]
        print(f"plain cross_val_predict (LeaveOneOut): {plain_seconds:8.1f} s")

        for jobs in args.jobs:
            start = time.perf_counter()
            report = attrib.evaluate(corpus, permutations=0, jobs=jobs)
            seconds = time.perf_counter() - start
            ours = np.array(
                [[f.scores.get(o, 0.0) for o in corpus.outlets] for f in report.held_out]
            )
            same = [f.predicted for f in report.held_out] == list(plain_labels)
            print(
                f"attrib.evaluation.evaluate -j {jobs}:                {seconds:8.1f} s   "
                f"ratio {plain_seconds / seconds:5.1f}x   identical predictions: {same}   "
                f"max probability difference {np.abs(ours - plain).max():.1e}"
            )
            if not same:
                raise SystemExit("predictions differ from the plain way")


if __name__ == "__main__":
    main()
