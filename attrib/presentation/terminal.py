"""Plain-text renderings of attrib's results, for a terminal or a projector.

Every piece of data shown (outlet folder names, file names, n-grams, examples, the text) goes
through :mod:`attrib.presentation.printable`: a text or a name never sends a control character
to the terminal, and a name never breaks a row.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from attrib.features.kinds import STYLE_TYPES, TOPIC_TYPES
from attrib.outlets import display_name as _display_name
from attrib.presentation.palette import outlet_colours
from attrib.presentation.printable import one_field, printable

if TYPE_CHECKING:
    from attrib.evaluation.evaluate import Evaluation
    from attrib.evaluation.masking import MaskingComparison
    from attrib.evaluation.republished import Robustness
    from attrib.explanation.explain import ModelExplanation, TextExplanation
    from attrib.explanation.overlap import Overlap
    from attrib.explanation.scan import Scan
    from attrib.modeling.model import Prediction


def display_name(label: str) -> str:
    """An outlet's display name, safe to print in a row."""
    return one_field(_display_name(label))


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
    units = f"{len(e.held_out)} {e.unit}s" + (
        f" of {e.documents} documents" if e.unit == "passage" else ""
    )
    lines = [
        f"{e.scheme.capitalize()} on {units}, {len(e.outlets)} outlets ({one_field(e.corpus)})",
        "",
    ]
    lines += _table(
        ["held out", "true", "predicted", "score", "runner-up", "attainable"],
        [
            [
                one_field(h.document),
                display_name(h.true),
                display_name(h.predicted)
                + ("" if h.correct else " ✗")
                + (" ?" if h.abstained else ""),
                f"{h.score:.2f}",
                f"{display_name(h.runner_up)} {h.runner_up_score:.2f}" if h.runner_up else "-",
                "yes" if h.attainable else "no",
            ]
            for h in e.held_out
        ],
        right={3},
    )
    attainable = (
        f"{e.attainable_accuracy:.2f}  ({sum(h.correct for h in e.held_out if h.attainable)} of "
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
        f"  accuracy             {e.accuracy:.2f}  ({e.correct} of {len(e.held_out)})",
        f"  attainable accuracy  {attainable}",
        f"  ceiling              {e.ceiling:.2f}  (the best any model could score here)",
        f"  open-set accuracy    {e.open_set_accuracy:.2f}  ({e.abstentions} "
        f"abstention{'' if e.abstentions == 1 else 's'}, marked ?: unknown counts as right where "
        "the outlet was unattainable)",
        f"  chance               {e.chance:.2f}  (a uniform guess among "
        + ("the model's outlets)" if e.on_test_set else "each fold's outlets)"),
        f"  macro-F1             {e.macro_f1:.2f}",
        f"  p-value              {p_value}",
        "",
        *(
            [
                "  The p-value is how often the test set's labels, shuffled, agree with these",
                "  answers at least as often; scores are uncalibrated probabilities.",
            ]
            if e.on_test_set
            else [
                "  The p-value is how often a model trained on shuffled labels scores at least",
                "  this accuracy; scores are uncalibrated probabilities.",
            ]
        ),
        "",
        "Confusion matrix (rows: true outlet, columns: predicted):",
    ]
    names = [display_name(label) for label in e.confusion["labels"]]
    lines += _table(
        ["", *names],
        [[name, *map(str, row)] for name, row in zip(names, e.confusion["matrix"], strict=True)],
        right=set(range(1, len(names) + 1)),
    )
    lines += [f"\nwarning: {one_field(warning)}" for warning in e.warnings]
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
        f"Masking compared: {first.scheme} on {len(first.held_out)} {first.unit}s "
        f"({one_field(first.corpus)})",
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


def robustness_report(report: Robustness) -> str:
    """The republication table: each transform's scores, attrib's and the plain pipeline's."""
    lines = [
        f"Republished: {report.scheme} on {report.documents} documents "
        f"({one_field(report.corpus)}), seed {report.seed}",
        "Each fold's model is trained on its documents as published; only the held-out ones are",
        "transformed. drop: macro-F1 lost against the untransformed row (none).",
        "",
    ]
    rows = []
    for row in report.rows:
        cells = [row.transform, f"{row.accuracy:.2f}", f"{row.macro_f1:.3f}", f"{row.drop:+.3f}"]
        if row.plain_macro_f1 is not None:
            cells += [
                f"{row.plain_accuracy:.2f}",
                f"{row.plain_macro_f1:.3f}",
                f"{row.plain_drop:+.3f}",
            ]
        rows.append(cells)
    header = ["transform", "accuracy", "macro-F1", "drop"]
    if len(rows[0]) > 4:
        header += ["plain accuracy", "plain macro-F1", "plain drop"]
    lines += _table(header, rows, right=set(range(1, len(header))))
    if len(header) > 4:
        lines += [
            "",
            "  plain: char_wb 2-5 + word 1-2 TF-IDF and a LinearSVC on the raw text, the same "
            "folds;",
            "  it reads outlet names and datelines wherever a transform leaves them.",
        ]
    lines += [f"warning: {one_field(w)}" for w in report.warnings]
    return "\n".join(lines)


#: How spaces and invisible characters show in a feature's n-gram; any other space, line
#: separator, format or control character shows as its code point, e.g. ``⟨U+200B⟩``.
WHITESPACE_SIGNS = {" ": "␣", "\u00a0": "⍽", "\n": "⏎", "\t": "⇥"}
#: What the one-letter kind before each feature means (:mod:`attrib.features.views`).
KINDS_KEY = (
    "c: character n-gram (within words), w: word n-gram, p: punctuation view (w a word, d a "
    "number), s: shape view (X a capital, x a small letter, d a digit); ␣ a space, ⍽ a "
    "no-break space, ⏎ a line break, ⇥ a tab, ⟨U+...⟩ any other invisible character"
)


def visible(feature: str) -> str:
    """A feature name with every space and invisible character made visible and distinct:
    ``char__ ta`` -> ``c:␣ta``, a no-break space -> ``⍽``, a zero-width space -> ``⟨U+200B⟩``."""
    kind, _, ngram = feature.partition("__")
    return f"{kind[0]}:" + "".join(_visible_char(ch) for ch in ngram)


def _visible_char(ch: str) -> str:
    sign = WHITESPACE_SIGNS.get(ch)
    if sign is not None:
        return sign
    if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Zs", "Co", "Cn"):  # all whitespace
        return f"⟨U+{ord(ch):04X}⟩"
    return ch


# ---------------------------------------------------------------------------------------------
# Explanations


def outlet_colour(outlet: str, labels: list[str]) -> str:
    """An outlet's terminal colour (:mod:`attrib.presentation.palette`)."""
    return outlet_colours(outlet, labels)[0]


def model_profile(explanation: ModelExplanation) -> str:
    """Each outlet's top features as a table: weight, kind, type, n-gram, stability, example."""
    e = explanation
    where = f"corpus {one_field(e.corpus)}" if e.corpus else "no training corpus at hand"
    folds = f"stability over {e.folds} leave-one-out folds" if e.folds else "no stability counts"
    lines = [f"What the model learned (mask: {e.mask}; {folds}; {where})"]
    for profile in e.outlets:
        shares = profile.type_shares
        style = ", ".join(f"{t} {shares[t]:.0%}" for t in STYLE_TYPES if shares.get(t))
        topic = ", ".join(f"{t} {shares[t]:.0%}" for t in TOPIC_TYPES if shares.get(t))
        lines += [
            "",
            f"{display_name(profile.outlet)}: style-like {profile.style_share:.0%} of its positive "
            f"weight ({style}); topic-like {1 - profile.style_share:.0%} ({topic})",
        ]
        header = ["weight", "kind", "type", "n-gram", "folds", "docs", "example"]
        rows = []
        for f in profile.features:
            marks = (" one article" if f.one_article else "") + (
                " SIGNATURE" if f.signature else ""
            )
            rows.append(
                [
                    f"{f.weight:+.3f}",
                    f.kind,
                    f.type,
                    visible(f.feature).split(":", 1)[1],
                    f"{f.stability}/{e.folds}" if f.stability is not None else "-",
                    (str(f.documents) if f.documents is not None else "-") + marks,
                    one_field(_shorten(f.example or "", 60)),
                ]
            )
        lines += _table(header, rows, right={0, 4})
    lines += [
        "",
        "folds: leave-one-out folds in which the feature stays in the outlet's top list; docs: the",
        'outlet\'s training documents containing it ("one article": it ranks high because of one',
        "article).",
        f"key: {KINDS_KEY}.",
    ]
    if e.mask == "none":
        lines.append(
            "SIGNATURE: masking signatures (--mask signatures, the default) removes most of its "
            "occurrences: a name, a dateline or page furniture, not style."
        )
    lines += [f"note: {one_field(note)}" for note in e.notes]
    return "\n".join(lines)


def prior_line(explanation: TextExplanation) -> str:
    """Evidence (the n-grams' sum) beside the prior (the intercept) for every outlet, and a flag
    when the prior alone decided."""
    by_evidence = sorted(explanation.evidence, key=lambda o: -explanation.evidence[o])
    cells = ", ".join(
        f"{display_name(o)} {explanation.evidence[o]:+.2f} {explanation.priors[o]:+.2f}"
        for o in by_evidence
    )
    line = f"evidence and prior per outlet: {cells}"
    if explanation.prior_decided:
        line += (
            f"\nPRIOR DECIDED: the n-grams favour {display_name(explanation.evidence_favours)}; "
            f"the intercepts alone turned the answer to {display_name(explanation.prediction.best)}"
        )
    return line


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def text_explanation(explanation: TextExplanation, name: str, *, top: int = 8, colour: bool) -> str:
    """The prediction, each explained outlet's strongest evidence, and the highlighted text."""
    p = explanation.prediction
    verdict = f"unknown ({p.reason}); best guess " if p.abstained else ""
    lines = [
        f"{one_field(name)}: {verdict}{display_name(p.best)} {p.score:.2f} "
        f"(runner-up: {display_name(p.runner_up)} {p.scores[p.runner_up]:.2f})"
    ]
    lines.append(prior_line(explanation))
    for o in explanation.outlets:
        total = sum(c.contribution for c in o.contributions)
        lines += [
            "",
            f"{display_name(o.outlet)}: decision {o.decision:+.3f} = prior (intercept) "
            f"{o.intercept:+.3f} {'+' if total >= 0 else '-'} evidence {abs(total):.3f} from "
            f"{len(o.contributions)} n-grams (score {o.score:.2f})",
        ]
        towards, away = o.towards(top), o.away(top)
        rows = []
        for i in range(max(len(towards), len(away))):
            left = towards[i] if i < len(towards) else None
            right = away[i] if i < len(away) else None
            rows.append(
                [
                    f"{left.contribution:+.3f}" if left else "",
                    visible(left.feature) if left else "",
                    f"{right.contribution:+.3f}" if right else "",
                    visible(right.feature) if right else "",
                ]
            )
        name_ = display_name(o.outlet)
        lines += _table(["", f"towards {name_}", "", f"away from {name_}"], rows, right={0, 2})
    lines += [
        "",
        f"key: {KINDS_KEY}.",
        "",
        "The text as the model read it" + (", coloured by outlet:" if colour else ":"),
        "",
    ]
    lines.append(highlighted(explanation, colour=colour))
    return "\n".join(lines)


def highlight_runs(explanation: TextExplanation) -> list[tuple[str, str | None, int]]:
    """The whole text cut into runs of ``(text, outlet or None, level 0-2)``
    (its highlights and the unmarked text between them)."""
    text = explanation.text
    runs: list[tuple[str, str | None, int]] = []
    position = 0
    for h in explanation.highlights():
        if h.start > position:
            runs.append((text[position : h.start], None, 0))
        runs.append((text[h.start : h.end], h.outlet, h.level))
        position = h.end
    if position < len(text):
        runs.append((text[position:], None, 0))
    return runs


def highlighted(explanation: TextExplanation, *, colour: bool) -> str:
    """The text with the spans that drove the decision marked in their outlet's colour: the
    strongest as a coloured background (so spaces and punctuation show too), the others
    underlined."""
    if not colour:
        return printable(explanation.text)
    import click

    labels = [o.outlet for o in explanation.outlets]
    parts = []
    for text, outlet, level in highlight_runs(explanation):
        text = printable(text)  # before styling, which adds the only escapes wanted
        if outlet is None:
            parts.append(text)
        else:
            strong = level == 2
            parts.append(
                click.style(
                    text,
                    fg=outlet_colour(outlet, labels),
                    reverse=strong,
                    bold=strong,
                    underline=not strong,
                )
            )
    legend = "  ".join(
        click.style(display_name(o), fg=outlet_colour(o, labels), reverse=True, bold=True)
        for o in labels
    )
    return "".join(parts) + f"\n\n(colours: {legend}; background: strongest; underlined: weaker)"


def overlap_line(overlap: Overlap) -> str:
    """One line on verbatim overlap, kept apart from the style scores."""
    best = overlap.best
    if overlap.shingles == 0:
        return "verbatim overlap: the text is too short for 8-word runs"
    if best is None:
        return "verbatim overlap: no 8-word run of this text is in the training corpus"
    return (
        f"verbatim overlap: {best.share:.0%} of this text appears word for word in "
        f"{one_field(best.document)} ({display_name(best.outlet)}); evidence of copying, not of "
        "style"
    )


#: Words of a segment's beginning shown beside it.
SEGMENT_OPENING_WORDS = 8


def scan_lines(found: Scan, name: str) -> list[str]:
    """The whole text's answer, then one line per segment: character range, answer, score,
    runner-up, words, verbatim overlap if any, and the segment's first words."""
    lines = [f"{one_field(name)}\twhole text: {answer_words(found.prediction)}"]
    width = len(str(len(found.text)))
    for segment in found.segments:
        words = found.text[segment.start : segment.end].split()
        opening = " ".join(words[:SEGMENT_OPENING_WORDS])
        opening += " …" if len(words) > SEGMENT_OPENING_WORDS else ""
        verbatim = ""
        if segment.overlap is not None:
            verbatim = (
                f"\t{segment.overlap.share:.0%} verbatim in {one_field(segment.overlap.document)}"
            )
        lines.append(
            f"  {segment.start:>{width}}-{segment.end:<{width}}\t{answer_words(segment.prediction)}"
            f"\t{segment.words} words{verbatim}\t“{one_field(opening)}”"
        )
    return lines


def answer_words(p: Prediction, *, runner_up: bool = True) -> str:
    """An answer in words: ``RT 0.94 (runner-up TASS 0.02)``, or ``unknown (the reason; best
    guess RT 0.65)``."""
    if p.abstained:
        return f"unknown ({p.reason}; best guess {display_name(p.best)} {p.score:.2f})"
    answer = f"{display_name(p.outlet)} {p.score:.2f}"
    if runner_up:
        answer += f" (runner-up {display_name(p.runner_up)} {p.scores[p.runner_up]:.2f})"
    return answer
