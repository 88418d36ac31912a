"""Where in a text each n-gram feature comes from: the analyzers again, carrying offsets.

scikit-learn's analyzers return n-grams as strings. To highlight the text that drove a decision,
:func:`ngram_spans` runs the same steps (view, lower-casing, whitespace normalisation, n-gram
windows) on a :class:`Mapped` string that remembers, for every character, the span of the input
it came from. A test checks that it yields exactly the n-grams the vectorizer does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from attrib.features.viewtext import (
    _LETTER_OR_DIGIT,
    _LONG_LOWER,
    _TOKENS,
    _punct_token,
    _shape_char,
    punctuation_view,
    shape_view,
)

_WHITE_SPACES = re.compile(r"\s\s+")  # as sklearn's _VectorizerMixin._white_spaces


@dataclass(frozen=True)
class Mapped:
    """A derived string and, for each of its characters, the input span ``[start, end)``."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Mapped:
        return cls(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))

    def span(self, i: int, j: int) -> tuple[int, int]:
        """The input span of ``self.text[i:j]`` (``j > i``)."""
        return self.starts[i], self.ends[j - 1]

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> Mapped:
        """Like ``pattern.sub(replace, text)``; each replacement spans its whole match."""
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for match in pattern.finditer(self.text):
            text.append(self.text[position : match.start()])
            starts.extend(self.starts[position : match.start()])
            ends.extend(self.ends[position : match.start()])
            replacement = replace(match)
            if replacement:
                start, end = self.span(match.start(), match.end())
                text.append(replacement)
                starts.extend([start] * len(replacement))
                ends.extend([end] * len(replacement))
            position = match.end()
        text.append(self.text[position:])
        starts.extend(self.starts[position:])
        ends.extend(self.ends[position:])
        return Mapped("".join(text), tuple(starts), tuple(ends))

    def lower(self) -> Mapped:
        lowered = self.text.lower()
        if len(lowered) == len(self.text):
            return Mapped(lowered, self.starts, self.ends)
        # A character whose lower case is longer ("İ"): map each character on its own.
        return self.sub(re.compile(r"(?s)."), lambda m: m.group().lower())


def view_mapped(view: Callable[[str], str], text: str) -> Mapped:
    """Apply one of :mod:`attrib.features.views`' views, keeping offsets."""
    mapped = Mapped.of(text)
    if view is punctuation_view:
        result = mapped.sub(_TOKENS, _punct_token)
    elif view is shape_view:
        result = mapped.sub(_LETTER_OR_DIGIT, _shape_char).sub(_LONG_LOWER, lambda m: "xxx")
    else:  # pragma: no cover - only attrib's own views are in its pipelines
        raise ValueError(f"no offset mapping for the view {view!r}")
    if result.text != view(text):  # the two implementations must agree, or spans would lie
        raise RuntimeError(f"the offset mapping of {view.__name__} disagrees with the view")
    return result


def ngram_spans(vectorizer: Any, text: str) -> list[tuple[str, int, int]]:
    """Every n-gram ``vectorizer``'s analyzer yields for ``text``, with its span in ``text``.

    Supports the counters attrib builds (:class:`~attrib.features.counting.NgramCounter`), and
    scikit-learn vectorizers like theirs: ``char_wb``, ``char`` with an attrib view as
    preprocessor, and ``word`` with the default token pattern.
    """
    if hasattr(vectorizer, "reference"):
        vectorizer = vectorizer.reference()
    mapped = Mapped.of(text)
    if vectorizer.preprocessor is not None:
        mapped = view_mapped(vectorizer.preprocessor, text)
    elif vectorizer.lowercase:
        mapped = mapped.lower()
    low, high = vectorizer.ngram_range
    if vectorizer.analyzer == "word":
        return _word_ngrams(mapped, re.compile(vectorizer.token_pattern), low, high)
    mapped = mapped.sub(_WHITE_SPACES, lambda m: " ")
    if vectorizer.analyzer == "char_wb":
        return _char_wb_ngrams(mapped, low, high)
    return _char_ngrams(mapped, low, high)


def _word_ngrams(mapped: Mapped, pattern: re.Pattern[str], low: int, high: int) -> list[Any]:
    tokens = [(m.group(), *mapped.span(m.start(), m.end())) for m in pattern.finditer(mapped.text)]
    result = []
    for n in range(low, min(high, len(tokens)) + 1):
        for i in range(len(tokens) - n + 1):
            window = tokens[i : i + n]
            result.append((" ".join(t[0] for t in window), window[0][1], window[-1][2]))
    return result


def _char_ngrams(mapped: Mapped, low: int, high: int) -> list[Any]:
    text = mapped.text
    result = []
    for n in range(low, min(high, len(text)) + 1):
        for i in range(len(text) - n + 1):
            result.append((text[i : i + n], *mapped.span(i, i + n)))
    return result


def _char_wb_ngrams(mapped: Mapped, low: int, high: int) -> list[Any]:
    result = []
    for word in re.finditer(r"\S+", mapped.text):
        start, end = mapped.span(word.start(), word.end())
        # The padding spaces stand for the word's edges: empty spans at its start and end.
        padded = " " + word.group() + " "
        starts = (start, *mapped.starts[word.start() : word.end()], end)
        ends = (start, *mapped.ends[word.start() : word.end()], end)
        for n in range(low, high + 1):
            offset = 0
            while True:
                window = padded[offset : offset + n]
                result.append((window, starts[offset], ends[min(offset + n, len(padded)) - 1]))
                if offset + n >= len(padded):
                    break
                offset += 1
            if offset == 0:  # sklearn counts a word shorter than n once, for the smallest n
                break
    return result
