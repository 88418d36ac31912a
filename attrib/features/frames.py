"""What surrounds an article but is not its writing: page furniture, datelines, credits, tails.

An outlet stamps its copy (``MOSCOW, May 20. /TASS/.``, ``MOSCOW (Sputnik) -``, ``Press TV,
Tehran``), and its web pages add icon strips, share bars and "READ MORE" links. A republisher
removes all of it, so a model that reads it fails on republished copy. :func:`strip_frames`
removes every form the four outlets use; cleaning (:mod:`attrib.features.cleaning`) and the
republication transforms (:mod:`attrib.republish`) share it.

The patterns accept the outlet's name or the placeholder ``§`` that masking puts in its place,
so a frame is found whether or not its name was masked first.

>>> strip_frames("MOSCOW, May 20. /TASS/. Russia has begun talks.")
'Russia has begun talks.'
>>> strip_frames("WASHINGTON (Sputnik) - The US spends more.")
'The US spends more.'
"""

from __future__ import annotations

import re

#: Lines that are web-page furniture, not article text: (name, pattern the whole line matches).
FURNITURE: list[tuple[str, re.Pattern[str]]] = [
    # rt.com's strip of icon names: "icon bookmark-bicon bookmarkicon cameraicon ..."
    ("icon strip", re.compile(r"icon [\w-]*icon (?:[\w -]*icon){3}[\w -]*")),
    ("player time", re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")),
    # "10 May, 2016 16:21" (rt.com), "Thu Jun 30, 2011 3:46PM" (presstv.ir)
    (
        "page date stamp",
        re.compile(
            r"(?:[A-Z][a-z]{2,8},? )?(?:\d{1,2} [A-Z][a-z]+,? \d{4}|[A-Z][a-z]+\.? \d{1,2},? \d{4})"
            r",? \d{1,2}:\d{2}(?: ?[AP]M)?(?: [A-Z]{2,4})?"
        ),
    ),
    ("breadcrumb", re.compile(r"[A-Z][\w&' -]*?(?:\s+/\s+[A-Z][\w&' -]*)+")),
    ("related link", re.compile(r"READ MORE:.*")),
    ("share widget", re.compile(r"(?i:share this (?:article|story)|podcasts|follow us on .*)")),
    ("site footer", re.compile(r"Press TV[’']s website can also be accessed at .*")),
    ("app promotion", re.compile(r"Press TV News Roku")),
    ("bare address", re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/?\S*")),
]

_DASH = r"[-‐‑‒–—―−]"
_PLACE = r"[A-Z][A-Z.'’ -]*[A-Z.]"  # MOSCOW, UNITED NATIONS, ST. PETERSBURG
_DATE = r"[A-Z][a-z]{2,8}\.? \d{1,2}"  # December 26, Sept. 3
_TASS = r"(?:ITAR-TASS|TASS|§)"
_SPUTNIK = r"(?:Sputnik|RIA Novosti|§)"
_PRESS_TV = r"(?:Press TV|PressTV|§)"

#: Frames and where they stand: (name, pattern); each match is removed.
FRAMES: list[tuple[str, re.Pattern[str]]] = [
    # MOSCOW, May 20. /TASS/.   IGORA /Leningrad Region/, December 26. /TASS/.   /TASS/.
    (
        "TASS dateline",
        re.compile(
            rf"(?m)^[ \t]*(?:{_PLACE}(?: /[^/\n]{{1,60}}/)?(?:,? {_DATE})?\.? )?/{_TASS}/\.?[ \t]*"
        ),
    ),
    # MOSCOW (Sputnik) -   WASHINGTON, (Sputnik) –   MOSCOW, May 3 (Sputnik) -
    (
        "Sputnik dateline",
        re.compile(
            rf"(?m)^[ \t]*(?:{_PLACE}(?:,? {_DATE})?,? )?\({_SPUTNIK}\)[ \t]*{_DASH}+[ \t]*"
        ),
    ),
    # a byline over "Press TV, Tehran"
    (
        "Press TV credit",
        re.compile(
            rf"(?m)^[ \t]*(?:[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){{0,3}}[ \t]*\n\s*)?"
            rf"{_PRESS_TV}, [A-Z][\w'’. -]{{1,40}}[ \t]*$\n?"
        ),
    ),
    (
        "Press TV header",
        re.compile(rf"(?im)^[ \t]*{_PRESS_TV}['’]s news headlines[ \t]*$\n?"),
    ),
    (
        "disclaimer",
        re.compile(
            r"(?im)^[ \t]*(?:the )?(?:views|opinions)(?: and opinions)? expressed .{0,200}"
            r"(?:do not|don[’']t) necessarily (?:reflect|represent).*$\n?"
        ),
    ),
]

#: Lines that end an article's page, not its text: removed from the end, one after another.
TAILS: list[tuple[str, re.Pattern[str]]] = [
    ("read more", re.compile(r"(?i)(?:read more|related|see also|more on this)\s*:.*")),
    ("follow us", re.compile(r"(?i)follow (?:us|§|RT|Sputnik|TASS|Press TV)\b.*")),
    ("subscribe", re.compile(r"(?i)(?:subscribe|join (?:us|our))\b.*")),
    ("share", re.compile(r"(?i)(?:share this (?:article|story)|you can share this story).*")),
]


def remove_furniture(text: str) -> str:
    """Drop the lines that :data:`FURNITURE` recognises as page furniture."""
    kept = [
        line
        for line in text.splitlines()
        if not any(pattern.fullmatch(line.strip()) for _, pattern in FURNITURE)
    ]
    return "\n".join(kept)


def strip_frames(text: str) -> str:
    """Remove datelines, credit lines and headers (:data:`FRAMES`) and trailing tails
    (:data:`TAILS`); the article's own sentences stay as they were."""
    for _, pattern in FRAMES:
        text = pattern.sub("", text)
    lines = text.rstrip().split("\n")
    while lines and (
        not lines[-1].strip() or any(pattern.fullmatch(lines[-1].strip()) for _, pattern in TAILS)
    ):
        lines.pop()
    return "\n".join(lines)
