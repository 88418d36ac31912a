"""The web app of ``attrib serve``: one self-contained page and a JSON API over a
:class:`~attrib.web.service.Classroom`, on Starlette, served by uvicorn.

Every answer is computed in a worker thread, at most :data:`WORKERS` at a time, so the event
loop keeps answering (the page, the corpus tab, other students) while a long text is explained.
Requests cannot name files, upload models or send anything but JSON with a text in it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import webbrowser
from collections.abc import AsyncIterator, Callable, Mapping
from functools import partial
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from attrib.errors import AttribError, InputError
from attrib.web.service import MAX_REQUEST_BYTES, Classroom

#: Answers computed at once; the others wait their turn (the machines have two cores).
WORKERS = 2

#: What each POST endpoint accepts: field -> (type, required). Anything else is a 400.
_FIELDS: dict[str, dict[str, tuple[Any, bool]]] = {
    "predict": {"text": (str, True), "mask": (str, False), "id": (object, False)},
    "explain": {
        "text": (str, True),
        "mask": (str, False),
        "outlets": (list, False),
        "top": (int, False),
        "id": (object, False),
    },
    "scan": {
        "text": (str, True),
        "mask": (str, False),
        "window": (int, False),
        "step": (int, False),
        "id": (object, False),
    },
}
#: The page may run no script, style or font from anywhere else, and reach only this server.
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class RequestError(Exception):
    """A request the API refuses: its HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """``{"error": message}`` with ``status``."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def read_json(request: Request, endpoint: str) -> dict[str, Any]:
    """The request's JSON object, checked against the endpoint's fields.

    Raises
    ------
    RequestError
        413 over :data:`MAX_REQUEST_BYTES` (read no further), 400 for anything but a JSON
        object with the endpoint's fields and types.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        raise RequestError(413, _too_large())
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_REQUEST_BYTES:
            raise RequestError(413, _too_large())
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise RequestError(400, f"the request body is not UTF-8 (byte {error.start})") from None
    except ValueError as error:
        raise RequestError(400, f"the request body is not JSON: {error}") from None
    except RecursionError:
        raise RequestError(400, "the request body is JSON nested too deeply") from None
    fields = _FIELDS[endpoint]
    if not isinstance(data, dict):
        raise RequestError(400, 'the request body must be a JSON object: {"text": "..."}')
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise RequestError(
            400, f"unknown field(s) {', '.join(unknown)}; /api/{endpoint} takes {', '.join(fields)}"
        )
    for name, (kind, required) in fields.items():
        if name not in data:
            if required:
                raise RequestError(400, f'the request has no "{name}" field')
            continue
        value = data[name]
        if value is None and not required:
            continue
        # bool is an int in Python, not in JSON
        wrong = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
        if kind is list and not wrong:
            wrong = not all(isinstance(item, str) for item in value)
        if wrong:
            expected = {str: "a string", int: "a whole number", list: "a list of outlet labels"}
            raise RequestError(400, f'"{name}" must be {expected.get(kind, "JSON")}')
    return data


def _check_origin(request: Request) -> None:
    """Refuse a request another website's page sends through a visitor's browser (browsers
    name the sending page's origin); scripts and curl send none and are answered."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise RequestError(403, f"requests from other sites' pages are refused ({origin})")


def _too_large() -> str:
    return (
        f"the request is larger than {MAX_REQUEST_BYTES:,} bytes, this server's limit; "
        "send a shorter text"
    )


def create_app(classroom: Classroom) -> Starlette:
    """The Starlette app: ``GET /`` (the page), ``GET /api/about``, ``GET /api/corpus``,
    ``POST /api/predict``, ``POST /api/explain`` and ``POST /api/scan``."""
    page = files("attrib.web").joinpath("page.html").read_text(encoding="utf-8")
    limiter: list[anyio.CapacityLimiter] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        limiter.append(anyio.CapacityLimiter(WORKERS))  # made inside the event loop
        yield

    async def answer(
        request: Request, endpoint: str, work: Callable[..., dict[str, Any]]
    ) -> Response:
        try:
            _check_origin(request)
            data = await read_json(request, endpoint)
            echo = {"id": data.pop("id")} if "id" in data else {}
            result = await anyio.to_thread.run_sync(partial(work, **data), limiter=limiter[0])
        except RequestError as error:
            return error_response(error.status, str(error))
        except InputError as error:
            return error_response(422, str(error))
        except AttribError as error:
            return error_response(400, str(error))
        return JSONResponse({**echo, **result})

    async def index(request: Request) -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    async def about(request: Request) -> Response:
        return JSONResponse(classroom.about())

    async def corpus(request: Request) -> Response:
        return JSONResponse(await anyio.to_thread.run_sync(classroom.corpus_view))

    async def predict(request: Request) -> Response:
        return await answer(request, "predict", classroom.predict)

    async def explain(request: Request) -> Response:
        return await answer(request, "explain", classroom.explain)

    async def scan(request: Request) -> Response:
        return await answer(request, "scan", classroom.scan)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        status, path = error.status_code, request.url.path
        message = {
            404: f"no such page: {path}",
            405: f"{request.method} is not allowed on {path}",
        }.get(status, str(error.detail))
        return error_response(status, message, error.headers)

    async def server_error(request: Request, error: Exception) -> Response:
        return error_response(500, "the server failed to answer; its console says why")

    return Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Route("/api/about", about, methods=["GET"]),
            Route("/api/corpus", corpus, methods=["GET"]),
            Route("/api/predict", predict, methods=["POST"]),
            Route("/api/explain", explain, methods=["POST"]),
            Route("/api/scan", scan, methods=["POST"]),
        ],
        exception_handlers={HTTPException: http_error, 500: server_error},
        lifespan=lifespan,
    )


def bind(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` (port 0: a free one): connections wait in its
    backlog until the server starts accepting them.

    Raises
    ------
    OSError
        If the address cannot be bound (in use, not this machine's, no permission).
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    """The address a browser on this machine opens for ``sock``."""
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def run(app: Starlette, sock: socket.socket, *, open_browser: bool = False) -> None:
    """Serve ``app`` on ``sock`` until Ctrl-C (or SIGTERM), then finish the requests in flight
    and return; with ``open_browser``, open the page once the server answers."""
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    )
    if open_browser:
        url = url_of(sock)

        def open_when_started() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=open_when_started, daemon=True).start()
    server.run(sockets=[sock])
