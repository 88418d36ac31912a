"""Collecting articles into a corpus: list them, fetch each politely, extract its text, add it.

Resumable by construction: an article is added (file, then manifest row) as soon as it is
extracted, and a rerun skips every URL already in the manifest, so a run stopped at any point
and run again ends with the corpus an uninterrupted run would have made.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from attrib.errors import InputError
from attrib.fetching.http import Client, Limits, Refused
from attrib.fetching.sources import Candidate, canonical_url, list_articles
from attrib.reading.adding import Shelf, check_outlet, safe_stem
from attrib.reading.pages import Page, decode_html, extract_page
from attrib.reading.texts import check_text

#: What can happen to a listed article, in the order a summary gives them.
STATUSES = ("added", "duplicate", "known", "old", "robots", "failed")


@dataclass(frozen=True)
class Item:
    """One listed article and what became of it.

    ``status``: added, duplicate (its text is in the corpus), known (its URL is in the
    manifest; not fetched again), old (published before ``since``), robots (robots.txt
    disallows it), failed (``detail`` says why). ``file`` is the corpus file it was added as,
    or the one it repeats.
    """

    url: str
    status: str
    detail: str = ""
    file: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass
class Summary:
    """What a fetch did: every listed article's fate, and how many pages were downloaded."""

    corpus: str
    outlet: str
    sources: list[str]
    listed: int = 0
    fetched: int = 0
    items: list[Item] = field(default_factory=list)
    interrupted: bool = False

    def counts(self) -> dict[str, int]:
        """How many articles ended in each status (every status named, zeros included)."""
        found = Counter(item.status for item in self.items)
        return {status: found[status] for status in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus": self.corpus,
            "outlet": self.outlet,
            "sources": self.sources,
            "listed": self.listed,
            "fetched": self.fetched,
            **self.counts(),
            "interrupted": self.interrupted,
            "items": [item.to_dict() for item in self.items],
        }


@dataclass(frozen=True)
class _Fetched:
    candidate: Candidate
    page: Page | None = None
    refused: Refused | None = None
    error: str = ""


def collect(
    root: str | os.PathLike[str],
    outlet: str,
    sources: Iterable[str],
    *,
    limit: int | None = None,
    since: date | None = None,
    delay: float = 1.0,
    jobs: int = 1,
    limits: Limits | None = None,
    read_lines: Callable[[str], Iterable[str]],
    on_item: Callable[[Summary], None] | None = None,
    summary: Summary | None = None,
) -> Summary:
    """Fetch the articles that ``sources`` list and add them to ``root/outlet/``.

    Parameters
    ----------
    root, outlet
        The corpus directory and the outlet folder to add to.
    sources : iterable of str
        Feed, sitemap or page URLs, files of URLs, or ``-`` (a list on standard input).
    limit : int, optional
        Stop once this many articles are added.
    since : date, optional
        Skip articles published before this day (by the listing's date, else the page's).
    delay : float
        Seconds between two requests to one host.
    jobs : int
        Articles fetched at the same time, -1 for one per core (one request at a time per
        host, always: more than one only helps when the sources span several hosts).
    limits : Limits, optional
        Timeouts and size, redirect and retry limits.
    read_lines : callable
        Reads the lines of a file of URLs, or of ``-``.
    on_item : callable, optional
        Called with the summary after each article (for a progress display).
    summary : Summary, optional
        Filled as the work goes, so that a caller stopped by Ctrl-C still holds what was done.

    Returns
    -------
    Summary

    Raises
    ------
    CorpusError
        If the outlet name is not a folder name, or the corpus's manifest is not attrib's.
    SourceError
        If a source lists nothing: nothing is fetched or written then.
    """
    check_outlet(outlet)
    shelf = Shelf(root)
    sources = list(sources)
    summary = summary if summary is not None else Summary(os.fspath(root), outlet, sources)
    client = Client(delay, limits)
    jobs = (os.cpu_count() or 1) if jobs < 0 else jobs
    candidates = _unique(c for s in sources for c in list_articles(client, s, read_lines))
    summary.listed = len(candidates)
    todo = []
    for candidate in candidates:
        if candidate.url in shelf.urls:
            _note(summary, Item(candidate.url, "known", "already in the manifest"), on_item)
        elif _before(candidate.published, since):
            _note(summary, Item(candidate.url, "old", f"published {candidate.published}"), on_item)
        else:
            todo.append(candidate)
    added = [0]  # a cell the stopping rule reads
    for fetched in _fetch_all(client, todo, jobs, lambda: limit is not None and added[0] >= limit):
        item = _add(shelf, outlet, fetched, since)
        summary.fetched += fetched.page is not None
        added[0] += item.status == "added"
        _note(summary, item, on_item)
    return summary


def _note(summary: Summary, item: Item, on_item: Callable[[Summary], None] | None) -> None:
    summary.items.append(item)
    if on_item is not None:
        on_item(summary)


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    """The candidates by canonical URL, the first listing of each."""
    found: dict[str, Candidate] = {}
    for candidate in candidates:
        url = canonical_url(candidate.url) if urlsplit(candidate.url).netloc else candidate.url
        found.setdefault(url, dataclasses.replace(candidate, url=url))
    return list(found.values())


def _before(published: str, since: date | None) -> bool:
    return since is not None and bool(published) and published[:10] < since.isoformat()


def _fetch_all(
    client: Client, todo: list[Candidate], jobs: int, enough: Callable[[], bool]
) -> Iterator[_Fetched]:
    """Each candidate fetched and extracted, in list order, until ``enough()``."""
    if jobs <= 1:
        for candidate in todo:
            if enough():
                return
            yield _fetch(client, candidate)
        return
    pool = ThreadPoolExecutor(jobs, thread_name_prefix="attrib-fetch")
    pending: deque[Future[_Fetched]] = deque()
    waiting = iter(todo)
    try:
        while True:
            while len(pending) < jobs and not enough():
                following = next(waiting, None)
                if following is None:
                    break
                pending.append(pool.submit(_fetch, client, following))
            if not pending or enough():
                return
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _fetch(client: Client, candidate: Candidate) -> _Fetched:
    """Download one article and extract its text (in a worker thread when ``jobs`` > 1)."""
    try:
        response = client.get(candidate.url)
    except Refused as refused:
        return _Fetched(candidate, refused=refused)
    try:
        page = extract_page(
            decode_html(response.body, response.charset), response.url, response.url
        )
        check_text(page.text, response.url)
    except InputError as error:
        return _Fetched(candidate, error=str(error))
    return _Fetched(
        candidate,
        dataclasses.replace(
            page,
            url=canonical_url(page.url or response.url),
            title=page.title or candidate.title,
            published=page.published or candidate.published,
        ),
    )


def _add(shelf: Shelf, outlet: str, fetched: _Fetched, since: date | None) -> Item:
    """Add one fetched article to the corpus, unless it is already there."""
    url = fetched.candidate.url
    if fetched.refused is not None:
        status = "robots" if fetched.refused.reason == "robots" else "failed"
        return Item(url, status, fetched.refused.detail)
    page = fetched.page
    if page is None:
        return Item(url, "failed", fetched.error)
    if page.url in shelf.urls:
        return Item(url, "known", f"already in the manifest as {page.url}")
    if _before(page.published, since):
        return Item(url, "old", f"published {page.published}")
    duplicate = shelf.duplicate_of(page.text)
    if duplicate is not None:
        path, how = duplicate
        name = os.fspath(path)
        if shelf.adopt(path, outlet, page.text, page):
            return Item(url, "added", "added by an earlier run that stopped; row recorded", name)
        return Item(url, "duplicate", f"{how} {name}", name)
    try:
        path = shelf.add(outlet, _stem(url), page.text, page)
    except OSError as error:
        return Item(url, "failed", f"cannot write: {error.strerror or error}")
    return Item(url, "added", page.title, os.fspath(path))


def _stem(url: str) -> str:
    """A file name for an article, from its URL: the last part of the path (with the one
    before it when the last is a number, as in ``tass.com/politics/1894093``)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if not parts:
        return safe_stem(urlsplit(url).hostname or "article")
    last = Path(parts[-1]).stem if parts[-1].endswith((".html", ".htm", ".shtml")) else parts[-1]
    if last.isdigit() and len(parts) > 1:
        last = f"{parts[-2]}-{last}"
    return safe_stem(last)
