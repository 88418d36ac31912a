"""One colour per outlet, the same in the terminal and in the HTML report.

The four outlets have fixed colours; other outlets take the spare ones in turn, in label order.
"""

from __future__ import annotations

#: Each of the four outlets: (terminal colour name, HTML colour).
FIXED = {
    "presstv": ("green", "#2e7d32"),
    "rt": ("red", "#c62828"),
    "sputnik": ("blue", "#1565c0"),
    "tass": ("yellow", "#b8860b"),
}
SPARE = (
    ("magenta", "#6a1b9a"),
    ("cyan", "#00838f"),
    ("bright_red", "#ef6c00"),
    ("bright_blue", "#4e342e"),
)
#: For an outlet that is not among the labels at all.
NEUTRAL = ("white", "#777777")


def outlet_colours(outlet: str, labels: list[str]) -> tuple[str, str]:
    """The (terminal, HTML) colours of ``outlet`` among the model's ``labels``.

    >>> outlet_colours("rt", ["rt", "tass"])
    ('red', '#c62828')
    >>> outlet_colours("other", ["other", "rt", "zeta"])[1], outlet_colours("zeta", ["zeta"])[1]
    ('#6a1b9a', '#6a1b9a')
    """
    if outlet in FIXED:
        return FIXED[outlet]
    others = [label for label in labels if label not in FIXED]
    return SPARE[others.index(outlet) % len(SPARE)] if outlet in others else NEUTRAL
