"""Cleaning text before it is read: what republication removes goes first, signatures masked.

A model that learns ``chevron`` (rt.com's icon strip), ``/TASS/.``, Press TV's footer or an
outlet's curly quotes reads a signature or a publishing system, not a style, and fails on exactly
the text users bring: copy republished without them. Two settings, chosen per model and saved
with it.

``mask``, what the model may read:

``none``
    The words as they are.
``signatures`` (the default)
    Page furniture (:data:`~attrib.features.frames.FURNITURE`) and the frame around the article
    (datelines, credit lines, headers, "read more" tails: :func:`~attrib.features.frames.
    strip_frames`) removed; URLs, e-mail addresses, handles and the names of news outlets (the
    four, their aliases and domains, and other outlets, so that a name never votes) replaced by
    placeholders: ``officials told TASS.`` becomes ``officials told §.``.
``distort``
    ``signatures``, then text distortion (Stamatatos 2017): words outside the ``distort_words``
    most frequent English words have their letters replaced by ``*`` and digits by ``#``, so only
    function words, word lengths and punctuation remain: a view of style without topic.

``typography``, how the characters between the words are read:

``plain`` (the default)
    Quotes, dashes, ellipses and special spaces as anyone types them
    (:mod:`attrib.features.typography`), and every run of whitespace as one space: a
    republisher's system re-sets both, so neither may vote.
``raw``
    As published: opt-in, for text known to be untouched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from attrib.features.frames import remove_furniture, strip_frames
from attrib.features.typography import plain_typography
from attrib.options import MASKS, MODEL_OPTIONS

__all__ = ["MASKS", "clean", "clean_texts", "distort", "mask_signatures", "remove_furniture"]

OUTLET = "§"
URL = "‹url›"
EMAIL = "‹email›"
HANDLE = "‹handle›"

# Outlet names and aliases, masked wherever they stand. Longest first, so that "Sputnik
# International" is one mask, not "§ International".
_OUTLET_NAMES = [
    # the four outlets
    "Sputnik International",
    "Sputnik News",
    "Sputnik",
    "ITAR-TASS",
    "TASS",
    "ТАСС",
    "Press TV",
    "Press-TV",
    "PressTV",
    "Russia Today",
    "RT",
    "Ruptly",
    # other outlets: their names do not vote either
    "RIA Novosti",
    "RIA",
    "Interfax",
    "Izvestia",
    "Kommersant",
    "Vedomosti",
    "Rossiyskaya Gazeta",
    "TV Zvezda",
    "Reuters",
    "Agence France-Presse",
    "AFP",
    "Associated Press",
    "AP",
    "Bloomberg",
    "BBC",
    "CNN",
    "Fox News",
    "NBC News",
    "CBS News",
    "ABC News",
    "Sky News",
    "Al Jazeera",
    "Al Mayadeen",
    "Xinhua",
    "IRNA",
    "Tasnim",
    "Fars News",
    "Mehr News",
    "Anadolu",
    "Euronews",
    "Deutsche Welle",
    "The New York Times",
    "New York Times",
    "The Washington Post",
    "Washington Post",
    "The Wall Street Journal",
    "Wall Street Journal",
    "The Guardian",
    "Politico",
    "Newsweek",
    "Daily Mail",
]
# Zero-width characters that hide a name from a plain match (T\u200bASS) but not from a reader.
_INVISIBLE = "\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
# What an invisible character becomes in the folded copy: one character, so offsets stay put.
_GAP = "\ue000"
# Cyrillic and Greek letters that look like Latin ones: ТАSS with a Cyrillic Т and А is TASS to
# a reader. Each becomes the Latin letter it looks like, for matching only.
_CONFUSABLES = dict(
    zip(
        "АВЕЗІЈКМНОРСТУХЅаеіјорсухѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοϲνρτυχ",
        "ABE3IJKMHOPCTYXSaeijopcyxsdqwABEZHIKMNOPTYXocvptux",
        strict=True,
    )
)


def _name_pattern(name: str) -> str:
    """A name as a pattern: any whitespace run between its words, invisibles between letters."""
    gap = f"{_GAP}*"
    words = [gap.join(re.escape(c) for c in word) for word in _fold(name).split()]
    return rf"(?:\s|{_GAP})+".join(words)


def _fold(text: str) -> str:
    """The text as masking matches it, the same length as ``text``: compatibility forms
    (full-width ＲＴ, mathematical letters) and look-alike letters become plain Latin ones,
    invisible characters become a gap marker. Case is left to the pattern (IGNORECASE)."""
    table: dict[int, str] = {}
    for character in set(text) - _ASCII:
        folded = _CONFUSABLES.get(character)
        if folded is None and character in _INVISIBLE:
            folded = _GAP
        if folded is None:
            normal = unicodedata.normalize("NFKC", character)
            if len(normal) == 1 and normal != character:
                folded = _CONFUSABLES.get(normal, normal)
        if folded is not None:
            table[ord(character)] = folded
    return text.translate(table) if table else text


_ASCII = frozenset(chr(i) for i in range(128))
# Longest first, so that "Sputnik International" is one mask, not "§ International". A name
# stands alone (no letter or digit either side), but may touch a hyphen: "TASS-reported".
_NAMES = re.compile(
    r"(?<!\w)(?:"
    + "|".join(_name_pattern(n) for n in sorted(_OUTLET_NAMES, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)


def _trie_pattern(names: list[str]) -> str:
    """The names as one pattern factored by shared beginnings, words apart by any whitespace.

    At each letter the regular-expression engine tries one branch instead of every name, and a
    longer name is tried before a shorter one it extends, as in the longest-first alternation.
    """
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for character in " ".join(_fold(name).lower().split()):
            node = node.setdefault(character, {})
        node[""] = {}  # a name ends here

    def pattern(node: dict[str, Any]) -> str:
        branches = [
            (r"\s+" if key == " " else re.escape(key)) + pattern(child)
            for key, child in node.items()
            if key
        ]
        if "" in node:
            branches.append("")  # the shorter name last
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return pattern(trie)


# The same names for a text without invisible characters (nearly all): several times faster.
_NAMES_PLAIN = re.compile(r"(?<!\w)" + _trie_pattern(_OUTLET_NAMES) + r"(?!\w)", re.IGNORECASE)
# Social-media handles name their owner: @RT_com, @SputnikInt, @tassagency_en.
_HANDLES = re.compile(r"(?<![\w.@])@[A-Za-z0-9_]{1,30}(?![\w@])")
_URLS = re.compile(
    r"\b(?:https?://|www\.)\S+?(?=[\s)\]}>,;\"'”’]|[.!?](?:\s|$)|$)"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|ru|ir|org|net|tv|info|io|uk|de|fr|africa|news)\b"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
_EMAILS = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# What every match of _URLS contains.
_URL_HINTS = re.compile(
    r"https?://|www\.|\.(?:com|ru|ir|org|net|tv|info|io|uk|de|fr|africa|news)\b", re.IGNORECASE
)

# The most frequent English words, most frequent first: the words distortion keeps. Written for
# attrib from general knowledge of English word frequency; ranks are approximate.
_FREQUENT_TEXT = """
the of and to a in is that for it as was with be by on not he i this are or his from at which
but have an had they you were their one all we can her has there been if more when will would
who so no she other its may these what them than some him time into only do could new about two
first then also any my now such like our over man me even most made after many must did before
said through back where much should well your way down because just those each both how here
very own people between under us three while still since being against again however during
without might same another year years off last until upon why few among every never often less
around though whether yet either neither nor per via within toward towards across along behind
beyond above below near rather quite almost already always also although once shall ever up out
further too enough several least next whose whom itself himself herself themselves ourselves
according told says say saying stated added noted
"""
FREQUENT_WORDS = list(dict.fromkeys(_FREQUENT_TEXT.split()))
DEFAULT_DISTORT_WORDS: int = MODEL_OPTIONS["distort_words"].default
DEFAULT_TYPOGRAPHY: str = MODEL_OPTIONS["typography"].default


def mask_signatures(text: str) -> str:
    """Replace e-mail addresses, URLs, handles and outlet names by placeholders.

    The punctuation around them is kept. Names are found however they are written: in any
    case, with any run of whitespace between their words, in full-width or other compatibility
    forms (Unicode NFKC), with zero-width characters inside, or with Cyrillic or Greek
    look-alike letters. The whole written form is masked, whatever it hid.
    """
    # Each pattern only where what it needs occurs: they are slow to fail on every word.
    if "@" in text:
        text = _EMAILS.sub(EMAIL, text)
    if _URL_HINTS.search(text):
        text = _URLS.sub(URL, text)
    if "@" in text:
        text = _HANDLES.sub(HANDLE, text)
    folded = _fold(text)
    pieces = []
    position = 0
    names = _NAMES if _GAP in folded else _NAMES_PLAIN
    for match in names.finditer(folded):  # same offsets in the text and its folded copy
        pieces += [text[position : match.start()], OUTLET]
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


def distort(text: str, keep: Iterable[str]) -> str:
    """Mask each word not in ``keep`` (any case): letters become ``*``, digits ``#``."""
    kept = {word.lower() for word in keep}

    def mask(match: re.Match[str]) -> str:
        word = match.group()
        if word.lower() in kept or word in (OUTLET, URL, EMAIL, HANDLE):
            return word
        return re.sub(r"\d", "#", re.sub(r"[^\W\d_]", "*", word))

    return re.sub(r"[^\W_]+", mask, text)


def clean(
    text: str,
    mask: str = "signatures",
    distort_words: int = DEFAULT_DISTORT_WORDS,
    typography: str = DEFAULT_TYPOGRAPHY,
) -> str:
    """Clean one text under one ``mask`` and one ``typography`` mode (see the module's description).

    >>> clean("MOSCOW, May 20. /TASS/. “Talks”   began — today.")
    '"Talks" began - today.'
    """
    if typography == "plain":
        text = plain_typography(text)
    if mask != "none":
        text = strip_frames(mask_signatures(remove_furniture(text)))
    if mask == "distort":
        text = distort(text, FREQUENT_WORDS[:distort_words])
    if typography == "plain":
        text = collapse_spaces(text)
    return text


#: Longest run of non-space characters the analyzers see; the rest of a longer one is dropped.
#: Real words and masked URLs are far shorter; one 10 MB "word" once took 89 s and 3 GB.
MAX_TOKEN_CHARS = 100
_SPLIT_CHARS = 1 << 20
_LONG_TOKENS = re.compile(rf"(\S{{{MAX_TOKEN_CHARS}}})\S+")


def collapse_spaces(text: str) -> str:
    """Every run of whitespace as one space, none at the ends.

    ``str.split`` holds every word of a text at once (190 MB for 19 MB of text), so a long text
    is collapsed a piece at a time.

    >>> collapse_spaces("  a  b ")
    'a b'
    """
    if len(text) < _SPLIT_CHARS:
        return " ".join(text.split())
    parts: list[str] = []
    apart = False  # whether the previous piece ended in whitespace
    for start in range(0, len(text), _SPLIT_CHARS):
        piece = text[start : start + _SPLIT_CHARS]
        collapsed = " ".join(piece.split())
        if collapsed:
            if parts and (apart or piece[0].isspace()):
                parts.append(" ")
            parts.append(collapsed)
        apart = piece[-1].isspace()
    return "".join(parts)


def cap_tokens(text: str) -> str:
    """Cut every run of non-space characters to :data:`MAX_TOKEN_CHARS`."""
    if len(text) <= MAX_TOKEN_CHARS:
        return text
    # Nothing to cut in most texts: a split finds that far faster than the pattern failing at
    # every word, but holds every word at once (190 MB for 19 MB of text), so not for long texts.
    if len(text) < _SPLIT_CHARS and max(map(len, text.split())) <= MAX_TOKEN_CHARS:
        return text
    return _LONG_TOKENS.sub(r"\1", text)


def clean_texts(
    texts: Iterable[str],
    mask: str = "signatures",
    distort_words: int = DEFAULT_DISTORT_WORDS,
    typography: str = DEFAULT_TYPOGRAPHY,
) -> list[str]:
    """The cleaning step of attrib's pipeline: each text through :func:`clean`, then every
    token cut to :data:`MAX_TOKEN_CHARS`."""
    if mask not in MASKS:
        raise ValueError(f"mask must be one of {', '.join(MASKS)}, not {mask!r}")
    return [cap_tokens(clean(text, mask, distort_words, typography)) for text in texts]
