"""What republication does to a text, as seeded transforms: attribution tested the way it is used.

A republisher strips the dateline and credit (they name the outlet), drops the headline, lets
its own publishing system re-set the typography and re-flow the paragraphs, keeps a passage
and edits it a little. Each transform below does one of these. Every one is a function
``(text, seed=0) -> str``: the same text and seed give the same result, and :func:`combine`
chains them. ``attrib evaluate --republish`` applies them to held-out documents only.

``typography``
    Curly quotes, long dashes, ellipses, special spaces and zero-width characters become plain
    ones (:data:`attrib.features.typography.TYPOGRAPHY`).
``frame``
    Page furniture, datelines, credit lines, headers and "read more"/"follow us" tails removed
    (every form in :mod:`attrib.features.frames`).
``headline``
    The headline and standfirst removed: up to two leading paragraphs that read as headings
    (at most 30 words, not ending like a sentence), never the whole text.
``reflow``
    Paragraphs re-flowed, one way chosen by the seed: hard-wrapped at 60-80 columns, separated
    by single line breaks, by blank lines, or run together into one paragraph.
``copyedit``
    Light copy editing: one sentence (not the first) dropped, and, with three paragraphs or
    more, one paragraph (not the first) moved elsewhere.
``excerpt``
    A contiguous passage of ``words`` words (100 unless given), starting at a sentence where
    possible; a shorter text is returned whole.

``all`` (:data:`ALL`) chains every transform but excerpting, whose length is the axis of the
learning curve (``bench/republication.py``).

>>> typography("“Yes” – it’s done…")
'"Yes" - it\\'s done...'
>>> frame("MOSCOW, May 20. /TASS/. Russia has begun talks.")
'Russia has begun talks.'
>>> headline("Talks begin\\n\\nRussia has begun talks with the US on Monday.")
'Russia has begun talks with the US on Monday.'
>>> excerpt("One two. Three four five. Six seven.", words=3)
'Three four five.'
"""

from __future__ import annotations

import random
import re
import textwrap
from collections.abc import Callable
from functools import partial

from attrib.features.frames import remove_furniture, strip_frames
from attrib.features.typography import plain_typography

__all__ = [
    "ALL",
    "TRANSFORMS",
    "Transform",
    "combine",
    "copyedit",
    "excerpt",
    "frame",
    "headline",
    "reflow",
    "typography",
]

Transform = Callable[..., str]
"""A transform: called as ``transform(text, seed=0)``, returns the republished text."""

#: Words of the passage :func:`excerpt` keeps unless told otherwise.
EXCERPT_WORDS = 100
#: Most words of a paragraph that :func:`headline` may take for a heading.
HEADING_WORDS = 30

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
_SENTENCE_END = re.compile(r"""[.!?]["'”’)\]]*$""")
_SENTENCE = re.compile(r"""\S.*?(?:[.!?]["'”’)\]]*(?=\s|$)|$)""", re.DOTALL)
_WORD = re.compile(r"\S+")


def typography(text: str, seed: int = 0) -> str:
    """Plain typography: quotes, dashes, ellipses and spaces as anyone types them."""
    return plain_typography(text)


def frame(text: str, seed: int = 0) -> str:
    """Remove page furniture, datelines, credits, headers and tails."""
    return strip_frames(remove_furniture(text)).strip()


def headline(text: str, seed: int = 0) -> str:
    """Remove up to two leading paragraphs that read as a headline or standfirst."""
    paragraphs = _paragraphs(text)
    dropped = 0
    while dropped < 2 and len(paragraphs) - dropped > 1 and _is_heading(paragraphs[dropped]):
        dropped += 1
    if not dropped:
        return text
    return "\n\n".join(paragraphs[dropped:])


def reflow(text: str, seed: int = 0) -> str:
    """Re-flow the paragraphs one of four ways, chosen by ``seed``."""
    rng = random.Random(f"reflow:{seed}")
    paragraphs = [" ".join(p.split()) for p in _paragraphs(text)]
    style = rng.choice(("wrap", "single", "double", "one"))
    if style == "wrap":
        width = rng.randint(60, 80)
        return "\n\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in paragraphs)
    if style == "single":
        return "\n".join(paragraphs)
    if style == "double":
        return "\n\n".join(paragraphs)
    return " ".join(paragraphs)


def copyedit(text: str, seed: int = 0) -> str:
    """Drop one sentence (not the first) and move one paragraph (not the first)."""
    rng = random.Random(f"copyedit:{seed}")
    paragraphs = _paragraphs(text)
    sentences = [
        (number, match)
        for number, paragraph in enumerate(paragraphs)
        for match in _SENTENCE.finditer(paragraph)
    ][1:]
    if sentences:
        number, match = rng.choice(sentences)
        paragraph = paragraphs[number]
        shortened = re.sub(r"  +", " ", paragraph[: match.start()] + paragraph[match.end() :])
        if shortened.strip():
            paragraphs[number] = shortened.strip()
        else:
            del paragraphs[number]
    if len(paragraphs) >= 3:
        moved = paragraphs.pop(rng.randrange(1, len(paragraphs)))
        paragraphs.insert(rng.randint(1, len(paragraphs)), moved)
    return "\n\n".join(paragraphs)


def excerpt(text: str, seed: int = 0, words: int = EXCERPT_WORDS) -> str:
    """A contiguous passage of ``words`` words, from a sentence start where one fits."""
    rng = random.Random(f"excerpt:{seed}")
    spans = [match.span() for match in _WORD.finditer(text)]
    if len(spans) <= words:
        return text.strip()
    last = len(spans) - words
    starts = [
        i
        for i in range(last + 1)
        if i == 0 or _SENTENCE_END.search(text[spans[i - 1][0] : spans[i - 1][1]])
    ]
    first = rng.choice(starts) if starts else rng.randint(0, last)
    return text[spans[first][0] : spans[first + words - 1][1]]


def combine(*transforms: Transform) -> Transform:
    """One transform applying ``transforms`` in order, each with the same seed."""

    def combined(text: str, seed: int = 0) -> str:
        for transform in transforms:
            text = transform(text, seed)
        return text

    combined.__doc__ = "Apply " + ", then ".join(_name(t) for t in transforms) + "."
    return combined


def _name(transform: Transform) -> str:
    function = transform.func if isinstance(transform, partial) else transform
    return str(getattr(function, "__name__", repr(function)))


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


def _is_heading(paragraph: str) -> bool:
    return len(paragraph.split()) <= HEADING_WORDS and not _SENTENCE_END.search(paragraph)


#: Every transform but excerpting, in the order a republisher's work would apply them.
ALL: Transform = combine(frame, headline, copyedit, typography, reflow)

#: The transforms by name, as ``attrib evaluate --republish`` reports them.
TRANSFORMS: dict[str, Transform] = {
    "typography": typography,
    "frame": frame,
    "headline": headline,
    "reflow": reflow,
    "copyedit": copyedit,
    "excerpt": excerpt,
    "all": ALL,
}
