"""Text made safe to show a person: control characters never reach a terminal raw.

A text, a file name or a JSON Lines id can hold escape sequences (OSC 52 writes the clipboard,
others set the window title or clear the screen) and line breaks or tabs that forge rows in
tab-separated output. Everything attrib prints for a person goes through :func:`printable`
(free text, where line breaks and tabs are layout) or :func:`one_field` (a name in a row,
where they are not). JSON output needs neither: ``json.dumps`` escapes control characters.

Each replaced character becomes a visible escape in Python's notation: ``\\x1b`` for ESC,
``\\x9b`` for the C1 CSI, ``\\x7f`` for DEL, ``\\n`` and ``\\t`` in a field, ``\\xff`` for a
byte of a file name that is not UTF-8.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, C1 controls, and lone surrogates (a file name that is
# not UTF-8 arrives with its bytes as U+DC80-U+DCFF, which no terminal encoding can print).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, and tab, line feed and the Unicode line and paragraph separators.
_FIELD_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name: show the byte
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character but tab and line feed shown as an escape.

    >>> printable("title\\x1b]0;pwned\\x07 here\\n")
    'title\\\\x1b]0;pwned\\\\x07 here\\n'
    """
    return _CONTROLS.sub(_escape, text)


def one_field(text: str) -> str:
    """``text`` as one field of one line: tabs and line breaks escaped too.

    >>> one_field("a\\tb\\nSputnik 0.99")
    'a\\\\tb\\\\nSputnik 0.99'
    """
    return _FIELD_BREAKERS.sub(_escape, text)
