"""A self-contained HTML report of one text's attribution: no scripts, fonts or network."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from attrib.outlets import display_name
from attrib.presentation.palette import NEUTRAL, outlet_colours
from attrib.presentation.printable import printable
from attrib.presentation.terminal import KINDS_KEY, answer_words, visible

if TYPE_CHECKING:
    from attrib.evaluation.evaluate import Evaluation
    from attrib.explanation.explain import ModelExplanation, TextExplanation
    from attrib.explanation.overlap import Overlap
    from attrib.explanation.scan import Scan, Segment


_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.text { white-space: pre-wrap; border: 1px solid #ddd; padding: 1rem; border-radius: 6px; }
mark { background: none; border-radius: 3px; padding: 0 1px; }
mark.l1 { background: var(--c); background: color-mix(in srgb, var(--c) 18%, white); }
mark.l2 { background: var(--c); background: color-mix(in srgb, var(--c) 40%, white); }
.bar { display: flex; align-items: center; gap: .5rem; margin: 2px 0; font-size: 13px; }
.bar .fill { height: 12px; background: var(--c); border-radius: 2px; }
.bar .label { width: 14rem; font-family: ui-monospace, monospace; white-space: pre;
  overflow: hidden; }
.bar .num { width: 4.5rem; text-align: right; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; font-size: 14px; }
td, th { padding: 2px 8px; text-align: left; border-bottom: 1px solid #eee; }
.big { font-size: 1.1rem; }
.warn { background: #fff4e0; border-left: 4px solid #e69500; padding: .4rem .8rem; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend i { display: inline-block; width: .9rem; height: .9rem; background: var(--c);
  border-radius: 2px; vertical-align: middle; margin-right: .3rem; }
.note { color: #555; font-size: 13px; }
"""


def _colour(outlet: str, labels: list[str]) -> str:
    """An outlet's HTML colour (:mod:`attrib.presentation.palette`)."""
    return outlet_colours(outlet, labels)[1]


def html_report(
    explanation: TextExplanation,
    name: str,
    *,
    profile: ModelExplanation | None = None,
    evaluation: Evaluation | None = None,
    true_outlet: str | None = None,
    overlap: Overlap | None = None,
    notes: Sequence[str] = (),
    title: str | None = None,
    intro: Sequence[str] = (),
) -> str:
    """Render the text with highlighted spans (hover: their n-grams), scores and top features.

    What the terminal says first, the report says first too: an abstention before any score,
    the true outlet when it is known (``true_outlet``), the verbatim ``overlap`` with the
    training corpus, and ``notes`` on the model (outlets it saw one article of). ``intro``
    (HTML) comes first, under ``title`` (the demo's story, :func:`demo_story`).
    """
    labels = list(explanation.prediction.scores)
    e = html.escape
    p = explanation.prediction
    if p.abstained:
        headline = (
            f"{e(name)}: unknown <small>(best guess {e(display_name(p.best))} "
            f"{p.score:.2f})</small>"
        )
    else:
        headline = f"{e(name)}: {e(display_name(p.best))} {p.score:.2f}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>attrib: {e(title or name)}</title><style>{_STYLE}</style></head><body>",
        *(
            [f"<h1>{e(title)}</h1>", *intro, f"<h2>Why {e(name)} got its answer</h2>"]
            if title
            else []
        ),
        f"<h1>{headline}</h1>" if not title else f'<p class="big">{headline}</p>',
        f'<p class="warn"><b>The model abstains:</b> {e(p.reason)}. The scores below are its '
        "best guess, not an answer.</p>"
        if p.reason
        else "",
    ]
    if true_outlet is not None:
        if p.abstained:
            verdict = f"the model gave no answer; its best guess, {display_name(p.best)}, is " + (
                "right" if p.best == true_outlet else "wrong"
            )
        else:
            verdict = "the model's answer is " + ("right" if p.best == true_outlet else "wrong")
        parts.append(
            f'<p class="note"><b>True outlet:</b> {e(display_name(true_outlet))} ({e(verdict)}).'
            "</p>"
        )
    if overlap is not None and overlap.best is not None and overlap.best.share > 0:
        best = overlap.best
        parts.append(
            f'<p class="warn"><b>Verbatim overlap:</b> {best.share:.0%} of this text appears word '
            f"for word in the training corpus ({e(best.document)}, "
            f"{e(display_name(best.outlet))}): evidence of copying, not of style"
            + (", so the scores below mean nothing" if best.share >= 0.5 else "")
            + ".</p>"
        )
    parts += [f'<p class="warn">{e(note)}</p>' for note in notes]
    parts += [
        '<p class="note">Scores are uncalibrated probabilities: they rank the outlets the model '
        "knows, they do not say how often the top one is right.</p>",
        "<h2>Scores</h2>",
    ]
    if explanation.prior_decided:
        parts.insert(
            -1,
            f'<p class="note"><b>The prior decided:</b> the n-grams favour '
            f"{e(display_name(explanation.evidence_favours))}; the intercepts alone turned the "
            f"answer to {e(display_name(p.best))}.</p>",
        )
    for outlet, score in p.scores.items():
        parts.append(_bar(display_name(outlet), score, score, _colour(outlet, labels), "{:.2f}"))
    parts += ["<h2>The text as the model read it</h2>", '<p class="legend">']
    for o in explanation.outlets:
        colour = _colour(o.outlet, labels)
        parts.append(
            f'<span style="--c:{colour}"><i></i>towards {e(display_name(o.outlet))}</span>'
        )
    parts.append('(darker: stronger; hover a highlight for its n-grams)</p><div class="text">')
    parts.append(_highlighted_text(explanation, labels))
    parts.append("</div>")
    for o in explanation.outlets:
        parts.append(
            f"<h2>Why {e(display_name(o.outlet))}: decision {o.decision:+.3f} = prior "
            f"(intercept) {o.intercept:+.3f} + evidence "
            f"{sum(c.contribution for c in o.contributions):+.3f} from the "
            f"{len(o.contributions)} n-grams below</h2>"
        )
        strongest = max((abs(c.contribution) for c in o.contributions), default=1.0) or 1.0
        shown = o.towards(12) + o.away(6)
        for c in shown:
            colour = _colour(o.outlet, labels) if c.contribution > 0 else "#999"
            parts.append(
                _bar(
                    visible(c.feature),
                    abs(c.contribution) / strongest,
                    c.contribution,
                    colour,
                    "{:+.3f}",
                )
            )
    if profile is not None:
        parts.append("<h2>What the model learned: top features per outlet</h2>")
        for outlet_profile in profile.outlets:
            parts.append(
                f"<h3>{e(display_name(outlet_profile.outlet))} "
                f"(style-like {outlet_profile.style_share:.0%} of positive weight)</h3>"
            )
            strongest = max((f.weight for f in outlet_profile.features), default=1.0) or 1.0
            colour = _colour(outlet_profile.outlet, labels)
            for f in outlet_profile.features:
                label = visible(f.feature) + (" (one article)" if f.one_article else "")
                parts.append(_bar(label, f.weight / strongest, f.weight, colour, "{:+.3f}"))
    if evaluation is not None:
        parts += _evaluation(evaluation)
    parts.append(f'<p class="note">Key: {e(KINDS_KEY)}.</p>')
    parts.append('<p class="note">Made by attrib.</p></body></html>')
    return "\n".join(parts)


def _bar(label: str, fraction: float, value: float, colour: str, number: str) -> str:
    width = max(0.0, min(1.0, fraction)) * 20
    return (
        f'<div class="bar" style="--c:{colour}"><span class="label">{html.escape(label)}</span>'
        f'<span class="fill" style="width:{width:.2f}rem"></span>'
        f'<span class="num">{number.format(value)}</span></div>'
    )


def _highlighted_text(explanation: TextExplanation, labels: list[str]) -> str:
    text = explanation.text
    pieces = []
    position = 0
    for h in explanation.highlights():
        pieces.append(html.escape(text[position : h.start]))
        hover = [f"towards {display_name(h.outlet)}:"]
        hover += [f"{visible(feature)}  {value:+.4f}" for feature, value in h.ngrams]
        if h.more:
            hover.append(f"... and {h.more} more")
        pieces.append(
            f'<mark class="l{h.level} o-{html.escape(h.outlet)}" '
            f'style="--c:{_colour(h.outlet, labels)}" title="{html.escape(chr(10).join(hover))}">'
            f"{html.escape(text[h.start : h.end])}</mark>"
        )
        position = h.end
    pieces.append(html.escape(text[position:]))
    return "".join(pieces)


def demo_story(
    summary: dict[str, Any],
    evaluation: Evaluation,
    *,
    with_names: float,
    republished: float,
    held_out: str,
) -> list[str]:
    """The demo's story in plain words, for someone who has never seen a classifier: what was
    done, what each number means in one sentence, and what it shows; the technical tables come
    after it in the report."""
    e = html.escape
    ev = evaluation
    outlets = summary.get("outlets", {})
    rows = "".join(
        f"<tr><td>{e(display_name(o))}</td><td>{s['documents']}</td>"
        f"<td>{s['characters']:,}</td></tr>"
        for o, s in outlets.items()
    )
    luck = (
        "so it did no better than luck"
        if ev.p_value is not None and ev.p_value >= 0.05
        else "so the score is unlikely to be luck"
    )
    p_value = "not computed" if ev.p_value is None else f"{ev.p_value:.2f}"
    return [
        '<p class="big">A computer program reads a news text and guesses which outlet wrote it: '
        "Sputnik, TASS, Press TV or RT. Here is how it learns, how we test it honestly, and how "
        "it can fool itself.</p>",
        "<h2>1. What it learns from</h2>",
        f"<p>Five articles, {len(outlets)} outlets. The program counts short pieces of text "
        "(letters in a row, words, punctuation patterns) and learns which pieces each outlet "
        "uses more than the others.</p>",
        f"<table><tr><th>outlet</th><th>articles</th><th>characters</th></tr>{rows}</table>",
        "<h2>2. The honest test: hide one, guess it</h2>",
        "<p>We hide one article, train on the other four, and ask the program about the hidden "
        f"one; then again for each article. It got <b>{ev.correct} of {len(ev.held_out)}</b> "
        f"right (accuracy {ev.accuracy:.2f}).</p>",
        "<ul>",
        f"<li><b>Ceiling ({ev.ceiling:.2f})</b>: the best score any program could get here. When "
        "the hidden article is its outlet's only one, the program has never seen that outlet, so "
        "it cannot name it.</li>",
        f"<li><b>Attainable</b>: the {ev.attainable} hidden article(s) whose outlet the program "
        "had seen; only those can be got right.</li>",
        f"<li><b>Chance ({ev.chance:.2f})</b>: what picking an outlet at random would score.</li>",
        f"<li><b>p-value ({p_value})</b>: how often a program trained on shuffled, wrong labels "
        f"scores as well; {luck}.</li>",
        f"<li><b>Unknown</b>: {ev.abstentions} time(s) the program said it could not tell "
        "(too little text, or no clear winner). Saying so is better than guessing.</li>",
        "</ul>",
        "<h2>3. How it fools itself: names are not style</h2>",
        f"<p>Allowed to read outlet names, datelines and page furniture, it scored "
        f"<b>{with_names:.2f}</b>; with them hidden (the default), <b>{ev.accuracy:.2f}</b>. A "
        "program that finds “RT” in an RT article has learnt a signature, not a style, and "
        "is useless on copied text where the name was removed.</p>",
        f"<p>On the same articles republished (no dateline, no headline, plain quotes, new line "
        f"breaks, light edits) it scored <b>{republished:.2f}</b>.</p>",
        "<h2>4. The lesson</h2>",
        "<p>Five articles are far too few: with one article per outlet the program can only "
        "memorise that article's topic. Add hundreds of articles per outlet before trusting any "
        "answer. Below, the program explains one hidden article "
        f"({e(held_out)}) word by word; the technical tables come last.</p>",
    ]


def _evaluation(evaluation: Evaluation) -> list[str]:
    ev = evaluation
    attainable = "-" if ev.attainable_accuracy is None else f"{ev.attainable_accuracy:.2f}"
    p_value = "-" if ev.p_value is None else f"{ev.p_value:.3f} ({ev.p_value_method})"
    rows = [
        ("accuracy", f"{ev.accuracy:.2f}"),
        ("attainable accuracy", attainable),
        ("ceiling", f"{ev.ceiling:.2f}"),
        ("chance", f"{ev.chance:.2f}"),
        ("macro-F1", f"{ev.macro_f1:.2f}"),
        ("p-value", p_value),
    ]
    parts = [
        f"<h2>Evaluation: {html.escape(ev.scheme)} on {len(ev.held_out)} {ev.unit}s</h2><table>",
        *(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows),
        "</table>",
    ]
    parts += [f'<p class="note">{html.escape(w)}</p>' for w in ev.warnings]
    return parts


_SCAN_STYLE = """
.seg { background: var(--c); background: color-mix(in srgb, var(--c) 22%, white);
  border-radius: 3px; }
.seg:hover { background: color-mix(in srgb, var(--c) 40%, white); }
.tag { font: 600 11px/1.2 system-ui, sans-serif; color: white; background: var(--c);
  border-radius: 3px; padding: 1px 4px; margin-right: 3px; white-space: nowrap; }
"""


def scan_report(scans: Sequence[tuple[str, Scan]], labels: list[str]) -> str:
    """Scanned texts drawn with each segment's background in its outlet's colour (grey for
    unknown), a tag at each segment's start, a legend, and each segment's scores on hover and
    in a table."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>attrib scan</title><style>{_STYLE}{_SCAN_STYLE}</style></head><body>",
        "<h1>attrib scan: which passages read like which outlet</h1>",
        '<p class="note">Each passage is scored whole, as <code>attrib predict</code> would score '
        "it; <i>unknown</i> means the model declines to name an outlet (too short, too unlike its "
        "training corpus, or no clear winner). Scores are uncalibrated: they rank the outlets, "
        "they do not say how often the top one is right. Boundaries fall at paragraph breaks and "
        "sentence ends; a passage much shorter than half a window is not found.</p>",
        '<p class="legend">',
        *(
            f'<span style="--c:{_colour(outlet, labels)}"><i></i>{e(display_name(outlet))}</span>'
            for outlet in labels
        ),
        f'<span style="--c:{NEUTRAL[1]}"><i></i>unknown</span>',
        "(hover a passage for its scores)</p>",
    ]
    for name, found in scans:
        parts.append(
            f"<h2>{e(printable(name))}: {e(answer_words(found.prediction, runner_up=False))}</h2>"
        )
        spans = []  # one line: the text is laid out as it is (pre-wrap)
        for number, segment in enumerate(found.segments, 1):
            colour = _segment_colour(segment, labels)
            hover = _segment_hover(number, segment)
            tag = e(_tag(segment))
            body = e(printable(found.text[segment.start : segment.end]))
            spans.append(
                f'<span class="seg o-{e(segment.outlet)}" style="--c:{colour}" '
                f'title="{e(hover)}"><span class="tag">{tag}</span>{body}</span>'
            )
        parts.append(f'<div class="text">{"".join(spans)}</div>')
        parts.append(
            "<table><tr><th>#</th><th>characters</th><th>words</th><th>answer</th>"
            "<th>runner-up</th><th>verbatim in the training corpus</th></tr>"
        )
        for number, segment in enumerate(found.segments, 1):
            p = segment.prediction
            verbatim = (
                f"{segment.overlap.share:.0%} of it in {e(segment.overlap.document)}"
                if segment.overlap is not None
                else ""
            )
            parts.append(
                f"<tr><td>{number}</td><td>{segment.start}–{segment.end}</td>"
                f"<td>{segment.words}</td><td>{e(answer_words(p, runner_up=False))}</td>"
                f"<td>{e(display_name(p.runner_up))} {p.scores[p.runner_up]:.2f}</td>"
                f"<td>{verbatim}</td></tr>"
            )
        parts.append("</table>")
    parts.append('<p class="note">Made by attrib.</p></body></html>')
    return "\n".join(parts)


def _segment_colour(segment: Segment, labels: list[str]) -> str:
    return NEUTRAL[1] if segment.prediction.abstained else _colour(segment.outlet, labels)


def _tag(segment: Segment) -> str:
    p = segment.prediction
    return "unknown" if p.abstained else f"{display_name(p.outlet)} {p.score:.2f}"


def _segment_hover(number: int, segment: Segment) -> str:
    p = segment.prediction
    lines = [f"passage {number}: characters {segment.start}–{segment.end}, {segment.words} words"]
    if p.abstained:
        lines.append(f"unknown: {p.reason}")
    lines += [f"{display_name(outlet)}  {score:.2f}" for outlet, score in p.scores.items()]
    if segment.overlap is not None:
        lines.append(
            f"{segment.overlap.share:.0%} verbatim in {segment.overlap.document} (copying, not "
            "style)"
        )
    return printable("\n".join(lines))
