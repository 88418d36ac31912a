"""Benchmark: training time, peak memory, model size and load time as the corpus grows.

Generates corpora of N documents (default 1,000, 10,000 and 50,000; ``--chars`` characters
each, 15% made-up words so the vocabulary keeps growing, see ``synthetic.py``), then for each
N and each mode trains in a fresh process and records

* wall time of training (corpus loading included) and the process's peak RSS;
* the saved model's size, and the time to load it in another fresh process;

for the default model (``attrib.train``, everything in memory) and the bounded one
(``attrib.train_bounded``, ``attrib train --bounded``), both on one process. It ends with each
mode's growth exponent k (least-squares slope of log time against log N) and the bounded
mode's peak RSS at the largest N against the second.

    python bench/train_scale.py                 # 1k, 10k, 50k
    python bench/train_scale.py -n 1000 10000   # quicker
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import write_corpus

MODES = ("default", "bounded")


def measure(mode: str, corpus: Path, model: Path) -> dict[str, float]:
    """Train one model in this process; return time, peak RSS and model size."""
    import attrib

    start = time.perf_counter()
    trained = attrib.train_bounded(corpus) if mode == "bounded" else attrib.train(corpus)
    seconds = time.perf_counter() - start
    attrib.save_model(trained, model, overwrite=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {"seconds": seconds, "peak_rss_mb": peak, "model_mb": model.stat().st_size / 2**20}


def load_time(model: Path) -> float:
    """Seconds to load the model, after the imports (in this process)."""
    import attrib
    from attrib.storage import modelfile  # noqa: F401  (the imports are not what is timed)

    start = time.perf_counter()
    attrib.load_model(model)
    return time.perf_counter() - start


def fresh(*arguments: str) -> dict[str, float]:
    """Run this script in a new process for one measurement; return what it prints."""
    done = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"measurement {arguments} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--chars", type=int, default=1000, help="characters per document")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    parser.add_argument("--one", nargs=3, metavar=("MODE", "CORPUS", "MODEL"), help="internal")
    parser.add_argument("--load", metavar="MODEL", help="internal")
    args = parser.parse_args()
    if args.one:
        mode, corpus, model = args.one
        print(json.dumps(measure(mode, Path(corpus), Path(model))))
        return
    if args.load:
        print(json.dumps({"load_seconds": load_time(Path(args.load))}))
        return

    rows: dict[str, list[tuple[int, dict[str, float]]]] = {mode: [] for mode in args.modes}
    with tempfile.TemporaryDirectory(prefix="attrib-scale-") as tmp:
        os.environ["ATTRIB_CONFIG_DIR"] = str(Path(tmp) / "config")
        for n in args.n:
            corpus = write_corpus(Path(tmp) / f"corpus-{n}", n, chars=args.chars, novel=0.15)
            megabytes = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 2**20
            print(f"N = {n:,} documents, {megabytes:.1f} MB", flush=True)
            for mode in args.modes:
                model = Path(tmp) / f"{mode}-{n}.npz"
                result = fresh("--one", mode, str(corpus), str(model))
                result.update(fresh("--load", str(model)))
                rows[mode].append((n, result))
                print(
                    f"  {mode:8} train {result['seconds']:8.1f} s   peak RSS "
                    f"{result['peak_rss_mb']:7.0f} MB   model {result['model_mb']:6.1f} MB   "
                    f"load {result['load_seconds']:5.2f} s",
                    flush=True,
                )
            # The corpus is no longer needed: keep the disk free for the next one.
            subprocess.run(["rm", "-rf", str(corpus)], check=True)
    if len(args.n) < 2:
        return
    for mode, measured in rows.items():
        k = slope([(n, r["seconds"]) for n, r in measured])
        (n1, second), (n2, last) = measured[-2], measured[-1]
        growth = last["peak_rss_mb"] / second["peak_rss_mb"] - 1
        print(
            f"{mode}: time ~ N^{k:.2f}; peak RSS {second['peak_rss_mb']:.0f} MB at {n1:,} -> "
            f"{last['peak_rss_mb']:.0f} MB at {n2:,} ({growth:+.0%})"
        )


if __name__ == "__main__":
    main()
