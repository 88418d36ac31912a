"""Every option attrib takes, with its type, bounds and default: the one place each is written.

In the spirit of scikit-learn's ``_parameter_constraints``: the library checks its arguments
with :func:`check` (an :class:`~attrib.errors.OptionError` naming the option and its bounds),
and the CLI derives its click types and defaults from the same table
(:func:`attrib.cli.common.option`), without importing scikit-learn. No limit is written twice.

>>> check("epochs", 5)
5
>>> check("hash_bits", 30)
Traceback (most recent call last):
...
attrib.errors.OptionError: hash_bits must be a whole number from 10 to 24, not 30
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from attrib.errors import OptionError

#: What the model may read (see :mod:`attrib.features.cleaning`).
MASKS = ("none", "signatures", "distort")
#: Which quotes, dashes and spaces the model may read (see :mod:`attrib.features.typography`).
TYPOGRAPHIES = ("plain", "raw")
#: What ``evaluate`` holds out.
UNITS = ("document", "passage")


@dataclass(frozen=True)
class Option:
    """One option: its kind, default and bounds.

    ``kind`` is ``"int"``, ``"float"``, ``"number"`` (int or float), ``"bool"``, ``"choice"``
    or ``"range"`` (a ``(low, high)`` pair of ints with ``low <= high``, each within the bounds).
    ``low_open`` excludes ``low`` itself; ``none_ok`` accepts None (a view left out, no cap, ...).
    """

    kind: str
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[Any, ...] = ()
    none_ok: bool = False
    words: str = ""

    def describe(self) -> str:
        """The bounds in words: "a whole number from 10 to 24"."""
        if self.words:
            return self.words
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) if c is None else str(c) for c in self.choices)
        if self.kind == "bool":
            return "True or False"
        what = {
            "int": "a whole number",
            "float": "a number",
            "number": "a number",
            "range": "(low, high) with low <= high, each a whole number",
        }[self.kind]
        low = "" if self.low is None else _number(self.low)
        high = "" if self.high is None else _number(self.high)
        if low and high:
            bound = (
                f"greater than {low} and at most {high}"
                if self.low_open
                else f"from {low} to {high}"
            )
        elif low:
            bound = f"greater than {low}" if self.low_open else f"of at least {low}"
        else:
            bound = ""
        return " ".join(part for part in (what, bound) if part)


def _number(value: float) -> str:
    """A bound as a person reads it: 4,294,967,295 rather than 4.29497e+09."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _int(default: Any, low: float | None = None, high: float | None = None, **kw: Any) -> Option:
    return Option("int", default, low, high, **kw)


def _fraction(default: float, *, low_open: bool = False) -> Option:
    return Option("float", default, 0.0, 1.0, low_open=low_open)


#: The pipeline's options: ``build_pipeline`` and ``train`` take any of them as overrides, and a
#: model file records them all. Reasons for the defaults are in :mod:`attrib.modeling.pipeline`.
MODEL_OPTIONS: dict[str, Option] = {
    "mask": Option("choice", "signatures", choices=MASKS),
    "distort_words": _int(150, 0, 10_000),
    "typography": Option("choice", "plain", choices=TYPOGRAPHIES),
    "char_analyzer": Option("choice", "char_wb", choices=("char_wb", "char")),
    "char_ngram_range": Option("range", (2, 5), 1, 20),
    "word_ngram_range": Option("range", (1, 2), 1, 20),
    "punct_ngram_range": Option("range", (1, 4), 1, 20, none_ok=True),
    "shape_ngram_range": Option("range", (2, 4), 1, 20, none_ok=True),
    "lowercase": Option("bool", True),
    "sublinear_tf": Option("bool", False),
    "min_df": Option("number", 1, 0, low_open=True),
    "max_features": _int(200_000, 1, none_ok=True),
    "C": Option("float", 100.0, 0, low_open=True),
    "class_weight": Option("choice", "balanced", choices=("balanced", None)),
    "max_iter": _int(2000, 1),
}

#: The options of bounded training (``attrib train --bounded``).
BOUNDED_OPTIONS: dict[str, Option] = {
    "hash_bits": _int(18, 10, 24),
    "epochs": _int(5, 1, 1000),
    "batch_size": _int(500, 1, 10**6),
    "alpha": Option("float", 1e-6, 0, low_open=True),
    "seed": _int(0, 0, 2**32 - 1),
    "coverage_bits": _int(26, 16, 32),
}

#: When the model abstains (see :mod:`attrib.modeling.openset`).
THRESHOLD_OPTIONS: dict[str, Option] = {
    "min_words": Option("number", 50, 0, 10**9),
    "min_coverage": _fraction(0.33),
    "min_margin": _fraction(0.05),
}

#: How a command runs: processes, evaluation design, reports.
RUN_OPTIONS: dict[str, Option] = {
    # More would be a typo, not a plan; fewer are started when there are fewer cores or tasks.
    "jobs": _int(1, -1, 256, words="a number of processes from 1 to 256, or -1 for one per core"),
    "seed": _int(0, 0, 2**32 - 1),
    "unit": Option("choice", "document", choices=UNITS),
    "folds": _int(None, 2, none_ok=True),
    "min_passage_chars": _int(500, 1),
    "permutations": _int(None, 0, none_ok=True),
    "top": _int(10, 1),
    "duplicate_threshold": _fraction(0.5, low_open=True),
    # attrib scan: words per window and between window starts, chosen by measurement
    # (bench/scan.py, the README's benchmark section); the step may not exceed the window.
    "window": _int(100, 10, 100_000),
    "step": _int(20, 1, 100_000),
}

OPTIONS: dict[str, Option] = {
    **MODEL_OPTIONS,
    **BOUNDED_OPTIONS,
    **THRESHOLD_OPTIONS,
    **RUN_OPTIONS,
}


def defaults(table: dict[str, Option]) -> dict[str, Any]:
    """Each option of ``table`` with its default."""
    return {name: option.default for name, option in table.items()}


def resolve_options(**overrides: Any) -> dict[str, Any]:
    """Return the model options' defaults updated with ``overrides``, checking every name and value.

    Raises
    ------
    OptionError
        If an override names no model option, or its value is out of the option's bounds.
    """
    unknown = sorted(set(overrides) - set(MODEL_OPTIONS))
    if unknown:
        raise OptionError(
            f"unknown model option(s) {', '.join(unknown)}; known: {', '.join(MODEL_OPTIONS)}"
        )
    chosen = {**defaults(MODEL_OPTIONS), **overrides}
    return {name: check(name, value) for name, value in chosen.items()}


def check(name: str, value: Any) -> Any:
    """Return ``value`` if it is valid for the option ``name`` (ranges as int tuples).

    Raises
    ------
    OptionError
        Naming the option, what it accepts and the value given.
    """
    option = OPTIONS[name]
    if name == "jobs" and value == 0:
        raise OptionError(f"jobs must be {option.describe()}, not 0")
    if value is None and option.none_ok:
        return None
    if not _valid(option, value):
        raise OptionError(f"{name} must be {option.describe()}, not {value!r}")
    if option.kind == "range":
        return (int(value[0]), int(value[1]))
    return value


def _valid(option: Option, value: Any) -> bool:
    if option.kind == "choice":
        return value in option.choices
    if option.kind == "bool":
        return isinstance(value, bool)
    if option.kind == "range":
        return (
            isinstance(value, (tuple, list))
            and len(value) == 2
            and all(_in_bounds(option, v, whole=True) for v in value)
            and value[0] <= value[1]
        )
    return _in_bounds(option, value, whole=option.kind == "int")


def _in_bounds(option: Option, value: Any, *, whole: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
        return False
    if not math.isfinite(value):  # NaN and infinities: never an option's value
        return False
    if option.low is not None and (value <= option.low if option.low_open else value < option.low):
        return False
    return option.high is None or value <= option.high
