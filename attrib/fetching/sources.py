"""Where articles are listed: a feed (RSS or Atom), a sitemap, one page, or a file of URLs.

Feeds are read by feedparser (every RSS and Atom dialect, dates normalised); sitemaps, a small
and strict XML format, by lxml with entities and network access turned off.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree  # trafilatura's own XML library

from attrib.errors import AttribError
from attrib.fetching.http import LIST_TYPES, Client, Refused, gunzip
from attrib.reading.manifest import canonical_url
from attrib.reading.pages import is_html

__all__ = ["Candidate", "SourceError", "canonical_url", "is_url", "list_articles"]

#: Sitemaps read from one sitemap index, at most: news sites split theirs by day.
MAX_SITEMAPS = 50

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class SourceError(AttribError):
    """A SOURCE that lists no articles: unreachable, malformed, or not a URL or file."""


@dataclass(frozen=True)
class Candidate:
    """An article to fetch, with what its listing says of it (``published``: ISO date or "")."""

    url: str
    title: str = ""
    published: str = ""


def is_url(text: str) -> bool:
    """Whether ``text`` starts like a URL (a scheme and ``://``), whatever the scheme."""
    return _SCHEME.match(text) is not None


def list_articles(
    client: Client, source: str, read_lines: Callable[[str], Iterable[str]]
) -> list[Candidate]:
    """The articles a SOURCE lists, in its order (a sitemap's newest first).

    Parameters
    ----------
    client : Client
        Fetches the feed, sitemap or page.
    source : str
        A URL, a file of URLs (one per line; ``#`` starts a comment), or ``-`` for such a list
        on standard input.
    read_lines : callable
        Reads the lines of a file name or ``-``.

    Raises
    ------
    SourceError
        If the source is not an http(s) URL or a readable file, cannot be fetched, or is not a
        feed, sitemap or web page.
    """
    if source != "-" and not is_url(source) and not os.path.exists(source):
        raise SourceError(
            f"{source} is neither a URL (https://...) nor a file of URLs; give a feed, sitemap "
            "or page URL with its scheme"
        )
    if source == "-" or not is_url(source):
        lines = (line.strip() for line in read_lines(source))
        return [Candidate(line) for line in lines if line and not line.startswith("#")]
    if urlsplit(source).scheme.lower() not in ("http", "https"):
        raise SourceError(f"{source} is not an http(s) URL; give a feed, sitemap or page URL")
    try:
        response = client.get(source, LIST_TYPES)
    except Refused as error:
        raise SourceError(f"cannot read {error}") from None
    return _listing(client, response.url, response.content_type, response.body, depth=0)


def _listing(client: Client, url: str, kind: str, body: bytes, depth: int) -> list[Candidate]:
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, client.limits.max_bytes)
        except ValueError as error:
            raise SourceError(f"cannot read {url}: {error}") from None
    if is_html(body) or kind in ("text/html", "application/xhtml+xml"):
        return [Candidate(url)]
    sitemap = _sitemap(client, url, body, depth)
    if sitemap is not None:
        return sitemap
    return _feed(url, body)


def _sitemap(client: Client, url: str, body: bytes, depth: int) -> list[Candidate] | None:
    """A sitemap's (or sitemap index's) articles; None if ``body`` is not a sitemap."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return None
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        return None
    entries = []
    for entry in root:
        fields = {etree.QName(e).localname: (e.text or "").strip() for e in entry.iter()}
        if fields.get("loc"):
            published = fields.get("publication_date") or fields.get("lastmod", "")
            entries.append(
                Candidate(urljoin(url, fields["loc"]), fields.get("title", ""), _day(published))
            )
    if kind == "urlset":
        return sorted(entries, key=lambda c: c.published, reverse=True)
    if depth > 0:
        raise SourceError(f"{url} is a sitemap index inside a sitemap index; give a sitemap")
    found: list[Candidate] = []
    for child in sorted(entries, key=lambda c: c.published, reverse=True)[:MAX_SITEMAPS]:
        try:
            response = client.get(child.url, LIST_TYPES)
        except Refused as error:
            raise SourceError(f"cannot read a sitemap of {url}: {error}") from None
        found += _listing(client, response.url, response.content_type, response.body, depth + 1)
    return sorted(found, key=lambda c: c.published, reverse=True)


def _feed(url: str, body: bytes) -> list[Candidate]:
    parsed = feedparser.parse(io.BytesIO(body))
    entries = [e for e in parsed.entries if e.get("link")]
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        why = f" ({str(problem).strip()})" if problem else ""
        raise SourceError(f"{url} is not a feed, a sitemap or a web page{why}")
    return [
        Candidate(
            urljoin(url, entry["link"]),
            " ".join(str(entry.get("title", "")).split()),
            _struct_day(entry.get("published_parsed") or entry.get("updated_parsed")),
        )
        for entry in entries
    ]


def _struct_day(value: time.struct_time | None) -> str:
    if value is None:
        return ""
    return datetime(*value[:6], tzinfo=timezone.utc).date().isoformat()


def _day(value: str) -> str:
    """The date of an ISO 8601 date or date-time (``2024-12-26T21:09:18+03:00``), or ""."""
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return ""
