"""Benchmark: batch prediction throughput and start-up, against the plain way, in one run.

Generates MB megabytes of text (sentences of the bundled corpus resampled, no network) as
.txt files, trains attrib's default model on the bundled corpus, then times

* the plain way: read every file, ``pipeline.predict(texts)`` with the plain two-view
  scikit-learn pipeline a user would write (char_wb 2-5 and word 1-2 TF-IDF, a linear SVM:
  :func:`attrib.evaluation.republished.plain_pipeline`), fitted on the same corpus;
* ``attrib.scale.batches.predict_sources`` over the directory (reading, cleaning, scoring and the
  open-set checks) with ``jobs`` = 1 and 2;
* start-up: ``attrib --help``, and ``attrib predict`` on one short file against ``python -c``
  that imports joblib, loads the pipeline and predicts (best of 5 each), with the bundled model
  and with a model of ``--startup-docs`` generated documents. The plain way's file is what a
  scikit-learn user would save: the same pipeline, fitted on the same corpus, ``joblib.dump``.
* loading: ``attrib.load_model`` in a fresh process (best of 5), of the data file and of the
  same model in the signed-pickle format attrib 0.1 wrote (format 3, loaded with ``trust``).

    python bench/predict_speed.py --mb 20
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import joblib
from synthetic import write_corpus

import attrib
from attrib.evaluation.republished import plain_pipeline
from attrib.reading.texts import expand_inputs
from attrib.scale.batches import predict_sources


def attrib_command() -> str:
    """The attrib beside this Python (its venv), else the one on PATH."""
    here = shutil.which("attrib", path=Path(sys.executable).parent)
    return here or shutil.which("attrib") or "attrib"


def best_of(runs: int, command: list[str], env: dict[str, str], cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--mb", type=float, default=20.0, help="megabytes of text (default 20; 0: start-up only)"
    )
    parser.add_argument(
        "--startup-docs",
        type=int,
        default=10_000,
        help="also time start-up with a model of this many generated documents (0: skip)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        n = max(1, int(args.mb * 1024 * 1024 / 3500))
        write_corpus(work / "texts", n, seed=1)
        files = sorted(str(p) for p in (work / "texts").rglob("*.txt"))
        size = sum(os.path.getsize(f) for f in files) / 1024 / 1024
        print(f"{len(files)} generated texts, {size:.1f} MB")
        env = {**os.environ, "ATTRIB_CONFIG_DIR": str(work / "config")}
        os.environ["ATTRIB_CONFIG_DIR"] = env["ATTRIB_CONFIG_DIR"]
        model = attrib.train()
        attrib.save_model(model, work / "model.npz")

        if args.mb > 0:
            throughput(model, work, files, size)
        short = work / "short.txt"
        short.write_text(Path(files[0]).read_text(encoding="utf-8")[:1500])
        cli = attrib_command()
        help_time = best_of(5, [cli, "--help"], env, work)
        print(f"attrib --help:               {help_time:7.3f} s")
        corpus = attrib.load_corpus()
        startup("bundled 5-document model", work, short, corpus, env, model)
        if args.startup_docs:
            generated = write_corpus(work / "big", args.startup_docs, chars=1000, novel=0.15)
            corpus = attrib.load_corpus(generated)
            name = f"model of {args.startup_docs:,} generated documents"
            startup(name, work, short, corpus, env, attrib.train(corpus))


def throughput(model: Any, work: Path, files: list[str], size: float) -> None:
    """MB/s of the plain pipeline.predict and of attrib's batches with 1 and 2 processes."""
    corpus = attrib.load_corpus()
    pipeline = plain_pipeline().fit(corpus.texts, corpus.labels)
    start = time.perf_counter()
    texts = [Path(f).read_text(encoding="utf-8") for f in files]
    pipeline.predict(texts)
    plain_seconds = time.perf_counter() - start
    print(f"plain pipeline.predict:      {plain_seconds:7.1f} s  {size / plain_seconds:6.2f} MB/s")
    plain = model.pipeline.predict(texts)  # what attrib's batches must answer
    del texts
    for jobs in (1, 2):
        start = time.perf_counter()
        results = list(predict_sources(model, expand_inputs([str(work / "texts")]), jobs=jobs))
        seconds = time.perf_counter() - start
        same = [r.prediction.best for r in results if r.prediction] == list(plain)
        print(
            f"attrib predict -j {jobs}:           {seconds:7.1f} s  {size / seconds:6.2f} MB/s"
            f"  ratio {plain_seconds / seconds:4.2f}x  same outlets as its pipeline: {same}"
        )


def startup(
    name: str, work: Path, short: Path, corpus: attrib.Corpus, env: dict[str, str], model: Any
) -> None:
    """``attrib predict`` on one short file against the plain way, with models of one corpus.

    The plain way's file is what a scikit-learn user would save: the same pipeline, fitted on
    the same corpus and written with ``joblib.dump``.
    """
    ours_file, plain_file = work / "ours.npz", work / "plain.joblib"
    attrib.save_model(model, ours_file, overwrite=True)
    old_file = write_format_3(model, work / "old.joblib")
    joblib.dump(attrib.build_pipeline().fit(corpus.texts, corpus.labels), plain_file)
    cli = attrib_command()
    ours = best_of(5, [cli, "predict", "-m", str(ours_file), str(short)], env, work)
    plain_code = (
        "import joblib, sys; p = joblib.load(sys.argv[1]);"
        "print(p.predict([open(sys.argv[2]).read()]))"
    )
    plain = best_of(5, [sys.executable, "-c", plain_code, str(plain_file), str(short)], env, work)
    sizes = (
        f"files {ours_file.stat().st_size / 2**20:.1f} / {plain_file.stat().st_size / 2**20:.1f} MB"
    )
    print(
        f"attrib predict one file, {name}: {ours:.3f} s; plain python -c: {plain:.3f} s; "
        f"ratio {plain / ours:4.2f}x ({sizes})"
    )
    load = "import attrib, sys; attrib.load_model(sys.argv[1], trust=True)"
    data = best_of(5, [sys.executable, "-c", load, str(ours_file)], env, work)
    old = best_of(5, [sys.executable, "-c", load, str(old_file)], env, work)
    print(
        f"load_model in a fresh process, {name}: data file {data:.3f} s; attrib 0.1's signed "
        f"pickle {old:.3f} s; ratio {old / data:4.2f}x (files "
        f"{ours_file.stat().st_size / 2**20:.1f} / {old_file.stat().st_size / 2**20:.1f} MB)"
    )


def write_format_3(model: Any, path: Path) -> Path:
    """The model as attrib 0.1 saved it: a JSON header, then a joblib pickle (uncompressed for
    an in-memory model), the header signed with a throwaway key (the file is loaded with trust)."""
    buffer = io.BytesIO()
    joblib.dump({"pipeline": model.pipeline, "seen": model.seen}, buffer)
    payload = buffer.getvalue()
    header: dict[str, Any] = {
        "format": 3,
        "metadata": model.metadata,
        "payload": {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()},
    }
    header["signature"] = "0" * 64
    path.write_bytes(b"ATTRIB-MODEL\n" + json.dumps(header).encode() + b"\n" + payload)
    return path


if __name__ == "__main__":
    main()
