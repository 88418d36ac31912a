"""The ``attrib scan`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from attrib.cli.common import (
    MODEL_OPTION,
    TRUST_OPTION,
    progress,
    stdin_is_terminal,
    table_option,
    user_errors,
)
from attrib.errors import CorpusError, InputError
from attrib.presentation.printable import one_field
from attrib.storage.files import check_output, write_atomically


@click.command()
@click.argument("inputs", nargs=-1, metavar="[PATH... | -]")
@MODEL_OPTION
@table_option("--window", name="window", help="Words per window.")
@table_option("--step", name="step", help="Words between the starts of two windows.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines: one object per input.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML page drawing each passage in its outlet's colour.",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    help="The training corpus, for verbatim overlap (default: the path saved in the model; "
    "without it, overlap is not checked).",
)
@TRUST_OPTION
def scan(
    inputs: tuple[str, ...],
    model_path: Path | None,
    window: int,
    step: int,
    as_json: bool,
    html_path: Path | None,
    corpus: Path | None,
    trust: bool,
) -> None:
    """Find the passages of a long text that read like an outlet.

    A window slides over each text; neighbouring windows that read like the same outlet are
    merged into passages, cut at paragraph breaks or sentence ends, and each passage is then
    scored whole, as predict would score it: an outlet, or "unknown" (too short, too unlike
    the training corpus, or no clear winner). Passages cover the text without gaps; a text of
    one voice comes back as one passage. Plain output: the whole text's answer, then one line
    per passage with its character range, answer, runner-up, words, verbatim overlap with
    the training corpus if any, and its first words.

    PATH is a text file, a directory (every .txt file in its tree), or - for standard input
    (read without - too when standard input is a pipe). Scores are uncalibrated; a passage
    much shorter than half a window (50 words by default) is not found.

    \b
    Examples:
      attrib scan blog-post.txt
      attrib scan blog-post.txt --html passages.html
      cat thread.txt | attrib scan --json -
      attrib scan --window 150 --step 30 long-article.txt

    \b
    JSON Lines fields: path, outlet (the whole text's answer), score, runner_up, reason,
    window, step, segments [{start, end, outlet, score, runner_up, overlap {document, outlet,
    share} or null, words, scores, reason}]; or path and error for an input that could not
    be read. start and end are character offsets into the text as read (after decoding).
    """
    from attrib.explanation.overlap import ShingleIndex
    from attrib.explanation.scan import scan as scan_text
    from attrib.presentation.terminal import scan_lines
    from attrib.reading.texts import STDIN, expand_inputs
    from attrib.storage.modelfile import DEFAULT_MODEL_PATH, load_model

    if not inputs:
        if stdin_is_terminal():
            raise click.UsageError("give a PATH, or - for standard input")
        inputs = (STDIN,)
    if inputs.count(STDIN) > 1:
        raise click.UsageError("standard input can be read once; give - once")
    if step > window:
        raise click.BadParameter(f"must not exceed --window ({window})", param_hint="--step")
    model_path = model_path or DEFAULT_MODEL_PATH
    protect: list[tuple[str, Any]] = [("the model", model_path)]
    protect += [("a text being scanned", path) for path in inputs if path != STDIN]
    failed = 0
    scanned = []
    with user_errors():
        if html_path is not None:  # refuse before any work
            check_output(html_path, protect=protect)
        model = load_model(model_path, trust=trust)
        index = None
        try:
            index = ShingleIndex(model.training_corpus(corpus))
        except CorpusError as error:
            if corpus is not None:  # asked for on purpose: an error
                raise
            click.echo(f"note: verbatim overlap is not checked: {one_field(str(error))}", err=True)
        for source in expand_inputs(inputs):
            try:
                text = source.read()
            except InputError as error:
                failed += 1
                if as_json:
                    click.echo(json.dumps({"path": source.name, "error": str(error)}))
                else:
                    click.echo(f"error: {one_field(str(error))}", err=True)
                continue
            name = "standard input" if source.name == STDIN else source.name
            with progress(f"scanning {one_field(name)}") as update:
                found = scan_text(
                    model, text, window=window, step=step, overlap=index, progress=update
                )
            if as_json:
                click.echo(json.dumps({"path": source.name, **found.to_dict()}))
            else:
                click.echo("\n".join(scan_lines(found, name)))
            if html_path is not None:
                scanned.append((name, found))
        if html_path is not None and scanned:
            from attrib.presentation.html import scan_report

            page = scan_report(scanned, model.labels)
            write_atomically(html_path, page.encode("utf-8"), protect=protect)
            click.echo(f"Wrote the page to {one_field(str(html_path))}", err=True)
        elif html_path is not None:
            click.echo("No page written: no input could be read", err=True)
    if failed:
        click.echo(f"error: {failed} input(s) could not be read", err=True)
        sys.exit(1)
