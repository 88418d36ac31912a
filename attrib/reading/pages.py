"""Web pages: their bytes decoded by their charset, and their article's text extracted.

The one extraction path of attrib: ``attrib corpus fetch``, ``attrib corpus add page.html`` and
``attrib predict page.html`` all read a page through :func:`extract_page`. The extraction is
trafilatura's (the ``fetch`` extra): it keeps the headline and body and drops menus, related
links, share bars and comments, which would otherwise be read as the outlet's style.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from importlib import metadata

from attrib.errors import InputError

#: Fewer words than this is a page's furniture ("Home"), not an article: the extractor falls
#: back to whatever text a page has when it finds no article.
MIN_ARTICLE_WORDS = 20

#: What to install for reading pages, in the words of an error message.
INSTALL_HINT = "pip install 'attrib[fetch]'"

#: The start of an HTML page, after any blank space, a byte-order mark and comments.
_HTML = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)

#: A charset declared in the page: ``<meta charset=...>`` or an http-equiv Content-Type.
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)

#: Labels that browsers read as Windows-1252 whatever they say (the WHATWG Encoding standard).
_WINDOWS_1252 = {"ascii", "us-ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1"}


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def is_html(raw: bytes) -> bool:
    """Whether bytes start like an HTML page (a doctype, or an html, head or body tag)."""
    return _HTML.match(raw[:4096]) is not None


def decode_html(raw: bytes, declared: str | None = None) -> str:
    """Decode a page: a byte-order mark, else the declared charset, else the page's own
    ``<meta>`` charset, else UTF-8, else Windows-1252 (as browsers do).

    Parameters
    ----------
    raw : bytes
        The page.
    declared : str, optional
        The charset named by the HTTP ``Content-Type`` header, if any. Unknown names are
        ignored.
    """
    for bom, marked in _BOMS:
        if raw.startswith(bom):
            return raw.decode(marked, errors="replace")
    meta = _META_CHARSET.search(raw[:4096])
    for label in (declared, meta.group(1).decode("ascii") if meta else None):
        encoding = _codec(label)
        if encoding is not None:
            return raw.decode(encoding, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None if there is none or it is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


@dataclass(frozen=True)
class Page:
    """The article of a page: its text (headline, then body) and what the page says of it.

    ``published`` is an ISO date (``2024-05-03``) or ``""``; ``url`` is the page's canonical
    address when it names one, else the address it was read from (``""`` for a file).
    """

    text: str
    title: str
    published: str
    url: str
    extractor: str


def extractor_version() -> str:
    """The extraction library and its version, as recorded in a corpus manifest."""
    try:
        return f"trafilatura {metadata.version('trafilatura')}"
    except metadata.PackageNotFoundError:
        raise InputError(
            f"reading web pages needs the fetch extra; install it with {INSTALL_HINT}"
        ) from None


def extract_page(html: str, name: str, url: str | None = None) -> Page:
    """Extract the article from a page: headline and body, without menus or comments.

    Parameters
    ----------
    html : str
        The page, decoded (see :func:`decode_html`).
    name : str
        The page's name in error messages (its file name or URL).
    url : str, optional
        The address it was read from, which helps the extractor and names the page.

    Raises
    ------
    InputError
        If trafilatura is not installed, or the page holds no article text.
    """
    extractor = extractor_version()
    import trafilatura  # optional: the fetch extra

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        deduplicate=False,
    )
    body = (getattr(document, "text", None) or "").strip()
    if len(body.split()) < MIN_ARTICLE_WORDS:
        raise InputError(
            f"{name} is an HTML page in which no article text was found (a front page, a "
            "video page or a page built by scripts?); save the article's text as a .txt file"
        )
    title = " ".join((getattr(document, "title", None) or "").split())
    if title and not body.startswith(title):
        body = f"{title}\n\n{body}"
    return Page(
        text=body,
        title=title,
        published=getattr(document, "date", None) or "",
        url=getattr(document, "url", None) or url or "",
        extractor=extractor,
    )
