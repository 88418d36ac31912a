"""The ``attrib model`` commands: say what a model file holds, convert an old one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from attrib.cli.common import user_errors
from attrib.presentation.printable import one_field
from attrib.presentation.terminal import display_name


@click.group()
def model() -> None:
    """Look after model files: what one holds, and converting old ones.

    Model files are data (arrays and a JSON header, no code): a file from anyone loads without
    --trust and gives the same scores on any machine.

    \b
    Examples:
      attrib model info models/attrib.npz
      attrib model convert old.joblib models/attrib.npz
    """


@model.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def info(path: Path, as_json: bool) -> None:
    """Say what the model file PATH was trained on and how, from its header alone.

    No array is loaded and nothing in the file runs, so this is safe on any file. The model's
    arrays are checked when it is loaded (attrib predict, explain, evaluate --test).

    \b
    Examples:
      attrib model info models/attrib.npz
      attrib model info models/attrib.npz --json | jq .corpus.fingerprint
    """
    from attrib.storage.modelfile import describe

    with user_errors():
        described = describe(path)
    if as_json:
        click.echo(json.dumps(described, indent=2))
        return
    click.echo(_summary(described))


def _summary(described: dict[str, Any]) -> str:
    corpus = described.get("corpus") or {}
    outlets = corpus.get("outlets") or {}
    training = described["training"]
    kind = (
        "data (loads anywhere, without --trust)"
        if described["kind"] == "data"
        else "an old-format pickle: loads only if this installation signed it, or with --trust; "
        "convert it with `attrib model convert`"
    )
    lines = [
        f"{one_field(described['path'])}: {described['bytes']:,} bytes, format "
        f"{described['format']}, {kind}",
        "outlets: "
        + ", ".join(display_name(str(label)) for label in described.get("labels") or []),
        f"trained: {one_field(str(described.get('created')))} with attrib "
        f"{one_field(str(described.get('attrib_version')))} (scikit-learn "
        f"{one_field(str(described.get('sklearn_version')))}), "
        + (
            "in bounded memory (hashed features, no n-gram names)"
            if training.get("mode") == "bounded"
            else "in memory"
        ),
        f"corpus: {one_field(str(corpus.get('path')))}, {corpus.get('documents')} documents "
        f"(fingerprint {str(corpus.get('fingerprint'))[:12]})",
    ]
    for outlet, stats in outlets.items():
        if isinstance(stats, dict):
            lines.append(
                f"  {display_name(str(outlet)):<10} {stats.get('documents')} documents, "
                f"{stats.get('characters'):,} characters"
            )
    options = described.get("options") or {}
    lines.append(
        "options: " + ", ".join(f"{k}={one_field(json.dumps(v))}" for k, v in options.items())
    )
    open_set = described.get("open_set") or {}
    thresholds = open_set.get("thresholds") or {}
    if thresholds:
        lines.append(
            "abstains below: "
            + ", ".join(f"{k}={v}" for k, v in thresholds.items())
            + f" ({one_field(str(open_set.get('how', 'defaults')))})"
        )
    for view in described.get("views") or []:
        lines.append(
            f"view {one_field(str(view['name']))}: {one_field(str(view['view']))} "
            f"{view['ngram_range'][0]}-{view['ngram_range'][1]}-grams, "
            f"{view['features']:,} features"
            + (f" (hashed, 2**{view['hash_bits']})" if view.get("hash_bits") else "")
        )
    return "\n".join(lines)


@model.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--trust",
    is_flag=True,
    help="Convert a file this installation did not sign. Converting loads the old file's "
    "pickle, which runs code from it: use only for files whose origin you know.",
)
@click.option("--force", is_flag=True, help="Replace NEW even if it holds another model.")
def convert(old: Path, new: Path, trust: bool, force: bool) -> None:
    """Rewrite OLD, a model file of attrib 0.1 (a pickle), as a data file NEW.

    Converting means loading OLD's pickle, which runs code from the file: attrib does it only
    for a file this installation signed (one you trained here), or with --trust. NEW loads
    anywhere without --trust and gives the same scores. OLD is left as it is.

    \b
    Examples:
      attrib model convert models/attrib.joblib models/attrib.npz
      attrib model convert colleague.joblib colleague.npz --trust
    """
    from attrib.storage.modelfile import convert_model, describe

    with user_errors():
        kind = describe(old)["kind"]
        if kind == "pickle":
            click.echo(
                f"{one_field(str(old))} is an old-format file: converting it loads its pickle, "
                "which runs code from the file; attrib does that only for a file this "
                "installation signed, or with --trust",
                err=True,
            )
        written = convert_model(old, new, trust=trust, overwrite=force)
    if kind == "data":
        click.echo(
            f"{one_field(str(old))} was already a data file; copied it to {one_field(str(written))}"
        )
    else:
        click.echo(f"Converted {one_field(str(old))} to {one_field(str(written))} (data, no code)")
