"""The ``attrib corpus`` commands: check a corpus, add articles to it, fetch them from the web."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from attrib.cli.common import INTERRUPTED, jobs_option, table_option, user_errors
from attrib.presentation.printable import one_field
from attrib.presentation.terminal import display_name

CORPUS_OPTION = click.option(
    "--corpus",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("corpus"),
    show_default=True,
    help="The corpus directory to add to.",
)


@click.group()
def corpus() -> None:
    """Look after a corpus: find near-duplicates, add articles, fetch them from the web.

    \b
    Examples:
      attrib corpus check my-corpus/
      attrib corpus add tass ~/Downloads/tass-*.txt --corpus my-corpus/
      attrib corpus fetch tass https://tass.com/rss/v2.xml --corpus my-corpus/ --limit 200
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
    """List near-duplicate documents in CORPUS (default: the bundled corpus), and say how
    many have provenance and whether outlets are balanced.

    Duplicates inflate leave-one-out accuracy: the held-out copy finds its twin. A pair under
    two outlets is a labelling problem or republished copy. Rows of manifest.csv whose files
    are gone are removed. Exit code 0 either way.

    \b
    Examples:
      attrib corpus check
      attrib corpus check my-corpus/ --threshold 0.3 --json
    """
    from attrib.explanation.overlap import ShingleIndex
    from attrib.reading.corpus import load_corpus
    from attrib.reading.manifest import prune_manifest

    with user_errors():
        loaded = load_corpus(path)
        pairs = ShingleIndex(loaded).near_duplicates(threshold)
        removed = prune_manifest(loaded.root) if path is not None else []
        provenance = loaded.provenance()
    if as_json:
        records = [
            {"a": vars(a), "b": vars(b), "containment": c, "across_outlets": a.outlet != b.outlet}
            for a, b, c in pairs
        ]
        described = {
            "corpus": str(loaded.root),
            "pairs": records,
            "notes": loaded.notes(),
            "provenance": provenance,
            "manifest_rows_removed": removed,
        }
        click.echo(json.dumps(described, indent=2))
        return
    click.echo(
        f"{len(loaded.documents)} documents in {one_field(str(loaded.root))}: {len(pairs)} "
        f"near-duplicate pair(s) at a threshold of {threshold:.0%}"
    )
    click.echo(_provenance_line(provenance))
    for file in removed:
        click.echo(f"  manifest: removed the row of {one_field(file)} (the file is gone)")
    for note in loaded.notes():
        click.echo(f"  note: {one_field(note)}")
    for a, b, _ in pairs:
        across = "  ACROSS OUTLETS" if a.outlet != b.outlet else ""
        click.echo(
            f"  {a.share:4.0%} of {one_field(a.document)} ({display_name(a.outlet)}) is in "
            f"{one_field(b.document)} ({display_name(b.outlet)}), {b.share:.0%} the other "
            f"way{across}"
        )


def _provenance_line(provenance: dict[str, Any]) -> str:
    """How many documents have provenance, in a line."""
    if provenance["manifest"] == "none":
        return "provenance: none recorded (no manifest.csv; attrib corpus add and fetch write one)"
    if provenance["manifest"] in ("foreign", "unreadable"):
        why = (
            "was not written by attrib" if provenance["manifest"] == "foreign" else "is unreadable"
        )
        return f"provenance: none known (manifest.csv {why})"
    line = (
        f"provenance: {provenance['with_provenance']} of {provenance['documents']} documents "
        "have a URL in manifest.csv"
    )
    if provenance["changed"]:
        line += f"; {provenance['changed']} changed since (their text no longer matches)"
    return line


@corpus.command()
@click.argument("outlet")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@CORPUS_OPTION
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


@corpus.command()
@click.argument("outlet")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@CORPUS_OPTION
@click.option("--limit", type=click.IntRange(min=1), help="Stop once this many are added.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Skip articles published before this day (YYYY-MM-DD).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0, max=600),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to one site (more if its robots.txt asks).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=600),
    default=20.0,
    show_default=True,
    help="Seconds a request may take, in all.",
)
@click.option(
    "--max-size",
    type=click.FloatRange(min=0.01, max=100),
    default=5.0,
    show_default=True,
    help="Largest page read, in MB; larger ones are refused.",
)
@jobs_option("Sites fetched from at the same time; one request at a time per site, always.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary at the end.")
def fetch(
    outlet: str,
    sources: tuple[str, ...],
    root: Path,
    limit: int | None,
    since: datetime | None,
    delay: float,
    timeout: float,
    max_size: float,
    jobs: int,
    as_json: bool,
) -> None:
    """Collect articles by OUTLET from the web into the corpus, with where each came from.

    SOURCE is an RSS or Atom feed URL, a sitemap URL, an article's URL, or a file of URLs (one
    per line; - reads them from standard input). Each article is fetched (robots.txt honoured,
    one request at a time per site), its headline and body extracted (no menus, links or
    comments) and added to CORPUS/OUTLET/ as by attrib corpus add, with a row in
    CORPUS/manifest.csv. URLs already in the manifest and texts already in the corpus are
    skipped, so a stopped fetch continues where it stopped when run again. Exit code 0 when
    the sources were read (failed articles are listed), 1 if a source cannot be read, 130 if
    stopped.

    \b
    Examples:
      attrib corpus fetch tass https://tass.com/rss/v2.xml --limit 200
      attrib corpus fetch rt https://www.rt.com/sitemap.xml --since 2024-01-01
      attrib corpus fetch sputnik urls.txt --corpus my-corpus/ --json
    """
    try:
        import trafilatura  # noqa: F401  (the extraction, imported by the library when used)

        from attrib.fetching.collect import Summary, collect
        from attrib.fetching.http import Limits
    except ImportError as error:
        raise click.ClickException(
            f"attrib corpus fetch needs the fetch extra ({error.name} is missing): "
            "pip install 'attrib[fetch]'"
        ) from None
    from attrib.reading.texts import list_lines

    summary = Summary(str(root), outlet, list(sources))
    show = _FetchProgress(outlet) if sys.stderr.isatty() and not as_json else None
    try:
        with user_errors():
            collect(
                root,
                outlet,
                sources,
                limit=limit,
                since=since.date() if since else None,
                delay=delay,
                jobs=jobs,
                limits=Limits(timeout=timeout, max_bytes=int(max_size * 1024 * 1024)),
                read_lines=list_lines,
                on_item=show,
                summary=summary,
            )
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if show is not None:
            show.done()
    _report_fetch(summary, as_json)
    if summary.interrupted:
        click.echo("stopped; run the same command again to continue where it stopped", err=True)
        sys.exit(INTERRUPTED)


class _FetchProgress:
    """One status line on stderr, rewritten after each article."""

    def __init__(self, outlet: str) -> None:
        self.outlet = outlet
        self.shown = False

    def __call__(self, summary: Any) -> None:
        counts = summary.counts()
        line = (
            f"\r{one_field(self.outlet)}: {len(summary.items)}/{summary.listed} "
            f"· {summary.fetched} fetched · {counts['added']} added · "
            f"{counts['duplicate'] + counts['known']} skipped · {counts['robots']} robots · "
            f"{counts['failed']} failed "
        )
        click.echo(line, nl=False, err=True)
        self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo(err=True)


def _report_fetch(summary: Any, as_json: bool) -> None:
    """The fetch's summary: JSON, or the articles not added and a line of counts."""
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
        return
    for item in summary.items:
        if item.status in ("robots", "failed"):
            click.echo(f"{item.status}: {one_field(item.url)}: {one_field(item.detail)}")
    counts = summary.counts()
    click.echo(
        f"{one_field(display_name(summary.outlet))}: {summary.listed} listed, "
        f"{summary.fetched} fetched; {counts['added']} added, {counts['duplicate']} duplicate, "
        f"{counts['known']} already in the manifest, {counts['old']} too old, "
        f"{counts['robots']} refused by robots.txt, {counts['failed']} failed"
    )
