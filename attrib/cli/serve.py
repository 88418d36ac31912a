"""The ``attrib serve`` command."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click

from attrib.cli.common import TRUST_OPTION, user_errors
from attrib.presentation.printable import one_field

#: What to install when the web framework is missing.
INSTALL = "pip install 'attrib[serve]'  (from a checkout: pip install '.[serve]')"


def _say(message: str) -> None:
    click.echo(one_field(message), err=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.argument("corpus", required=False, type=click.Path(path_type=Path))
@click.option(
    "-m",
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Serve this model file instead of training one at start-up.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. The default reaches this machine only; 0.0.0.0 lets anyone "
    "on the network use the page.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
@TRUST_OPTION
def serve(
    corpus: Path | None,
    model_path: Path | None,
    host: str,
    port: int,
    open_browser: bool,
    trust: bool,
) -> None:
    """Serve a page where you paste a text and watch the model decide, and its JSON API.

    Without -m, trains the model on CORPUS (the bundled corpus by default) at start-up, with
    its twin that may read outlet names, and evaluates it by leave-one-out in the background.
    The page answers as you type: the outlet or "unknown", the scores, the text with its
    evidence highlighted, a switch that lets outlet names vote, the passages of a long text,
    and a tab on the corpus and how well the model does on it. The API (POST /api/predict,
    /api/explain, /api/scan with {"text": ...}) answers with the same JSON as the commands'
    --json. Needs the serve extra; Ctrl-C stops it.

    \b
    Examples:
      attrib serve --open                 # the bundled corpus, in your browser
      attrib serve my-corpus/ --port 8080
      attrib serve -m models/attrib.npz
      attrib serve --host 0.0.0.0         # a classroom: anyone on the network
      curl -s localhost:8000/api/predict -d '{"text": "..."}'
    """
    try:
        from attrib.web.app import bind, create_app, run, url_of
    except ImportError as error:
        raise click.ClickException(
            f"attrib serve needs the serve extra ({error.name} is not installed): {INSTALL}"
        ) from None
    from attrib.storage.modelfile import load_model
    from attrib.web.service import MAX_REQUEST_BYTES, Classroom

    if corpus is not None and model_path is not None:
        raise click.UsageError("give a CORPUS to train on or a model (-m), not both")
    with user_errors():
        try:
            sock = bind(host, port)
        except OSError as error:
            reason = error.strerror or str(error)
            raise click.ClickException(
                f"cannot listen on {one_field(host)} port {port}: {reason}"
                + ("; pick another with --port" if port else "")
            ) from None
        model = load_model(model_path, trust=trust) if model_path is not None else None
        if model is None:
            _say(f"Training on {one_field(str(corpus)) if corpus else 'the bundled corpus'} ...")
        classroom = Classroom.build(
            model=model, corpus=None if corpus is None else str(corpus), say=_say
        )
    classroom.evaluate_in_background(say=_say)
    if classroom.evaluation.state == "running":
        _say("Evaluating by leave-one-out in the background (the page's corpus tab waits for it)")
    url = url_of(sock)
    if not _is_loopback(host):
        _say(
            f"warning: listening on {one_field(host)}: anyone who can reach this machine on port "
            f"{sock.getsockname()[1]} can use the page and its API (there is no login)"
        )
    _say(f"Serving on {url}  (requests up to {MAX_REQUEST_BYTES:,} bytes; Ctrl-C stops)")
    try:
        run(create_app(classroom), sock, open_browser=open_browser)
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled, after shutting down
        pass
    finally:
        sock.close()
    _say("Stopped.")
    sys.stderr.flush()
