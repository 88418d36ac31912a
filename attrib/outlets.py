"""Outlet labels and their display names: the one place that spells them."""

from __future__ import annotations

DISPLAY_NAMES: dict[str, str] = {
    "presstv": "Press TV",
    "rt": "RT",
    "sputnik": "Sputnik",
    "tass": "TASS",
}


def display_name(label: str) -> str:
    """Return the human name of an outlet label, or the label itself for an unknown outlet."""
    return DISPLAY_NAMES.get(label, label)
