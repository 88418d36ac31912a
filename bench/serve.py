"""How fast ``attrib serve`` answers: latency and throughput over loopback, and the server's memory.

Starts ``attrib serve`` on the development corpus (or ``--corpus DIR``), waits for its background
evaluation to finish, then sends the articles (cut to ``--chars``) from ``--clients`` clients at
once: ``--requests`` predictions, then as many explanations as the page asks for them (``top``
12), then as many scans. In the same run, the plain two-view scikit-learn pipeline (char_wb 2-5 +
word 1-2 TF-IDF and a LinearSVC, trained on the same corpus in this process) predicts the same
texts one call per text, the way a hand-written notebook or service would answer one request:
no HTTP, no masking, no explanation.

    python bench/serve.py [--corpus DIR] [--requests 200] [--clients 20]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
from devcorpus import dev_corpus

from attrib.evaluation.republished import plain_pipeline
from attrib.reading.corpus import load_corpus


def start_server(corpus: Path) -> tuple[subprocess.Popen[str], str]:
    work = Path(tempfile.mkdtemp(prefix="attrib-serve-bench-"))
    process = subprocess.Popen(
        [sys.executable, "-m", "attrib", "serve", str(corpus), "--port", "0"],
        cwd=work,
        env={**os.environ, "ATTRIB_CONFIG_DIR": str(work / "config"), "PYTHONUNBUFFERED": "1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        print("  server:", line.rstrip())
        found = re.search(r"Serving on (http://\S+)", line)
        if found:
            return process, found.group(1)
    raise SystemExit("attrib serve did not start")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def load(url: str, endpoint: str, texts: list[str], requests: int, clients: int) -> list[float]:
    """Latencies (s) of ``requests`` POSTs from ``clients`` threads, each with its own
    keep-alive connection as a browser has; every answer must be 200."""
    local = threading.local()

    def ask(i: int) -> float:
        if not hasattr(local, "client"):
            local.client = httpx2.Client(timeout=300)
        body: dict[str, Any] = {"text": texts[i % len(texts)]}
        if endpoint == "explain":
            body["top"] = 12
        started = time.perf_counter()
        reply = local.client.post(url + f"api/{endpoint}", json=body)
        took = time.perf_counter() - started
        if reply.status_code != 200:
            raise SystemExit(f"{endpoint}: {reply.status_code} {reply.text[:200]}")
        return took

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(ask, range(requests)))


def describe(latencies: list[float], seconds: float) -> str:
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"p50 {statistics.median(ordered) * 1000:6.0f} ms, p95 {p95 * 1000:6.0f} ms, "
        f"max {ordered[-1] * 1000:6.0f} ms, {len(latencies) / seconds:6.1f} requests/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, help="default: the development corpus")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--chars", type=int, default=5000, help="texts cut to this length")
    arguments = parser.parse_args()
    corpus_path = arguments.corpus or dev_corpus()
    corpus = load_corpus(corpus_path)
    texts = [d.text[: arguments.chars] for d in corpus.documents]
    print(
        f"{len(texts)} texts of {statistics.mean(map(len, texts)):,.0f} characters on average, "
        f"{arguments.requests} requests per endpoint from {arguments.clients} clients"
    )

    process, url = start_server(corpus_path)
    try:
        while httpx2.get(url + "api/corpus", timeout=60).json()["state"] in ("waiting", "running"):
            time.sleep(1)  # the background evaluation would share the cores
        idle = rss_mb(process.pid)
        results = {}
        for endpoint in ("predict", "explain", "scan"):
            load(url, endpoint, texts, arguments.clients, arguments.clients)  # warm up
            started = time.perf_counter()
            latencies = load(url, endpoint, texts, arguments.requests, arguments.clients)
            results[endpoint] = (latencies, time.perf_counter() - started, rss_mb(process.pid))
    finally:
        process.terminate()
        process.wait(timeout=30)

    plain = plain_pipeline().fit(corpus.texts, corpus.labels)
    plain_latencies = []
    started = time.perf_counter()
    for i in range(arguments.requests):
        one = time.perf_counter()
        plain.predict([texts[i % len(texts)]])
        plain_latencies.append(time.perf_counter() - one)
    plain_seconds = time.perf_counter() - started

    print(f"server memory: {idle:.0f} MB idle after training and evaluation")
    for endpoint, (latencies, seconds, memory) in results.items():
        print(f"attrib serve /api/{endpoint:8s} {describe(latencies, seconds)}; {memory:.0f} MB")
    print(f"plain pipeline, in process  {describe(plain_latencies, plain_seconds)}")
    _, predict_seconds, _ = results["predict"]
    ratio = (arguments.requests / predict_seconds) / (arguments.requests / plain_seconds)
    print(
        f"throughput: attrib serve /api/predict over HTTP with {arguments.clients} clients / "
        f"plain pipeline predict in process, one text per call = {ratio:.2f}x"
    )


if __name__ == "__main__":
    main()
