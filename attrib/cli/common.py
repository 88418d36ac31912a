"""Helpers shared by the command modules: errors, warnings, progress and shared options."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from attrib.errors import AttribError, AttribWarning, OptionError
from attrib.options import OPTIONS, check
from attrib.presentation.printable import one_field


def table_option(*declarations: str, name: str, **settings: Any) -> Callable[[Any], Any]:
    """A click option whose type, default and bounds come from :mod:`attrib.options`.

    The value is checked by :func:`attrib.options.check`, the library's own check, so the CLI
    and the library can never disagree on a limit; a bad value is a usage error (exit 2).
    """
    spec = OPTIONS[name]

    def check_value(context: click.Context, parameter: click.Parameter, value: Any) -> Any:
        if value is None:  # not given, and no default: the library's own default applies
            return None
        try:
            return check(name, value)
        except OptionError as error:
            raise click.BadParameter(str(error).removeprefix(f"{name} ")) from None

    kind: Any = {"int": click.INT, "float": click.FLOAT, "number": click.FLOAT}.get(spec.kind)
    if spec.kind == "choice":
        kind = click.Choice([str(c) for c in spec.choices if c is not None])
    settings.setdefault("default", spec.default)
    settings.setdefault("show_default", settings["default"] is not None)
    return click.option(*declarations, type=kind, callback=check_value, **settings)


MASK_OPTION = table_option(
    "--mask",
    name="mask",
    help="What the model may read: the raw text, the text with outlet signatures masked, or "
    "a distorted text (function words and punctuation only).",
)
TYPOGRAPHY_OPTION = table_option(
    "--typography",
    name="typography",
    help="How quotes, dashes, spaces and line breaks are read: plain (as anyone types them; "
    "republication-proof) or raw (as published; only for text known to be untouched).",
)
MODEL_OPTION = click.option(
    "-m",
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Model file (default: models/attrib.npz under the current directory).",
)
TRUST_OPTION = click.option(
    "--trust",
    is_flag=True,
    help="Load an old-format model file (attrib 0.1, a pickle) that this installation did not "
    "sign. Loading it runs code from the file: use only for files whose origin you know. Model "
    "files attrib writes now are data and never need it.",
)


def jobs_option(help: str) -> Callable[[Any], Any]:
    """The ``-j/--jobs`` option: 1 to 256 processes, or -1 for one per core (never 0).

    More processes than cores or than there is work for are never started (see
    :func:`attrib.scale.parallel.worker_count`).
    """
    return table_option("-j", "--jobs", name="jobs", help=help)


# Errors writing the output itself: a full disk, a quota, a file too large, a broken device.
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


#: The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130


class AttribGroup(click.Group):
    """The ``attrib`` group: output that cannot be written is one line and exit 1; Ctrl-C is
    one line and exit 130."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\ninterrupted", err=True)
            raise SystemExit(INTERRUPTED) from None
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


def stdin_is_terminal() -> bool:
    """Whether standard input is a terminal (then a command never waits for it unasked)."""
    return sys.stdin is not None and sys.stdin.isatty()


def check_plotting() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise click.ClickException("--plot needs matplotlib: pip install 'attrib[plot]'") from None


@contextlib.contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[..., None]]:
    """The one progress display: on stderr, only when stderr is a terminal.

    Yields ``update(done, total=None)``, the library's ``progress`` callback shape. With a total
    (given here or by the first update) it is click's progress bar with an ETA; without one (a
    stream), a line with the count and the rate.
    """
    if not sys.stderr.isatty():
        yield lambda done, total=None: None
        return
    with contextlib.ExitStack() as stack:
        bar: Any = None
        start = time.monotonic()
        shown = start

        def update(done: int, new_total: int | None = None) -> None:
            nonlocal bar, shown
            known = new_total or total
            if known:
                if bar is None:
                    bar = stack.enter_context(
                        click.progressbar(length=known, label=label, file=sys.stderr, show_eta=True)
                    )
                bar.update(done - bar.pos)
                return
            now = time.monotonic()
            if now - shown > 0.5:
                shown = now
                click.echo(
                    f"\r{label}: {done:,}, {done / (now - start):,.0f}/s ", nl=False, err=True
                )

        yield update
        if bar is None and shown > start:
            click.echo(err=True)
