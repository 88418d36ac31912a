"""A polite HTTP client for collecting articles: robots.txt, one request at a time per host with
a delay, a stated user agent, timeouts, retries that honour ``Retry-After``, and limits on
redirects, size and type.

Built on urllib3 (which the extraction library needs anyway) with its own retries and redirects
turned off: each redirect is a new request, checked against robots.txt and the per-host delay,
and a retry waits under the host's lock, so no other request goes to that host meanwhile.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3  # the fetch extra: the CLI imports this package only when it is installed
from protego import Protego

from attrib import __version__
from attrib.errors import AttribError

#: Who attrib says it is: a server's log shows the tool, its version and what it is doing.
USER_AGENT = f"attrib/{__version__} (corpus fetch for text-attribution research)"

#: Content types of an article page, and of a feed or sitemap.
PAGE_TYPES = ("text/html", "application/xhtml+xml")
LIST_TYPES = (
    *PAGE_TYPES,
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/gzip",
    "application/x-gzip",
    "text/plain",
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Refused(AttribError):
    """A URL that was not fetched, and why: ``reason`` is robots, type, size, status, timeout,
    network, scheme or redirects."""

    def __init__(self, url: str, reason: str, detail: str) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    """How long to wait, how much to read, how often to try.

    ``timeout`` bounds a whole request (connecting, waiting, reading the body), in seconds;
    ``max_wait`` caps a server's ``Retry-After``.
    """

    timeout: float = 20.0
    max_bytes: int = 5 * 1024 * 1024
    redirects: int = 5
    retries: int = 3
    max_wait: float = 120.0


@dataclass(frozen=True)
class Response:
    """A successful response: the address it finally came from, its type and its bytes."""

    url: str
    content_type: str
    charset: str | None
    body: bytes


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = float("-inf")
    robots: Protego | None = None  # None before robots.txt is read
    unreadable: Refused | None = None  # why robots.txt could not be read


class Client:
    """Fetch pages politely. Thread-safe: requests to different hosts run side by side.

    Parameters
    ----------
    delay : float
        Seconds between the end of one request to a host and the start of the next (at least
        the host's robots.txt ``Crawl-delay``, up to a minute).
    limits : Limits
        Timeouts and size, redirect and retry limits.
    sleep, clock
        For tests: how to wait, and the monotonic clock.
    """

    def __init__(
        self,
        delay: float = 1.0,
        limits: Limits | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self.limits = limits or Limits()
        self._sleep = sleep
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._pool = urllib3.PoolManager(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            retries=False,
            timeout=urllib3.Timeout(connect=self.limits.timeout, read=self.limits.timeout),
        )

    def get(self, url: str, types: tuple[str, ...] = PAGE_TYPES) -> Response:
        """Fetch ``url``, following redirects, if robots.txt allows each address.

        Raises
        ------
        Refused
            If the URL is not http(s), robots.txt disallows it, it cannot be reached in time,
            the server answers with an error, too many redirects, or the response is too large
            or of another type.
        """
        current = url
        for _ in range(self.limits.redirects + 1):
            _check_scheme(current)
            self._check_robots(current)
            status, headers, body = self._request(current)
            location = headers.get("location")
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            if status != 200:
                raise Refused(current, "status", f"the server answered HTTP {status}")
            content_type, charset = _content_type(headers.get("content-type", ""))
            if content_type not in types:
                raise Refused(
                    current, "type", f"is {content_type or 'of no stated type'}, not a web page"
                )
            return Response(current, content_type, charset, body)
        raise Refused(url, "redirects", f"more than {self.limits.redirects} redirects")

    def _host(self, url: str) -> _Host:
        key = _origin(url)
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def _check_robots(self, url: str) -> None:
        host = self._host(url)
        if host.robots is None and host.unreadable is None:
            self._read_robots(url, host)
        if host.unreadable is not None:
            raise Refused(url, host.unreadable.reason, host.unreadable.detail)
        if host.robots is not None and not host.robots.can_fetch(url, USER_AGENT):
            raise Refused(url, "robots", "robots.txt disallows it")

    def _read_robots(self, url: str, host: _Host) -> None:
        """Read a host's robots.txt: a 4xx means no rules; a 5xx or no answer, keep away."""
        address = _origin(url) + "/robots.txt"
        try:
            status, _, body = self._request(address)
        except Refused as error:  # the host is unreachable: so is every page on it
            host.unreadable = error
            return
        if 400 <= status < 500:
            host.robots = Protego.parse("")
        elif status == 200:
            host.robots = Protego.parse(body.decode("utf-8", "replace"))
        else:  # RFC 9309: a server error on robots.txt means keep away for now
            why = f"its robots.txt could not be read (HTTP {status}); try again later"
            host.unreadable = Refused(address, "robots", why)

    def _crawl_delay(self, host: _Host) -> float:
        robots = host.robots
        stated = robots.crawl_delay(USER_AGENT) if robots is not None else None
        return min(max(self.delay, float(stated or 0)), 60.0)

    def _request(self, url: str) -> tuple[int, dict[str, str], bytes]:
        """One GET, under the host's lock and delay, retried on 429 and 5xx."""
        host = self._host(url)
        with host.lock:
            for attempt in range(self.limits.retries + 1):
                wait = host.last + self._crawl_delay(host) - self._clock()
                if wait > 0:
                    self._sleep(wait)
                try:
                    status, headers, body = self._once(url)
                finally:
                    host.last = self._clock()
                if status not in RETRY_STATUSES or attempt == self.limits.retries:
                    return status, headers, body
                backoff = self.delay * 2 ** (attempt + 1)
                stated = _retry_after(headers.get("retry-after"))
                pause = min(stated if stated is not None else backoff, self.limits.max_wait)
                host.last = self._clock() + pause - self._crawl_delay(host)
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, url: str) -> tuple[int, dict[str, str], bytes]:
        start = self._clock()
        try:
            response = self._pool.request(
                "GET", url, redirect=False, preload_content=False, decode_content=True
            )
        except urllib3.exceptions.NewConnectionError as error:  # before its base, TimeoutError
            raise Refused(url, "network", f"cannot be reached ({_reason(error)})") from None
        except urllib3.exceptions.TimeoutError:
            raise Refused(url, "timeout", f"no answer within {self.limits.timeout:g} s") from None
        except urllib3.exceptions.HTTPError as error:
            raise Refused(url, "network", f"cannot be reached ({_reason(error)})") from None
        try:
            headers = {k.lower(): v for k, v in response.headers.items()}
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.limits.max_bytes:
                raise Refused(url, "size", _too_large(self.limits.max_bytes))
            chunks, size = [], 0
            # read1 returns what has arrived, so the deadline holds for a page that trickles in
            while chunk := response.read1(64 * 1024):
                size += len(chunk)
                if size > self.limits.max_bytes:
                    raise Refused(url, "size", _too_large(self.limits.max_bytes))
                if self._clock() - start > self.limits.timeout:
                    raise Refused(url, "timeout", f"not read within {self.limits.timeout:g} s")
                chunks.append(chunk)
        except urllib3.exceptions.TimeoutError:
            raise Refused(url, "timeout", f"not read within {self.limits.timeout:g} s") from None
        except urllib3.exceptions.HTTPError as error:
            raise Refused(url, "network", f"broke off ({_reason(error)})") from None
        finally:
            response.release_conn()
        return response.status, headers, b"".join(chunks)


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Refused(url, "scheme", "is not an http(s) URL")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _content_type(header: str) -> tuple[str, str | None]:
    """The media type and charset of a Content-Type header."""
    kind, _, parameters = header.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return kind.strip().lower(), charset


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds, or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(error: Exception) -> str:
    """The innermost reason of a urllib3 error, without the connection object's repr."""
    return re.sub(r"^<[^>]*>: ", "", str(getattr(error, "reason", None) or error))


def _too_large(limit: int) -> str:
    return f"is larger than {limit / 1024 / 1024:g} MB"


def gunzip(body: bytes, limit: int) -> bytes:
    """Decompress a gzip body (a ``sitemap.xml.gz``) of at most ``limit`` bytes unpacked.

    Raises
    ------
    ValueError
        If it is not gzip, or unpacks to more than ``limit`` bytes.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as error:
        raise ValueError(f"broken gzip data ({error})") from None
    if len(data) > limit:
        raise ValueError(f"unpacks to more than {limit / 1024 / 1024:g} MB")
    return data
