"""Plain typography: the characters a publishing system chooses, replaced by the ones anyone types.

Curly quotes, long dashes, ellipses and non-breaking spaces are set by an outlet's content
system, not by its writers, and a republisher's system often replaces them: one of the
republication transforms (:mod:`attrib.republish`) and a step of cleaning
(:mod:`attrib.features.cleaning`), so that the model never learns what republication removes.

>>> plain_typography("“Yes” – it’s\u00a0done…")
'"Yes" - it\\'s done...'
"""

from __future__ import annotations

import re

#: Each typographic character and what plain typography writes instead.
TYPOGRAPHY: dict[str, str] = {
    **dict.fromkeys("“”„‟«»″〝〞＂", '"'),
    **dict.fromkeys("‘’‚‛′＇", "'"),
    **dict.fromkeys("‐‑‒–—―−⁃﹘﹣－", "-"),
    "…": "...",
    # no-break, figure, narrow no-break, en/em and thin spaces, ideographic space
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009", " "),
    **dict.fromkeys("\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u2028\u2029", "\n"),  # line and paragraph separators
    # soft hyphen, zero-width space and joiners, word joiner, byte-order mark: nothing
    **dict.fromkeys("\u00ad\u200b\u200c\u200d\u2060\ufeff", ""),
}
# A search for the few typographic characters of a text, then a lookup for each: five times
# faster than ``str.translate`` over every character (bench/counting.py's texts).
_TYPOGRAPHIC = re.compile("[" + re.escape("".join(TYPOGRAPHY)) + "]")


def _plain(match: re.Match[str]) -> str:
    return TYPOGRAPHY[match.group()]


def plain_typography(text: str) -> str:
    """Replace every character of :data:`TYPOGRAPHY` by its plain form."""
    if text.isascii():  # every typographic character is outside ASCII
        return text
    return _TYPOGRAPHIC.sub(_plain, text)
