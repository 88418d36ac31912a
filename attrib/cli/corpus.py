"""The ``attrib corpus`` commands: check a corpus for near-duplicates, add articles to one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from attrib.cli.common import table_option, user_errors
from attrib.presentation.printable import one_field
from attrib.presentation.terminal import display_name


@click.group()
def corpus() -> None:
    """Look after a corpus: find near-duplicates, add articles.

    \b
    Examples:
      attrib corpus check my-corpus/
      attrib corpus add tass ~/Downloads/tass-*.txt --corpus my-corpus/
    """


@corpus.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), metavar="[CORPUS]")
@table_option(
    "--threshold",
    name="duplicate_threshold",
    help="Report pairs where one document holds at least this share of the other's word 8-grams.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
def check(path: Path | None, threshold: float, as_json: bool) -> None:
    """List near-duplicate documents in CORPUS (default: the bundled corpus).

    Duplicates inflate leave-one-out accuracy: the held-out copy finds its twin. A pair under
    two outlets is a labelling problem or republished copy. Exit code 0 either way.

    \b
    Examples:
      attrib corpus check
      attrib corpus check my-corpus/ --threshold 0.3 --json
    """
    from attrib.explanation.overlap import ShingleIndex
    from attrib.reading.corpus import load_corpus

    with user_errors():
        loaded = load_corpus(path)
        pairs = ShingleIndex(loaded).near_duplicates(threshold)
    if as_json:
        records = [
            {"a": vars(a), "b": vars(b), "containment": c, "across_outlets": a.outlet != b.outlet}
            for a, b, c in pairs
        ]
        click.echo(json.dumps({"corpus": str(loaded.root), "pairs": records}, indent=2))
        return
    click.echo(
        f"{len(loaded.documents)} documents in {one_field(str(loaded.root))}: {len(pairs)} "
        f"near-duplicate pair(s) at a threshold of {threshold:.0%}"
    )
    for a, b, _ in pairs:
        across = "  ACROSS OUTLETS" if a.outlet != b.outlet else ""
        click.echo(
            f"  {a.share:4.0%} of {one_field(a.document)} ({display_name(a.outlet)}) is in "
            f"{one_field(b.document)} ({display_name(b.outlet)}), {b.share:.0%} the other "
            f"way{across}"
        )


@corpus.command()
@click.argument("outlet")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--corpus",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("corpus"),
    show_default=True,
    help="The corpus directory to add to.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines, one object per file.")
def add(outlet: str, files: tuple[Path, ...], root: Path, as_json: bool) -> None:
    """Copy FILES into the corpus as articles by OUTLET, never overwriting anything.

    Each file is read (UTF-8, or UTF-16/UTF-8 with a byte-order mark) and written as UTF-8 to
    CORPUS/OUTLET/, under its own name or, if taken, a numbered one. A text already in the
    corpus is reported as a duplicate and not copied. Exit code 1 if any file could not be
    added (duplicates are not failures).

    \b
    Examples:
      attrib corpus add rt article1.txt article2.txt
      attrib corpus add sputnik downloads/*.txt --corpus my-corpus/
    """
    from attrib.reading.adding import add_documents

    with user_errors():
        results = add_documents(root, outlet, list(files))
    for result in results:
        if as_json:
            click.echo(json.dumps(result.to_dict()))
        else:
            click.echo(f"{result.status}: {one_field(result.source)}: {one_field(result.detail)}")
    if any(r.status == "error" for r in results):
        sys.exit(1)
