"""Helpers shared by the command modules: errors, warnings, progress and shared options."""

from __future__ import annotations

import contextlib
import errno
import io
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from attrib.errors import AttribError, AttribWarning
from attrib.presentation.printable import one_field
from attrib.scale.parallel import MAX_JOBS

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
    """The ``-j/--jobs`` option: 1 to MAX_JOBS processes, or -1 for one per core (never 0).

    More processes than cores or than there is work for are never started (see
    :func:`attrib.scale.parallel.worker_count`).
    """

    def check(context: click.Context, parameter: click.Parameter, value: int) -> int:
        if value == 0 or not (value == -1 or 1 <= value <= MAX_JOBS):
            raise click.BadParameter(f"must be a number of processes from 1 to {MAX_JOBS}, or -1")
        return value

    return click.option(
        "-j", "--jobs", type=int, default=1, show_default=True, callback=check, help=help
    )


# Errors writing the output itself: a full disk, a quota, a file too large, a broken device.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


class AttribGroup(click.Group):
    """The ``attrib`` group: output that cannot be written is one line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as error:
            if error.errno not in _OUTPUT_ERRNOS:
                raise
            _silence_stdout()
            raise click.ClickException(
                f"cannot write the output: {error.strerror or error}"
            ) from None


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the final flush cannot fail again."""
    with contextlib.suppress(OSError):
        sys.stdout.flush()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (a test's captured output)


class Fraction(click.FloatRange):
    """A number from 0 to 1; NaN is refused (it compares false with both bounds)."""

    name = "fraction"

    def __init__(self, *, min_open: bool = False) -> None:
        super().__init__(0, 1, min_open=min_open)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail("must be a number from 0 to 1, not nan", param, ctx)
        return number


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors into one-line messages and library warnings into stderr lines."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, AttribWarning):
            click.echo(f"warning: {one_field(str(message))}", err=True)
        else:
            original(message, category, *args, **kwargs)

    original = warnings.showwarning
    warnings.showwarning = show
    try:
        yield
    except AttribError as error:
        raise click.ClickException(one_field(str(error))) from None
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
