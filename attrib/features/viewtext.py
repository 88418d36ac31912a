"""The punctuation and shape views as functions of a string: their definition.

:mod:`attrib.features.hashing` computes the same views for a whole batch with NumPy, and
:mod:`attrib.features.spans` with offsets; the tests check both against these functions.
"""

from __future__ import annotations

import re

_TOKENS = re.compile(r"(\d+)|[^\W\d_]+")  # a number, or a word
_LETTERS_OR_DIGITS = re.compile(r"[^\W_]+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_LONG_LOWER = re.compile(r"x{3,}")


def _punct_token(match: re.Match[str]) -> str:
    return "d" if match.group(1) else "w"


def _shape_char(match: re.Match[str]) -> str:
    return "".join("d" if ch.isdecimal() else "X" if ch.isupper() else "x" for ch in match.group())


def punctuation_view(text: str) -> str:
    """Words become ``w`` and numbers ``d``; spaces, line breaks and punctuation stay."""
    return _TOKENS.sub(_punct_token, text)


def shape_view(text: str) -> str:
    """Capitals become ``X``, small letters ``x`` (3+ in a row: ``xxx``) and digits ``d``."""
    return _LONG_LOWER.sub("xxx", _LETTERS_OR_DIGITS.sub(_shape_char, text))
