"""The ``attrib explain`` and ``attrib demo`` commands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from attrib.cli.common import (
    MODEL_OPTION,
    TRUST_OPTION,
    progress,
    table_option,
    user_errors,
)
from attrib.outlets import display_name
from attrib.presentation.printable import one_field
from attrib.storage.files import check_output, write_atomically


def _use_colour(choice: str) -> bool:
    """``always``, ``never``, or ``auto``: on a terminal, unless ``NO_COLOR`` is set
    (https://no-color.org)."""
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


COLOR_OPTION = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the highlighted text (auto: when printing to a terminal and NO_COLOR is not set).",
)


@click.command()
@click.argument("path", required=False, metavar="[PATH | -]")
@MODEL_OPTION
@table_option("--top", name="top", help="Features per outlet.")
@click.option(
    "--outlet",
    "outlets",
    multiple=True,
    help="Outlet to explain (repeatable); default: all outlets, or for a text the "
    "predicted outlet and the runner-up.",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    help="The training corpus, for examples and stability (default: the path saved "
    "in the model, if it still holds the same corpus).",
)
@click.option(
    "--no-stability",
    is_flag=True,
    help="Skip the leave-one-out stability counts (one model fit per document).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With PATH: also write a self-contained HTML report to this file.",
)
@click.option(
    "--with-evaluation",
    is_flag=True,
    help="With --html: add the leave-one-out evaluation of the training corpus.",
)
@COLOR_OPTION
@TRUST_OPTION
def explain(
    path: str | None,
    model_path: Path | None,
    top: int,
    outlets: tuple[str, ...],
    corpus: Path | None,
    no_stability: bool,
    as_json: bool,
    html_path: Path | None,
    with_evaluation: bool,
    color: str,
    trust: bool,
) -> None:
    """Show what each outlet's style looks like to the model, or why a text got its label.

    Without PATH: each outlet's top features (character, word, punctuation and shape
    n-grams), typed as style-like or topic-like, with an example from the training corpus and
    how many leave-one-out folds keep them. With PATH (a file, or - for standard input): the
    prediction and every n-gram's exact contribution to it (value x weight; they add up, with
    the intercept, to the model's decision value), and the text with the spans that drove the
    decision highlighted.

    \b
    Examples:
      attrib explain                         # every outlet's top 10 features
      attrib explain --outlet rt --top 25
      attrib explain article.txt             # why this label?
      attrib explain article.txt --html report.html --with-evaluation
      cat article.txt | attrib explain --json -
    """
    from attrib.explanation.explain import (
        explain_model,
        explain_text,
        training_corpus_or_none,
    )
    from attrib.presentation.terminal import model_profile, overlap_line, text_explanation
    from attrib.reading.texts import STDIN, read_stdin, read_text
    from attrib.storage.modelfile import DEFAULT_MODEL_PATH, load_model

    if path is None and (html_path is not None or with_evaluation):
        raise click.BadParameter(
            "--html and --with-evaluation need a PATH to explain", param_hint="--html"
        )
    model_path = model_path or DEFAULT_MODEL_PATH
    protect: list[tuple[str, Any]] = [("the model", model_path)]
    if path is not None and path != STDIN:
        protect.append(("the text being explained", path))
    with user_errors():
        if html_path is not None:  # refuse before any work
            check_output(html_path, protect=protect)
        model = load_model(model_path, trust=trust)
        if path is None:
            with progress("stability") as update:
                profile = explain_model(
                    model,
                    top=top,
                    outlets=list(outlets) or None,
                    corpus=corpus,
                    stability=not no_stability,
                    progress=update,
                )
            if as_json:
                click.echo(json.dumps(profile.to_dict(), indent=2))
            else:
                click.echo(model_profile(profile))
            return
        text = read_stdin() if path == STDIN else read_text(path)
        name = "standard input" if path == STDIN else path
        explanation = explain_text(model, text, list(outlets) or None)
        # Loaded once, for the overlap, the profile and the evaluation.
        training = training_corpus_or_none(model, corpus)
        verbatim = None
        if training is not None:
            from attrib.explanation.overlap import ShingleIndex

            verbatim = ShingleIndex(training).overlap(text)
        if as_json:
            data = explanation.to_dict()
            data["overlap"] = None if verbatim is None else verbatim.to_dict()
            data["open_set"] = model.metadata.get("open_set")  # the thresholds and their source
            click.echo(json.dumps(data, indent=2))
        else:
            if verbatim is not None:
                click.echo(overlap_line(verbatim))
            colour = _use_colour(color)
            click.echo(text_explanation(explanation, name, colour=colour), color=colour or None)
        if html_path is not None:
            from attrib.presentation.html import html_report

            evaluation = None
            if with_evaluation:
                from attrib.evaluation.evaluate import evaluate

                with progress("evaluating") as update:
                    evaluation = evaluate(
                        training or corpus or model.metadata["corpus"]["path"],
                        progress=update,
                        **model.options,
                    )
            profile = explain_model(model, top=top, corpus=training or corpus, stability=False)
            report = html_report(
                explanation,
                name,
                profile=profile,
                evaluation=evaluation,
                true_outlet=_label_in(training, path),
                overlap=verbatim,
                notes=single_article_notes(model.metadata.get("corpus", {})),
            )
            write_atomically(html_path, report.encode("utf-8"), protect=protect)
            click.echo(f"Wrote the report to {one_field(str(html_path))}", err=True)


def _why_this_article(name: str, outlet: str, rest: Any, prediction: Any) -> str:
    """Why the demo explains this article, and what its answer teaches."""
    others = sum(d.label == outlet for d in rest.documents)
    if not others:
        why = (
            f"  {display_name(outlet)} has no other article, so the model that explains {name}\n"
            f"  cannot name its outlet at all: watch what it guesses instead."
        )
    else:
        why = (
            f"  {name} is chosen because its outlet, {display_name(outlet)}, keeps "
            f"{others} other article{'s' if others > 1 else ''}\n"
            "  in training: the only kind of held-out article here whose outlet the model can name."
        )
    if prediction.abstained:
        why += (
            "\n  Even so the model abstains (the reason is on the next line): that is the lesson."
            "\n  One article per outlet holds too little style to name a new text's outlet, and"
            "\n  a model that says so is more use than one that guesses."
        )
    elif prediction.best == outlet:
        why += "\n  It names the right outlet; the evidence below shows which n-grams did it."
    else:
        why += (
            f"\n  It names {display_name(prediction.best)}, wrongly: the evidence below shows "
            "what misled it."
        )
    return why


def _label_in(training: Any, path: str | None) -> str | None:
    """The outlet of ``path`` when it is a document of the training corpus, else None."""
    if training is None or path is None or path == "-":
        return None
    for document in training.documents:
        try:
            if os.path.samefile(document.path, path):
                return str(document.label)
        except OSError:
            continue
    return None


def single_article_notes(corpus: dict[str, Any]) -> list[str]:
    """A note naming the outlets a model saw one article of (from a corpus summary)."""
    outlets = corpus.get("outlets") or {}
    single = [o for o, stats in outlets.items() if (stats or {}).get("documents") == 1]
    if not single:
        return []
    names = ", ".join(display_name(o) for o in single)
    which = "that outlet" if len(single) == 1 else "those outlets"
    return [
        f"The model saw one article of {names}: for {which} it can only have learnt that "
        "article's topic and wording, not a style."
    ]


@click.command()
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("attrib-demo.html"),
    show_default=True,
    help="Where to write the HTML report.",
)
@click.option(
    "--held-out",
    default="rt/004_34bca788bfde8d69.txt",
    show_default=True,
    help="The bundled article to hold out and explain.",
)
@COLOR_OPTION
def demo(html_path: Path, held_out: str, color: str) -> None:
    """Tell the whole story on the bundled corpus, in under a minute.

    The corpus; leave-one-out with its honest ceiling; what masking signatures changes; the
    top features per outlet; why one held-out article got its label; and an HTML report. It
    saves no model.

    \b
    Examples:
      attrib demo
      attrib demo --html /tmp/demo.html --color never
    """
    from attrib.evaluation.evaluate import evaluate
    from attrib.evaluation.republished import evaluate_republished
    from attrib.explanation.explain import explain_model, explain_text
    from attrib.modeling.training import train
    from attrib.presentation.html import demo_story, html_report
    from attrib.presentation.terminal import (
        corpus_table,
        evaluation_report,
        model_profile,
        text_explanation,
    )
    from attrib.reading.corpus import Corpus, load_corpus
    from attrib.republish import ALL

    colour = _use_colour(color)

    def heading(text: str) -> None:
        click.echo(
            "\n" + (click.style(text, bold=True) if colour else text) + "\n", color=colour or None
        )

    with user_errors():
        check_output(html_path)
        corpus = load_corpus()
        heading("1. The corpus: five articles, four outlets")
        click.echo(corpus_table(corpus.summary()))
        for note in corpus.notes():
            click.echo(f"note: {note}")

        heading("2. Leave-one-out: each article predicted by a model trained on the other four")
        with progress("evaluating") as update:
            evaluation = evaluate(corpus, progress=update)
        click.echo(evaluation_report(evaluation))

        heading("3. Signatures or style? The same evaluation, letting the model read names")
        raw = evaluate(corpus, mask="none", permutations=0)
        click.echo(
            f"  --mask none (names, datelines, page furniture): accuracy {raw.accuracy:.2f}\n"
            f"  --mask signatures (the default):                accuracy "
            f"{evaluation.accuracy:.2f}\n\n"
            "  With names and page furniture, the two RT articles find each other through\n"
            "  rt.com's icon strip and 'READ MORE' links; masked, that shortcut is gone.\n"
            "  Five articles hold too little style to learn."
        )
        republished = evaluate_republished(corpus, transforms={"all": ALL}, baseline=False)
        combined = republished.row("all")
        click.echo(
            f"  Republished (no dateline, headline or curly quotes; re-flowed, lightly edited):\n"
            f"  accuracy {combined.accuracy:.2f} against {republished.row('none').accuracy:.2f} "
            "as published (attrib evaluate --republish)."
        )

        heading("4. What the model learned from all five articles")
        model = train(corpus)
        click.echo(model_profile(explain_model(model, top=5, corpus=corpus)))

        documents = [
            d for d in corpus.documents if d.path.relative_to(corpus.root).as_posix() == held_out
        ]
        if not documents:
            raise click.BadParameter(f"no bundled article {held_out}", param_hint="--held-out")
        document = documents[0]
        rest = Corpus(corpus.root, tuple(d for d in corpus.documents if d is not document))
        heading(f"5. Why {held_out} got its label, from a model that never saw it")
        held_model = train(rest)
        explanation = explain_text(held_model, document.text)
        click.echo(_why_this_article(held_out, document.label, rest, explanation.prediction))
        click.echo(
            text_explanation(explanation, held_out, top=6, colour=colour), color=colour or None
        )

        heading("6. The report")
        profile = explain_model(held_model, top=10, corpus=rest, stability=False)
        story = demo_story(
            corpus.summary(),
            evaluation,
            with_names=raw.accuracy,
            republished=combined.accuracy,
            held_out=held_out,
        )
        report = html_report(
            explanation,
            held_out,
            profile=profile,
            evaluation=evaluation,
            true_outlet=document.label,
            notes=single_article_notes(rest.summary()),
            title="attrib: which outlet wrote it, and how a classifier fools itself",
            intro=story,
        )
        write_atomically(html_path, report.encode("utf-8"))
        click.echo(
            f"Wrote {one_field(str(html_path))}: open it in a browser and hover the highlights."
        )
