"""attrib corpus fetch, offline: a web site served on 127.0.0.1 by the tests, pages written here.

No real outlet text: the articles are sentences drawn from a small vocabulary with a seed.
"""

from __future__ import annotations

import csv
import email.utils
import gzip
import hashlib
import itertools
import json
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import CliRunner

from attrib.cli import cli

pytest.importorskip("trafilatura")

from attrib.fetching.http import USER_AGENT, Client, Limits, Refused, _retry_after
from attrib.fetching.sources import canonical_url, list_articles
from attrib.reading.texts import list_lines

PROSE = (
    "the minister said talks on grain exports would resume next week after officials from "
    "both countries met in the capital to discuss security trade energy and transport while "
    "analysts warned that sanctions could slow growth across the region this year"
)
WORDS = PROSE.split()
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
    trickle: float = 0.0  # seconds between the streamed chunks


class Request(NamedTuple):
    when: float
    path: str
    agent: str
    host: str


class Site:
    """A web site on 127.0.0.1: routes set by the test, every request recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append(
                    Request(
                        time.monotonic(),
                        self.path,
                        self.headers.get("User-Agent", ""),
                        self.headers.get("Host", "").split(":")[0],
                    )
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
                    chunk = b"<p>" + b"x" * (16 if route.trickle else 65_536) + b"</p>"
                    with_sent = 0
                    try:
                        while with_sent < route.stream:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                            with_sent += len(chunk)
                            time.sleep(route.trickle)
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
        return [r.path for r in self.requests]

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
    assert {r.agent for r in site.requests} == {USER_AGENT}
    assert USER_AGENT.startswith("attrib/")
    # one request at a time with the delay between them (0.2 s), and Retry-After honoured
    times = [r.when for r in site.requests]
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(times))
    busy = [r.when for r in site.requests if r.path == "/news/busy"]
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


def test_stopped_midway_and_run_again_ends_with_the_corpus_of_one_run(
    site: Site, tmp_path: Path
) -> None:
    """Ctrl-C (SIGINT) to a real process after two articles; then the same command again."""
    scenario(site)
    whole = tmp_path / "whole"
    run_fetch(site, whole)
    stopped = tmp_path / "stopped"
    command = [sys.executable, "-m", "attrib", "corpus", "fetch", "tass", site.url("/feed.xml"),
               "--corpus", str(stopped), "--delay", "0.2", "--timeout", "1", "--max-size", "1",
               "--json"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (stopped / "manifest.csv").exists() and len(manifest_rows(stopped)) >= 2:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    summary = json.loads(out)
    assert summary["interrupted"] is True
    assert 2 <= summary["added"] < 5
    assert "run the same command again" in err
    assert "Traceback" not in err
    assert not list(stopped.rglob(".attrib-*"))  # no temporary file left behind
    run_fetch(site, stopped)
    assert corpus_state(stopped) == corpus_state(whole)


def test_a_fetch_stopped_between_an_article_and_its_row_completes_the_row(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario(site)
    whole = tmp_path / "whole"
    run_fetch(site, whole)
    root = tmp_path / "corpus"
    from attrib.reading import adding

    real = adding.update_manifest
    calls = []

    def stop_on_the_third(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(adding, "update_manifest", stop_on_the_third)
    result = CliRunner().invoke(
        cli, ["corpus", "fetch", "tass", site.url("/feed.xml"), "--corpus", str(root),
              "--delay", "0.1", "--timeout", "1", "--max-size", "1"],
    )  # fmt: skip
    assert result.exit_code == 130
    assert len(list((root / "tass").glob("*.txt"))) == 3
    assert len(manifest_rows(root)) == 2  # the third article has no row yet
    monkeypatch.setattr(adding, "update_manifest", real)
    again = run_fetch(site, root)
    assert [i["detail"] for i in again["items"] if "earlier run" in i["detail"]]
    assert corpus_state(root) == corpus_state(whole)


def cyrillic_page(charset_in_head: str = "") -> tuple[str, str]:
    text = "Министр заявил, что переговоры об экспорте зерна возобновятся на следующей неделе. " * 6
    head = f'<meta charset="{charset_in_head}">' if charset_in_head else ""
    return page("Переговоры о зерне", [text.strip()], head=head), text.strip()


@pytest.mark.parametrize(
    ("name", "encoding", "header", "meta"),
    [
        ("utf-8 header", "utf-8", "text/html; charset=utf-8", ""),
        ("windows-1251 header", "cp1251", "text/html; charset=windows-1251", ""),
        ("windows-1251 meta", "cp1251", "text/html", "windows-1251"),
        ("no charset at all", "utf-8", "text/html", ""),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_pages_are_decoded_by_their_declared_charset(
    site: Site, tmp_path: Path, name: str, encoding: str, header: str, meta: str
) -> None:
    html, text = cyrillic_page(meta)
    site.routes["/ru/story"] = Route(html.encode(encoding), headers={"Content-Type": header})
    root = tmp_path / "corpus"
    summary = run_fetch(site, root, source="/ru/story")
    assert summary["added"] == 1, summary
    written = (root / manifest_rows(root)[0]["file"]).read_text(encoding="utf-8")
    assert written == "Переговоры о зерне\n" + text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "http://127.0.0.1:9/feed.xml",
            "cannot read http://127.0.0.1:9/feed.xml: cannot be reached",
        ),
        ("/broken.xml", "is not a feed, a sitemap or a web page"),
        ("ftp://example.org/feed.xml", "is not an http(s) URL"),
        ("example.org/feed.xml", "is neither a URL (https://...) nor a file of URLs"),
        ("/gone.xml", "the server answered HTTP 404"),
    ],
    ids=["unreachable", "malformed feed", "not http", "no scheme", "404"],
)
def test_bad_sources_are_one_line_errors_and_nothing_is_written(
    site: Site, tmp_path: Path, source: str, message: str
) -> None:
    site.routes["/broken.xml"] = Route(
        b"<?xml version='1.0'?><rss><channel><item><title>x</ti",
        headers={"Content-Type": "application/rss+xml"},
    )
    root = tmp_path / "corpus"
    url = site.url(source) if source.startswith("/") else source
    result = CliRunner().invoke(cli, ["corpus", "fetch", "tass", url, "--corpus", str(root)])
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not root.exists()


def test_a_list_of_urls_from_stdin_and_a_sitemap_index_of_gzipped_sitemaps(
    site: Site, tmp_path: Path
) -> None:
    for number in range(4):
        site.html(f"/s/{number}", page(f"Sitemap story {number}", sentences(10 + number)))
    urlset = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(
            f"<url><loc>{site.url(f'/s/{n}')}</loc><lastmod>2024-0{n + 1}-01</lastmod></url>"
            for n in range(3)
        )
        + "</urlset>"
    ).encode()
    site.routes["/sitemap-1.xml.gz"] = Route(
        gzip.compress(urlset), headers={"Content-Type": "application/gzip"}
    )
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('/sitemap-1.xml.gz')}</loc></sitemap></sitemapindex>"
    ).encode()
    site.routes["/sitemap.xml"] = Route(index, headers={"Content-Type": "application/xml"})
    root = tmp_path / "corpus"
    summary = run_fetch(site, root, "--since", "2024-02-01", source="/sitemap.xml")
    statuses = [(i["url"].rsplit("/", 1)[1], i["status"]) for i in summary["items"]]
    assert statuses == [("0", "old"), ("2", "added"), ("1", "added")]  # newest first
    listed = list_articles(Client(delay=0), site.url("/sitemap-1.xml.gz"), list_lines)
    assert [c.published for c in listed] == ["2024-03-01", "2024-02-01", "2024-01-01"]
    # a list on stdin: comments and blank lines skipped, one URL already known, one new
    listing = f"# my list\n\n{site.url('/s/1')}\n{site.url('/s/3')}?utm_source=x\n"
    result = CliRunner().invoke(
        cli, ["corpus", "fetch", "tass", "-", "--corpus", str(root), "--delay", "0", "--json"],
        input=listing,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [(i["url"], i["status"]) for i in items] == [
        (site.url("/s/1"), "known"), (site.url("/s/3"), "added")
    ]  # fmt: skip
    assert {row["url"] for row in manifest_rows(root)} == {site.url(f"/s/{n}") for n in (1, 2, 3)}


def test_limit_stops_after_that_many_added(site: Site, tmp_path: Path) -> None:
    paths = [f"/n/{i}" for i in range(6)]
    for i, path in enumerate(paths):
        site.html(path, page(f"Limited story {i}", sentences(20 + i)))
    site.routes["/feed.xml"] = Route(
        rss(site, paths), headers={"Content-Type": "application/rss+xml"}
    )
    summary = run_fetch(site, tmp_path / "corpus", "--limit", "2")
    assert summary["added"] == 2
    assert [p for p in site.paths() if p.startswith("/n/")] == paths[:2]


def test_jobs_fetch_two_sites_at_once_but_each_one_request_at_a_time(
    site: Site, tmp_path: Path
) -> None:
    """127.0.0.1 and localhost are two hosts to the client: each gets its own delay."""
    paths = [f"/j/{i}" for i in range(6)]
    for i, path in enumerate(paths):
        site.html(path, page(f"Parallel story {i}", sentences(40 + i)))
    hosts = ["127.0.0.1", "localhost"] * 3
    listing = "\n".join(site.url(p, h) for p, h in zip(paths, hosts, strict=True))
    (tmp_path / "urls.txt").write_text(listing)
    result = CliRunner().invoke(
        cli, ["corpus", "fetch", "tass", str(tmp_path / "urls.txt"), "--corpus",
              str(tmp_path / "corpus"), "--delay", "0.3", "--jobs", "2", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 6
    by_host: dict[str, list[float]] = {}
    for request in site.requests:
        by_host.setdefault(request.host, []).append(request.when)
    assert sorted(by_host) == ["127.0.0.1", "localhost"]
    for times in by_host.values():
        assert len(times) == 4  # robots.txt and three articles
        assert all(b - a >= 0.29 for a, b in itertools.pairwise(times))
    everything = sorted(r.when for r in site.requests)
    assert any(b - a < 0.2 for a, b in itertools.pairwise(everything))  # side by side


def test_without_the_extra_fetch_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "feedparser", None)
    monkeypatch.delitem(sys.modules, "attrib.fetching.sources", raising=False)
    monkeypatch.delitem(sys.modules, "attrib.fetching.collect", raising=False)
    result = CliRunner().invoke(cli, ["corpus", "fetch", "tass", "https://example.org/rss"])
    assert result.exit_code == 1
    assert (
        "needs the fetch extra (feedparser is missing): pip install 'attrib[fetch]'"
        in result.stderr
    )


# --- the same extraction for local pages, the manifest, provenance, balance ---------------


def saved_page(tmp_path: Path, seed: int = 1, title: str = "A saved story") -> tuple[Path, str]:
    html = page(
        title,
        sentences(seed),
        head='<link rel="canonical" href="https://example.org/s/1?utm_source=x">',
        published="2024-03-05",
    )
    path = tmp_path / "saved.html"
    path.write_text(html, encoding="utf-8")
    return path, "\n".join([title, *sentences(seed)])


def test_predict_reads_a_saved_page_as_its_article(tmp_path: Path) -> None:
    path, text = saved_page(tmp_path)
    plain = tmp_path / "plain.txt"
    plain.write_text(text, encoding="utf-8")
    model = tmp_path / "m.npz"
    assert CliRunner().invoke(cli, ["train", "-o", str(model)]).exit_code == 0
    scores = []
    for name in (path, plain):
        result = CliRunner().invoke(cli, ["predict", "-m", str(model), str(name), "--json"])
        assert result.exit_code == 0, result.output
        scores.append(json.loads(result.stdout)["scores"])
    assert scores[0] == scores[1]


def test_corpus_add_reads_a_page_and_records_where_it_came_from(tmp_path: Path) -> None:
    path, text = saved_page(tmp_path)
    plain = tmp_path / "other.txt"
    plain.write_text("\n".join(sentences(7)), encoding="utf-8")
    root = tmp_path / "corpus"
    result = CliRunner().invoke(
        cli, ["corpus", "add", "rt", str(path), str(plain), "--corpus", str(root)]
    )
    assert result.exit_code == 0, result.output
    assert (root / "rt" / "saved.txt").read_text(encoding="utf-8") == text
    rows = {row["file"]: row for row in manifest_rows(root)}
    assert rows["rt/saved.txt"]["url"] == "https://example.org/s/1"  # canonical, no tracking
    assert rows["rt/saved.txt"]["title"] == "A saved story"
    assert rows["rt/saved.txt"]["published"] == "2024-03-05"
    assert rows["rt/saved.txt"]["extractor"].startswith("trafilatura ")
    assert (rows["rt/other.txt"]["url"], rows["rt/other.txt"]["extractor"]) == ("", "")
    # the same page again, and the same article with another headline: both duplicates
    retitled = tmp_path / "retitled.html"
    retitled.write_text(page("Another headline entirely", sentences(1)), encoding="utf-8")
    again = CliRunner().invoke(
        cli, ["corpus", "add", "rt", str(path), str(retitled), "--corpus", str(root)]
    )
    assert again.exit_code == 0
    assert again.stdout.count("duplicate: ") == 2
    assert "near-duplicate" in again.stdout


def test_pages_without_the_extra_say_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib import metadata

    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr("attrib.reading.pages.metadata.version", missing)
    path, _ = saved_page(tmp_path)
    result = CliRunner().invoke(
        cli, ["corpus", "add", "rt", str(path), "--corpus", str(tmp_path / "c")]
    )
    assert result.exit_code == 1
    assert (
        "reading web pages needs the fetch extra; install it with pip install 'attrib[fetch]'"
        in result.stdout
    )


def test_a_page_without_an_article_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "front.html"
    path.write_text("<!DOCTYPE html><html><body><nav><a href=/>Home</a></nav></body></html>")
    result = CliRunner().invoke(
        cli, ["corpus", "add", "rt", str(path), "--corpus", str(tmp_path / "c")]
    )
    assert result.exit_code == 1
    assert "no article text was found" in result.stdout


def test_a_page_in_a_corpus_folder_is_skipped_with_a_reason(tmp_path: Path) -> None:
    from attrib.reading.corpus import load_corpus

    for outlet in ("a", "b"):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "one.txt").write_text("\n".join(sentences(ord(outlet))))
    (tmp_path / "a" / "page.txt").write_text(page("Stray", sentences(3)))
    loaded = load_corpus(tmp_path)
    assert len(loaded.documents) == 2
    assert "is an HTML page, and a corpus holds plain text" in loaded.skipped[0][1]


def fetched_corpus(site: Site, tmp_path: Path) -> Path:
    scenario(site)
    root = tmp_path / "corpus"
    run_fetch(site, root)
    (root / "rt").mkdir()
    for i in range(2):
        (root / "rt" / f"local{i}.txt").write_text("\n".join(sentences(60 + i)))
    return root


def test_check_and_train_report_provenance_and_check_drops_rows_of_removed_files(
    site: Site, tmp_path: Path
) -> None:
    root = fetched_corpus(site, tmp_path)
    first = sorted(root.glob("tass/*.txt"))[0]
    first.unlink()
    changed = sorted(root.glob("tass/*.txt"))[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nAn edited last line.", encoding="utf-8"
    )
    model = tmp_path / "m.npz"
    trained = CliRunner().invoke(cli, ["train", str(root), "-o", str(model), "--json"])
    assert trained.exit_code == 0, trained.output
    provenance = json.loads(trained.stdout)["provenance"]
    assert provenance == {
        "manifest": "attrib",
        "documents": 6,
        "with_provenance": 3,
        "changed": 1,
        "without": 2,
    }
    assert len(manifest_rows(root)) == 5  # train does not touch the manifest
    result = CliRunner().invoke(cli, ["corpus", "check", str(root)])
    assert result.exit_code == 0, result.output
    assert (
        "provenance: 3 of 6 documents have a URL in manifest.csv; 1 changed since" in result.stdout
    )
    assert f"removed the row of tass/{first.name}" in result.stdout
    assert len(manifest_rows(root)) == 4
    checked = CliRunner().invoke(cli, ["corpus", "check", str(root), "--json"])
    assert json.loads(checked.stdout)["manifest_rows_removed"] == []


FOREIGN = "file,outlet,kind,source\nrt/x.txt,rt,excerpt,somewhere\n"


def test_a_manifest_attrib_did_not_write_is_never_written_over(site: Site, tmp_path: Path) -> None:
    scenario(site)
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "manifest.csv").write_text(FOREIGN)
    result = CliRunner().invoke(
        cli, ["corpus", "fetch", "tass", site.url("/feed.xml"), "--corpus", str(root)]
    )
    assert result.exit_code == 1
    assert "manifest.csv was not written by attrib" in result.stderr
    assert not site.requests
    path, _ = saved_page(tmp_path)
    added = CliRunner().invoke(cli, ["corpus", "add", "rt", str(path), "--corpus", str(root)])
    assert added.exit_code == 1 and "move it aside" in added.stderr
    assert (root / "manifest.csv").read_text() == FOREIGN
    assert sorted(p.name for p in root.iterdir()) == ["manifest.csv"]


def test_corpus_notes_say_when_outlets_differ_in_size_or_dates(tmp_path: Path) -> None:
    from attrib.reading.corpus import load_corpus
    from attrib.reading.manifest import update_manifest

    rows = []
    for outlet, count, year in (("a", 15, 2024), ("b", 5, 2020)):
        (tmp_path / outlet).mkdir()
        for i in range(count):
            name = f"{outlet}/{i}.txt"
            (tmp_path / name).write_text("\n".join(sentences(ord(outlet) * 100 + i)))
            rows.append(
                {
                    "file": name,
                    "outlet": outlet,
                    "url": f"https://x/{name}",
                    "published": f"{year}-05-0{1 + i % 9}",
                }
            )
    update_manifest(tmp_path, add=rows)
    notes = load_corpus(tmp_path).notes()
    assert any("differ a lot in size (a 15 documents, b 5)" in n for n in notes)
    assert any("median b 2020-05-03, a 2024-05-04" in n for n in notes)
    (tmp_path / "manifest.csv").unlink()
    for i in range(5, 15):
        (tmp_path / "a" / f"{i}.txt").unlink()
    assert not [n for n in load_corpus(tmp_path).notes() if "outlets" in n]


# --- pieces ---------------------------------------------------------------------------------


def test_canonical_urls() -> None:
    assert (
        canonical_url("HTTPS://Tass.COM:443/a/1?utm_source=rss&id=2&fbclid=z#top")
        == "https://tass.com/a/1?id=2"
    )
    assert canonical_url("http://x.org:8080") == "http://x.org:8080/"
    assert canonical_url("http://x.org/a?b=1&ref=feed") == "http://x.org/a?b=1"


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None and _retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (_retry_after(later) or 0) <= 31


def test_robots_rules_as_search_engines_read_them(site: Site) -> None:
    site.routes["/robots.txt"] = Route(
        b"User-agent: *\nDisallow: /*.pdf$\nDisallow: /news/\nAllow: /news/open/\n"
        b"Crawl-delay: 0.5\n",
        headers={"Content-Type": "text/plain"},
    )
    site.html("/news/open/1", page("Open", sentences(1)))
    site.html("/other", page("Other", sentences(2)))
    client = Client(delay=0)
    for path, reason in (("/news/closed/1", "robots"), ("/files/x.pdf", "robots")):
        with pytest.raises(Refused) as refused:
            client.get(site.url(path))
        assert refused.value.reason == reason
    client.get(site.url("/news/open/1"))
    client.get(site.url("/other"))
    times = [r.when for r in site.requests]
    assert times[-1] - times[-2] >= 0.49  # the Crawl-delay, longer than --delay


def test_too_many_redirects_and_a_redirect_to_another_scheme(site: Site) -> None:
    site.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})
    site.routes["/ftp"] = Route(status=302, headers={"Location": "ftp://example.org/x"})
    client = Client(delay=0, limits=Limits(redirects=3))
    with pytest.raises(Refused, match="more than 3 redirects"):
        client.get(site.url("/loop"))
    assert site.paths().count("/loop") == 4
    with pytest.raises(Refused, match="is not an http"):
        client.get(site.url("/ftp"))


def test_a_server_that_stays_busy_is_given_up_after_the_retries(site: Site) -> None:
    site.routes["/busy"] = Route(b"down", status=503, headers={"Content-Type": "text/plain"})
    waits: list[float] = []
    client = Client(delay=0.01, limits=Limits(retries=2), sleep=waits.append)
    with pytest.raises(Refused, match="HTTP 503"):
        client.get(site.url("/busy"))
    assert site.paths().count("/busy") == 3
    assert waits[-2:] == pytest.approx([0.02, 0.04], abs=0.005)  # backoff doubles


def test_a_page_that_trickles_in_is_given_up_at_the_timeout(site: Site) -> None:
    """Each piece comes within the socket timeout; the whole would take 4 s."""
    site.routes["/drip"] = Route(headers={"Content-Type": "text/html"}, stream=400, trickle=0.2)
    client = Client(delay=0, limits=Limits(timeout=1))
    start = time.monotonic()
    with pytest.raises(Refused, match="not read within 1 s"):
        client.get(site.url("/drip"))
    assert time.monotonic() - start < 2


def test_a_headline_outside_the_article_is_put_first() -> None:
    from attrib.reading.pages import extract_page

    html = (
        '<!DOCTYPE html><html><head><meta property="og:title" content="Headline kept apart">'
        "</head><body><div class=top><span>Headline kept apart</span></div><article>"
        + "".join(f"<p>{p}</p>" for p in sentences(5))
        + "</article></body></html>"
    )
    found = extract_page(html, "page.html")
    assert found.text == "Headline kept apart\n\n" + "\n".join(sentences(5))
    assert found.title == "Headline kept apart"
