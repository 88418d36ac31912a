"""Benchmark: counting the four views with attrib's counter against scikit-learn's analyzers.

Generates MB megabytes of text (sentences of the bundled corpus resampled, a tenth of the words
made up so that the vocabulary keeps growing; no network), cleans them as the default model
does, then, for each view of the default model, times in one run

* scikit-learn: ``CountVectorizer.fit_transform`` and ``transform`` with the analyzer and
  preprocessor that define the view (:meth:`NgramCounter.reference`);
* attrib: ``NgramCounter.fit_transform`` and ``transform`` on the same texts;

and checks that the matrices and vocabularies are identical.

    python bench/counting.py --mb 20
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import generate_texts

import attrib


def timed(function, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="megabytes of text (default 20)")
    args = parser.parse_args()
    texts, _ = generate_texts(max(1, int(args.mb * 1e6 / 3500)), seed=1, novel=0.1)
    pipeline = attrib.build_pipeline()
    cleaned = pipeline.named_steps["clean"].transform(texts)
    size = sum(len(t.encode()) for t in cleaned) / 1e6
    print(f"{len(cleaned)} generated texts, {size:.1f} MB after cleaning")
    print(f"{'view':8} {'':10} {'scikit-learn':>12} {'attrib':>8} {'speed-up':>9}  identical")
    totals = {"fit": [0.0, 0.0], "transform": [0.0, 0.0]}
    for kind, view in pipeline.named_steps["features"].transformer_list:
        counter = view.named_steps["count"]
        reference = counter.reference()
        expected, fit_sklearn = timed(reference.fit_transform, cleaned)
        got, fit_attrib = timed(counter.fit_transform, cleaned)
        same = (expected != got).nnz == 0 and (
            reference.get_feature_names_out().tolist() == counter.get_feature_names_out().tolist()
        )
        expected, transform_sklearn = timed(reference.transform, cleaned)
        got, transform_attrib = timed(counter.transform, cleaned)
        same = same and (expected != got).nnz == 0
        for step, old, new in (
            ("fit", fit_sklearn, fit_attrib),
            ("transform", transform_sklearn, transform_attrib),
        ):
            totals[step][0] += old
            totals[step][1] += new
            print(f"{kind:8} {step:10} {old:11.2f}s {new:7.2f}s {old / new:8.1f}x  {same}")
    for step, (old, new) in totals.items():
        print(
            f"{'all four':8} {step:10} {old:11.2f}s {new:7.2f}s {old / new:8.1f}x"
            f"  ({size / old:.2f} vs {size / new:.2f} MB/s)"
        )


if __name__ == "__main__":
    main()
