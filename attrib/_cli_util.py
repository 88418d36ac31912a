"""Helpers shared by the command modules: errors, warnings, progress and shared options."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from attrib.errors import AttribError, AttribWarning

MASK_OPTION = click.option(
    "--mask",
    type=click.Choice(["none", "signatures", "distort"]),
    default="signatures",
    show_default=True,
    help="What the model may read: the raw text, the text with outlet signatures masked, or "
    "a distorted text (function words and punctuation only).",
)
MODEL_OPTION = click.option(
    "-m",
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Model file (default: models/attrib.joblib under the current directory).",
)
TRUST_OPTION = click.option(
    "--trust",
    is_flag=True,
    help="Load a model file that this installation did not write. Loading runs code from the "
    "file: use only for files whose origin you know.",
)


def jobs_option(help: str) -> Callable[[Any], Any]:
    """The ``-j/--jobs`` option: a number of processes, or -1 for one per core (never 0)."""

    def check(context: click.Context, parameter: click.Parameter, value: int) -> int:
        if value == 0:
            raise click.BadParameter("must be a number of processes, or -1")
        return value

    return click.option(
        "-j", "--jobs", type=int, default=1, show_default=True, callback=check, help=help
    )


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into one-line messages and library warnings into stderr lines."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, AttribWarning):
            click.echo(f"warning: {message}", err=True)
        else:
            original(message, category, *args, **kwargs)

    original = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    except AttribError as error:
        raise click.ClickException(str(error)) from None
    finally:
        warnings.showwarning = original


def check_plotting() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise click.ClickException("--plot needs matplotlib: pip install 'attrib[plot]'") from None


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when stderr is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_eta=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
