"""What ``attrib corpus fetch`` costs and how faithfully it extracts, on real article text.

The development corpus's articles (read at run time from ``../shared/corpus-dev``) are served on
127.0.0.1 as news pages: the first line as the headline, the rest as paragraphs, inside a page
with a menu, related links, a share bar, comments and a footer, listed by one RSS feed. Then, in
the same run:

- ``attrib corpus fetch`` (delay 0, one request at a time) collects them into a new corpus;
- the plain way: a loop of urllib3 GETs and ``trafilatura.extract``, writing each text to a file
  (no robots.txt, no duplicates check, no manifest, no atomic writes).

Reported: pages per second for each; how many extracted texts equal the article (words compared,
whitespace ignored); how many carry a word of the page's furniture.

    python bench/fetch.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import html
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from devcorpus import dev_corpus

from attrib.reading.corpus import load_corpus

FURNITURE = ("Menuitem", "Relatedlink", "Sharebutton", "Readercomment", "Footerline")


def page(text: str) -> str:
    headline, *body = [line for line in text.splitlines() if line.strip()]
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    menu = "".join(f"<li><a href='/s{i}'>{FURNITURE[0]} {i}</a></li>" for i in range(8))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(headline)} | "
        f"Site</title></head><body><nav><ul>{menu}</ul></nav><main><article><h1>"
        f"{html.escape(headline)}</h1>{paragraphs}</article><aside><h3>Related</h3><ul><li>"
        f"<a href='/r'>{FURNITURE[1]} to another story</a></li></ul></aside><div class='share'>"
        f"{FURNITURE[2]}</div><section id='comments'><p>{FURNITURE[3]}: a reader disagrees with "
        f"all of this.</p></section></main><footer>{FURNITURE[4]} and copyright</footer></body>"
        "</html>"
    )


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = pages.get(self.path)
            status = 200 if body is not None else 404
            body = body or b""
            self.send_response(status)
            kind = "application/rss+xml" if self.path == "/feed.xml" else "text/html; charset=utf-8"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def words(text: str) -> str:
    return " ".join(text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = load_corpus(dev_corpus())
    texts = {f"/a/{i}": d.text for i, d in enumerate(corpus.documents)}
    pages = {path: page(text).encode() for path, text in texts.items()}
    server = serve(pages)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    items = "".join(f"<item><title>x</title><link>{base}{p}</link></item>" for p in texts)
    pages["/feed.xml"] = f"<rss version='2.0'><channel>{items}</channel></rss>".encode()
    print(f"{len(texts)} articles of the development corpus, {sum(map(len, pages.values())):,} "
          "bytes of pages, on 127.0.0.1")  # fmt: skip

    attrib_times, plain_times = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as work:
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "attrib", "corpus", "fetch", "tass", f"{base}/feed.xml",
                 "--corpus", work, "--delay", "0", "--json"],
                check=True, capture_output=True,
            )  # fmt: skip
            attrib_times.append(time.perf_counter() - start)
            fetched = {
                p.name: p.read_text(encoding="utf-8") for p in Path(work, "tass").glob("*.txt")
            }
        with tempfile.TemporaryDirectory() as work:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", PLAIN, base, work, *texts], check=True)
            plain_times.append(time.perf_counter() - start)
            plain = {p.name: p.read_text(encoding="utf-8") for p in Path(work).glob("*.txt")}

    expected = {words(t) for t in texts.values()}
    for name, found in (("attrib corpus fetch", fetched), ("plain urllib3 + trafilatura", plain)):
        exact = sum(words(t) in expected for t in found.values())
        leaked = sum(any(f in t for f in FURNITURE) for t in found.values())
        print(f"{name}: {len(found)} texts, {exact} equal to the article (words), {leaked} with "
              "a word of the page's furniture")  # fmt: skip
    a, b = statistics.median(attrib_times), statistics.median(plain_times)
    print(f"attrib corpus fetch: median {a:.2f} s of {args.repeat} ({len(texts) / a:.1f} pages/s,"
          f" process start included)")  # fmt: skip
    print(f"plain loop:          median {b:.2f} s of {args.repeat} ({len(texts) / b:.1f} pages/s,"
          f" process start included)")  # fmt: skip
    print(f"ratio: attrib's throughput = {b / a:.2f}x the plain loop's")
    server.shutdown()


PLAIN = """
import sys, trafilatura, urllib3
base, out, *paths = sys.argv[1:]
pool = urllib3.PoolManager()
for i, path in enumerate(paths):
    page = pool.request("GET", base + path).data.decode("utf-8")
    text = trafilatura.extract(page, include_comments=False, include_tables=False)
    open(f"{out}/{i}.txt", "w", encoding="utf-8").write(text or "")
"""

if __name__ == "__main__":
    main()
