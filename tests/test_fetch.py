"""attrib corpus fetch, offline: a web site served on 127.0.0.1 by the tests, pages written here.

No real outlet text: the articles are sentences drawn from a small vocabulary with a seed.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from attrib.cli import cli

pytest.importorskip("trafilatura")

from attrib.fetching.collect import collect  # noqa: E402
from attrib.fetching.http import USER_AGENT, Client, Limits, Refused, _retry_after  # noqa: E402
from attrib.fetching.sources import SourceError, canonical_url, list_articles  # noqa: E402
from attrib.reading.texts import list_lines  # noqa: E402

WORDS = (
    "the minister said talks on grain exports would resume next week after officials from "
    "both countries met in the capital to discuss security trade energy and transport while "
    "analysts warned that sanctions could slow growth across the region this year"
).split()
MENU = "Homepage Worldwide Businessdesk Sportsdesk Subscribe"
FOOTER = "Copyrightnotice Privacystatement Cookiesettings"


def sentences(seed: int, paragraphs: int = 5) -> list[str]:
    """Paragraphs of made-up news prose, different for every seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        words = [rng.choice(WORDS) for _ in range(rng.randint(28, 40))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def page(title: str, paragraphs: list[str], *, head: str = "", published: str = "") -> str:
    """An article page with the furniture a news site has around it."""
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{title} | Example News</title>{date}</head>"
        f"<body><header><nav><ul>{''.join(f'<li><a href=/{w}>{w}</a></li>' for w in MENU.split())}"
        f"</ul></nav></header><main><article><h1>{title}</h1>{body}</article>"
        '<aside class="related"><h3>Related stories</h3><ul><li><a href=/x>Relatedheadline one'
        "</a></li></ul></aside><div class=share>Sharebutton Tweetbutton</div>"
        '<section id="comments"><h3>Comments</h3><p>Commentword from a reader who disagrees '
        "strongly with everything written above.</p></section></main>"
        f"<footer><p>{FOOTER}</p></footer></body></html>"
    )


@dataclass
class Route:
    """What the server answers at one path: status, headers and body, or a behaviour."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    first: tuple[int, dict[str, str]] | None = None  # answered once before the real answer
    sleep: float = 0.0
    stream: int = 0  # send this many bytes without a Content-Length


class Site:
    """A web site on 127.0.0.1: routes set by the test, every request recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[float, str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append(
                    (time.monotonic(), self.path, self.headers.get("User-Agent", ""))
                )
                route = site.routes.get(self.path)
                if route is None:
                    return self.answer(404, {"Content-Type": "text/plain"}, b"not found")
                if route.first is not None:
                    status, headers = route.first
                    route.first = None
                    return self.answer(status, headers, b"busy")
                if route.sleep:
                    time.sleep(route.sleep)
                if route.stream:
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"<p>" + b"x" * 65_536 + b"</p>"
                    with_sent = 0
                    try:
                        while with_sent < route.stream:
                            self.wfile.write(chunk)
                            with_sent += len(chunk)
                    except OSError:
                        pass
                    self.close_connection = True
                    return None
                return self.answer(route.status, route.headers, route.body)

            def answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def html(self, path: str, text: str, **headers: str) -> None:
        self.routes[path] = Route(
            text.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8", **headers}
        )

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.close()


def rss(site: Site, paths: list[str], *, host: str = "127.0.0.1") -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{site.url(p, host)}</link>"
        f"<pubDate>Mon, 0{1 + i % 9} Jan 2024 10:00:00 GMT</pubDate></item>"
        for i, p in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Example'
        f"</title><link>{site.url('/')}</link>{items}</channel></rss>"
    ).encode()


ARTICLES = ["/news/a1", "/news/a2", "/news/a3", "/news/busy", "/news/moved"]
SCENARIO = [
    "/news/a1", "/private/p1", "/news/a2", "/news/busy", "/files/report.pdf",
    "/news/moved", "/private/p2", "/news/huge", "/news/a3", "/news/slow",
]  # fmt: skip
MAX_BYTES = 1024 * 1024


def scenario(site: Site) -> dict[str, str]:
    """The issue's feed of 10: 2 disallowed, 1 busy (429 then 200), 1 redirect, 1 PDF,
    1 over the size limit, 1 too slow; the 5 articles' titles by path."""
    titles = {}
    for number, path in enumerate(
        [
            "/news/a1",
            "/news/a2",
            "/news/a3",
            "/news/busy",
            "/news/target",
            "/private/p1",
            "/private/p2",
        ]
    ):
        title = f"Headline number {number} about talks"
        titles[path] = title
        site.html(path, page(title, sentences(number), published=f"2024-01-0{number + 1}"))
    titles["/news/moved"] = titles.pop("/news/target")
    site.routes["/news/busy"].first = (429, {"Retry-After": "1", "Content-Type": "text/plain"})
    site.routes["/news/moved"] = Route(status=301, headers={"Location": "/news/target"})
    site.routes["/files/report.pdf"] = Route(
        b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"}
    )
    site.routes["/news/huge"] = Route(headers={"Content-Type": "text/html"}, stream=2 * MAX_BYTES)
    site.routes["/news/slow"] = Route(page("Slow", sentences(99)).encode(), sleep=2.5)
    site.routes["/robots.txt"] = Route(
        b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
    )
    site.routes["/feed.xml"] = Route(
        rss(site, SCENARIO), headers={"Content-Type": "application/rss+xml"}
    )
    return {p: t for p, t in titles.items() if p.startswith("/news/")}


def run_fetch(site: Site, root: Path, *extra: str, source: str = "/feed.xml") -> dict:
    result = CliRunner().invoke(
        cli,
        ["corpus", "fetch", "tass", site.url(source), "--corpus", str(root), "--delay", "0.2",
         "--timeout", "1", "--max-size", "1", "--json", *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def manifest_rows(root: Path) -> list[dict[str, str]]:
    with open(root / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def corpus_state(root: Path) -> dict[str, object]:
    """The corpus's articles and manifest, without the fetch times."""
    files = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.txt"))
    }
    rows = sorted(
        tuple(sorted((k, v) for k, v in r.items() if k != "fetched")) for r in manifest_rows(root)
    )
    return {"files": files, "rows": rows}


def test_the_feed_of_ten_adds_the_right_five_with_clean_text_and_a_row_each(
    site: Site, tmp_path: Path
) -> None:
    titles = scenario(site)
    root = tmp_path / "corpus"
    summary = run_fetch(site, root)
    statuses = {item["url"].removeprefix(site.url("")): item["status"] for item in summary["items"]}
    assert statuses == {
        "/news/a1": "added", "/news/a2": "added", "/news/a3": "added", "/news/busy": "added",
        "/news/moved": "added", "/private/p1": "robots", "/private/p2": "robots",
        "/files/report.pdf": "failed", "/news/huge": "failed", "/news/slow": "failed",
    }  # fmt: skip
    assert (summary["listed"], summary["fetched"], summary["added"]) == (10, 5, 5)
    assert (summary["robots"], summary["failed"], summary["duplicate"]) == (2, 3, 0)
    details = {i["url"].removeprefix(site.url("")): i["detail"] for i in summary["items"]}
    assert "application/pdf" in details["/files/report.pdf"]
    assert "larger than 1 MB" in details["/news/huge"]
    assert "within 1 s" in details["/news/slow"]
    rows = {row["title"]: row for row in manifest_rows(root)}
    assert len(rows) == 5
    for path, title in titles.items():
        row = rows[title]
        text = (root / row["file"]).read_text(encoding="utf-8")
        assert text.startswith(title + "\n")  # the headline, then the body
        assert sentences(list(titles).index(path) if path != "/news/moved" else 4)[2] in text
        for furniture in (*MENU.split(), *FOOTER.split(), "Relatedheadline", "Sharebutton",
                          "Commentword"):  # fmt: skip
            assert furniture not in text
        assert row["outlet"] == "tass"
        assert row["file"].startswith("tass/")
        assert row["url"] == site.url("/news/target" if path == "/news/moved" else path)
        assert row["extractor"].startswith("trafilatura ")
        assert row["published"].startswith("2024-01-0")
        assert row["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    # robots.txt read once; nothing under /private/ asked for; a stated user agent
    assert site.paths().count("/robots.txt") == 1
    assert not [p for p in site.paths() if p.startswith("/private/")]
    assert {agent for _, _, agent in site.requests} == {USER_AGENT}
    assert USER_AGENT.startswith("attrib/")
    # one request at a time with the delay between them (0.2 s), and Retry-After honoured
    times = [t for t, _, _ in site.requests]
    assert all(b - a >= 0.19 for a, b in zip(times, times[1:]))
    busy = [t for t, p, _ in site.requests if p == "/news/busy"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 1.0


def test_a_rerun_adds_nothing_and_asks_only_for_what_failed(site: Site, tmp_path: Path) -> None:
    scenario(site)
    root = tmp_path / "corpus"
    run_fetch(site, root)
    before = corpus_state(root)
    asked = len(site.requests)
    again = run_fetch(site, root)
    assert (again["added"], again["known"], again["robots"], again["failed"]) == (0, 5, 2, 3)
    assert corpus_state(root) == before
    # Known URLs are not fetched again; a redirect is followed to find its article's URL.
    second = site.paths()[asked:]
    assert [p for p in second if p.startswith("/news/")] == [
        "/news/moved", "/news/target", "/news/huge", "/news/slow"
    ]  # fmt: skip
