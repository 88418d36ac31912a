"""Plain-text renderings of attrib's results, for a terminal or a projector."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrib.outlets import display_name

if TYPE_CHECKING:
    from attrib.evaluate import Evaluation, MaskingComparison


def corpus_table(summary: dict[str, Any]) -> str:
    """Documents and characters per outlet, with a total row."""
    rows = [
        (display_name(outlet), stats["documents"], stats["characters"])
        for outlet, stats in summary["outlets"].items()
    ]
    rows.append(("total", summary["documents"], summary["characters"]))
    width = max(len(name) for name, _, _ in rows)
    lines = [f"  {'outlet':<{width}}  {'documents':>9}  {'characters':>10}"]
    lines += [f"  {name:<{width}}  {docs:>9}  {chars:>10,}" for name, docs, chars in rows]
    return "\n".join(lines)


def evaluation_report(evaluation: Evaluation) -> str:
    """The per-fold table, the summary with its baselines, the confusion matrix and warnings."""
    e = evaluation
    units = f"{len(e.folds)} {e.unit}s" + (
        f" of {e.documents} documents" if e.unit == "passage" else ""
    )
    lines = [f"{e.scheme.capitalize()} on {units}, {len(e.outlets)} outlets ({e.corpus})", ""]
    lines += _table(
        ["held out", "true", "predicted", "score", "runner-up", "attainable"],
        [
            [
                h.document,
                display_name(h.true),
                display_name(h.predicted) + ("" if h.correct else " ✗"),
                f"{h.score:.2f}",
                f"{display_name(h.runner_up)} {h.runner_up_score:.2f}" if h.runner_up else "-",
                "yes" if h.attainable else "no",
            ]
            for h in e.folds
        ],
        right={3},
    )
    attainable = (
        f"{e.attainable_accuracy:.2f}  ({sum(h.correct for h in e.folds if h.attainable)} of "
        f"{e.attainable} whose outlet was in training)"
        if e.attainable_accuracy is not None
        else "-     (no held-out item's outlet was in training)"
    )
    if e.p_value is None:
        p_value = "-     (not computed: see below)" if e.p_value_method == "skipped" else "-"
    elif e.p_value_method == "exact":
        p_value = f"{e.p_value:.3f} (exact, all {e.permutations} label permutations)"
    else:
        p_value = f"{e.p_value:.3f} ({e.permutations} random label permutations)"
    lines += [
        "",
        f"  accuracy             {e.accuracy:.2f}  ({e.correct} of {len(e.folds)})",
        f"  attainable accuracy  {attainable}",
        f"  ceiling              {e.ceiling:.2f}  (the best any model could score here)",
        f"  chance               {e.chance:.2f}  (a uniform guess among each fold's outlets)",
        f"  macro-F1             {e.macro_f1:.2f}",
        f"  p-value              {p_value}",
        "",
        "  The p-value is how often a model trained on shuffled labels scores at least this",
        "  accuracy; scores are uncalibrated probabilities.",
        "",
        "Confusion matrix (rows: true outlet, columns: predicted):",
    ]
    names = [display_name(label) for label in e.confusion["labels"]]
    lines += _table(
        ["", *names],
        [[name, *map(str, row)] for name, row in zip(names, e.confusion["matrix"], strict=True)],
        right=set(range(1, len(names) + 1)),
    )
    lines += [f"\nwarning: {warning}" for warning in e.warnings]
    return "\n".join(lines)


def _table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [
            f"{cell:>{w}}" if i in right else f"{cell:<{w}}"
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  " + "  ".join(parts).rstrip()

    return [line(header), *map(line, rows)]


def masking_comparison(comparison: MaskingComparison) -> str:
    """One table of each masking mode's scores, then each mode's top features per outlet."""
    first = next(iter(comparison.evaluations.values()))
    lines = [
        f"Masking compared: {first.scheme} on {len(first.folds)} {first.unit}s ({first.corpus})",
        "",
    ]
    rows = []
    for mode, e in comparison.evaluations.items():
        attainable = "-" if e.attainable_accuracy is None else f"{e.attainable_accuracy:.2f}"
        p_value = "-" if e.p_value is None else f"{e.p_value:.3f}"
        rows.append([mode, f"{e.accuracy:.2f}", attainable, f"{e.macro_f1:.2f}", p_value])
    header = ["mask", "accuracy", "attainable accuracy", "macro-F1", "p-value"]
    lines += _table(header, rows, right={1, 2, 3, 4})
    lines += [
        "",
        f"  ceiling {first.ceiling:.2f}, chance {first.chance:.2f} (the same in every mode)",
    ]
    for mode, by_outlet in comparison.top_features.items():
        lines += ["", f"Top features with mask={mode}:"]
        for outlet, names in by_outlet.items():
            shown = ", ".join(visible(name) for name in names)
            lines.append(f"  {display_name(outlet):<9} {shown}")
    return "\n".join(lines)


def visible(feature: str) -> str:
    """A feature name with its spaces and line breaks made visible: ``char__ ta`` -> ``c:␣ta``."""
    kind, _, ngram = feature.partition("__")
    return f"{kind[0]}:" + ngram.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥")
