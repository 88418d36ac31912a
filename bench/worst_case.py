"""Benchmark: time and peak memory of one input at the size limit, against the plain way.

Writes three texts of --mb megabytes (default 19, just under attrib's 20 MB limit), made from
the bundled corpus's words, no network:

* ``one word``: a single run of letters without a space;
* ``long tokens``: runs of 500 letters between spaces;
* ``ordinary``: the corpus's words resampled, 20 to a line.

For each, it runs in a fresh process (peak RSS from ``getrusage`` of that process alone):

* attrib: ``attrib predict -m MODEL FILE`` with the default model of the bundled corpus;
* the plain way: ``joblib.load`` of a plain two-view pipeline (char_wb 2-5 + word 1-2 TF-IDF,
  logistic regression) fitted on the same corpus, then ``predict`` on the file's text.

    python bench/worst_case.py [--mb 19] [--skip-plain]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

import attrib

# Runs a command and prints its wall time and its peak RSS (this wrapper's only child).
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{seconds:.1f} {peak:.0f} {done.returncode}")
"""
PLAIN = (
    "import joblib, sys; p = joblib.load(sys.argv[1]);"
    "print(p.predict([open(sys.argv[2], encoding='utf-8').read()]))"
)


def texts(megabytes: float, words: list[str]) -> dict[str, str]:
    size = int(megabytes * 1024 * 1024)
    rng = random.Random(0)
    letters = "".join(w for w in words if w.isalpha())
    one_word = (letters * (size // max(len(letters), 1) + 1))[:size]
    tokens = [one_word[i : i + 500] for i in range(0, size, 501)]
    lines = []
    total = 0
    while total < size:
        line = " ".join(rng.choice(words) for _ in range(20)) + "\n"
        lines.append(line)
        total += len(line.encode("utf-8"))
    return {
        "one word": one_word,
        "long tokens": " ".join(tokens)[:size],
        "ordinary": "".join(lines)[:size],
    }


def measure(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        env=env, cwd=cwd, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return float(out[0]), float(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=19.0, help="size of each text (default 19)")
    parser.add_argument("--skip-plain", action="store_true", help="measure attrib only")
    args = parser.parse_args()
    cli = shutil.which("attrib", path=Path(sys.executable).parent) or "attrib"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "ATTRIB_CONFIG_DIR": str(work / "config")}
        os.environ["ATTRIB_CONFIG_DIR"] = env["ATTRIB_CONFIG_DIR"]
        corpus = attrib.load_corpus()
        attrib.save_model(attrib.train(corpus), work / "model.npz")
        plain = Pipeline(
            [
                (
                    "features",
                    FeatureUnion(
                        [
                            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
                            ("word", TfidfVectorizer(ngram_range=(1, 2))),
                        ]
                    ),
                ),
                ("classifier", LogisticRegression(C=100, max_iter=2000)),
            ]
        ).fit(corpus.texts, corpus.labels)
        joblib.dump(plain, work / "plain.joblib")
        words = " ".join(corpus.texts).split()
        for name, text in texts(args.mb, words).items():
            path = work / (name.replace(" ", "_") + ".txt")
            path.write_text(text, encoding="utf-8")
            megabytes = path.stat().st_size / 1024 / 1024
            ours = measure([cli, "predict", "-m", str(work / "model.npz"), str(path)], env, work)
            line = f"{name:12s} {megabytes:5.1f} MB  attrib {ours[0]:6.1f} s {ours[1]:7,.0f} MB"
            if not args.skip_plain:
                theirs = measure(
                    [sys.executable, "-c", PLAIN, str(work / "plain.joblib"), str(path)], env, work
                )
                line += (
                    f"  plain {theirs[0]:6.1f} s {theirs[1]:7,.0f} MB"
                    f"  (time ratio {theirs[0] / ours[0]:.2f}x, memory ratio "
                    f"{theirs[1] / ours[1]:.2f}x; exits {ours[2]}/{theirs[2]})"
                )
            print(line, flush=True)


if __name__ == "__main__":
    main()
