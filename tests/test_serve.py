"""attrib serve: the API against the CLI's --json (one contract), its errors, the CLI's
start-up and shutdown, a real server under load, and the page in headless Chromium."""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from attrib import load_corpus, save_model, train
from attrib.cli import cli
from attrib.evaluation.evaluate import evaluate
from conftest import style_text, write_corpus

pytest.importorskip("starlette", reason="the serve extra is not installed")
httpx = pytest.importorskip("httpx2", reason="the test extra is not installed")
from starlette.testclient import TestClient  # noqa: E402

from attrib.web.app import create_app  # noqa: E402
from attrib.web.service import MAX_REQUEST_BYTES, Classroom  # noqa: E402

# A corpus where outlet names decide: both outlets share their reporting, and each frames it
# with its own dateline and name. A text in Sputnik's words that names TASS is Sputnik's to a
# model that cannot read names, and TASS's to one that can.
SHARED = [
    "The delegation met officials in the capital on day {n}.",
    "Talks on trade item {n} went on late into the evening.",
    "The two sides agreed to meet again after round {n}.",
]
FRAMES = {
    "tass": "MOSCOW, March {n}. /TASS/. {body} The minister noted the progress, TASS was told. "
    "A source told TASS that plan {n} stays.",
    "sputnik": "MOSCOW (Sputnik) – {body} The envoy underlined that the accord {n} was crucial, "
    "Sputnik learned. Sputnik understands the accord {n} is vital.",
}
_BODY = " ".join(s.format(n=50 + j) for j, s in enumerate(SHARED))
NAMES_TEXT = (
    f"MOSCOW, May 3. /TASS/. {_BODY} The envoy underlined that the accord 99 was crucial. "
    f"A source told TASS, TASS was told. {_BODY}"
)


def write_named_corpus(root: Path) -> Path:
    for outlet, frame in FRAMES.items():
        (root / outlet).mkdir(parents=True)
        for i in range(4):
            body = " ".join(s.format(n=i * 7 + j) for j, s in enumerate(SHARED))
            text = frame.format(n=i, body=body)
            (root / outlet / f"{outlet}_{i}.txt").write_text(f"{text}\n{text}\n", encoding="utf-8")
    return root


def write_names_only_corpus(root: Path) -> Path:
    """Articles of random words from one shared vocabulary, framed by each outlet's dateline
    and name: only the names tell the outlets apart (leave-one-out: 0.75 masked, 0.875 not)."""
    words = [
        "talks",
        "trade",
        "delegation",
        "minister",
        "capital",
        "evening",
        "round",
        "plan",
        "accord",
        "meeting",
    ]
    words += ["officials", "draft", "source", "sides", "agreed", "progress"]
    rng = random.Random(3)
    frames = {
        "tass": ("MOSCOW, March 3. /TASS/.", "A source told TASS."),
        "sputnik": ("MOSCOW (Sputnik) –", "Sputnik learned this."),
    }
    for outlet, (head, tail) in frames.items():
        (root / outlet).mkdir(parents=True)
        for i in range(4):
            body = " ".join(rng.choice(words) for _ in range(70))
            (root / outlet / f"{i}.txt").write_text(f"{head} {body}. {tail}\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("serve") / "corpus")


@pytest.fixture(scope="module")
def classroom(corpus_path: Path) -> Classroom:
    return Classroom.build(corpus=str(corpus_path))


@pytest.fixture(scope="module")
def client(classroom: Classroom) -> Iterator[TestClient]:
    with TestClient(create_app(classroom)) as client:
        yield client


@pytest.fixture(scope="module")
def model_file(classroom: Classroom, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.npz"
    save_model(classroom.model, path)
    return path


def cli_json(*args: str) -> Any:
    """What ``attrib ARGS`` prints, parsed (JSON Lines: the first line)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return json.JSONDecoder().raw_decode(result.stdout)[0]


TEXT = style_text("beta", 3) + " " + style_text("alpha", 7)


# ---------------------------------------------------------------------------------------------
# One contract: the API answers what the CLI's --json prints


def test_predict_is_the_cli_json_without_its_path(
    client: TestClient, model_file: Path, corpus_path: Path, tmp_path: Path
) -> None:
    (tmp_path / "t.txt").write_text(TEXT, encoding="utf-8")
    expected = cli_json(
        "predict", "--json", "--overlap", "-m", str(model_file), "--corpus", str(corpus_path),
        str(tmp_path / "t.txt"),
    )  # fmt: skip
    del expected["path"]
    response = client.post("/api/predict", json={"text": TEXT})
    assert response.status_code == 200, response.text
    assert response.json() == expected
    assert expected["outlet"] == "alpha" and expected["overlap"]["shingles"] > 0


def test_explain_is_the_cli_json(
    client: TestClient, model_file: Path, corpus_path: Path, tmp_path: Path
) -> None:
    (tmp_path / "t.txt").write_text(TEXT, encoding="utf-8")
    expected = cli_json(
        "explain", "--json", "-m", str(model_file), "--corpus", str(corpus_path),
        str(tmp_path / "t.txt"),
    )  # fmt: skip
    response = client.post("/api/explain", json={"text": TEXT})
    assert response.status_code == 200, response.text
    assert response.json() == expected
    assert expected["highlights"] and expected["overlap"] is not None


def test_scan_is_the_cli_json_without_its_path(
    client: TestClient, model_file: Path, corpus_path: Path, tmp_path: Path
) -> None:
    text = " ".join(style_text(outlet, n) for outlet in ("alpha", "gamma") for n in (1, 3, 5))
    (tmp_path / "t.txt").write_text(text, encoding="utf-8")
    expected = cli_json(
        "scan", "--json", "--window", "30", "--step", "10", "-m", str(model_file),
        "--corpus", str(corpus_path), str(tmp_path / "t.txt"),
    )  # fmt: skip
    del expected["path"]
    response = client.post("/api/scan", json={"text": text, "window": 30, "step": 10})
    assert response.status_code == 200, response.text
    assert response.json() == expected
    assert [s["outlet"] for s in expected["segments"]] == ["alpha", "gamma"]


def test_explain_top_keeps_the_strongest_contributions_each_way(client: TestClient) -> None:
    full = client.post("/api/explain", json={"text": TEXT}).json()
    short = client.post("/api/explain", json={"text": TEXT, "top": 2}).json()
    for whole, kept in zip(full["explained"], short["explained"], strict=True):
        towards = [c for c in whole["contributions"] if c["contribution"] > 0][:2]
        away = [c for c in whole["contributions"] if c["contribution"] < 0][-2:]
        assert kept["contributions"] == towards + away
    assert {k: v for k, v in full.items() if k != "explained"} == {
        k: v for k, v in short.items() if k != "explained"
    }


def test_the_twin_reads_outlet_names(client: TestClient, corpus_path: Path) -> None:
    twin = train(load_corpus(corpus_path), mask="none")
    response = client.post("/api/predict", json={"text": TEXT, "mask": "none"})
    assert response.status_code == 200, response.text
    (expected,) = twin.predictions([TEXT])
    assert {k: v for k, v in response.json().items() if k != "overlap"} == expected.to_dict()
    assert client.get("/api/about").json()["masks"] == ["none", "signatures"]
    explained = client.post("/api/explain", json={"text": TEXT, "mask": "none"}).json()
    assert explained["scores"] == expected.to_dict()["scores"]
    scanned = client.post("/api/scan", json={"text": TEXT, "mask": "none"}).json()
    assert (scanned["outlet"], scanned["score"]) == (expected.outlet, expected.to_dict()["score"])
    masked = client.post("/api/explain", json={"text": TEXT}).json()
    assert masked["scores"] != explained["scores"]


@pytest.mark.parametrize(
    "text",
    [
        "Москва, 3 марта. /ТАСС/. "
        + " ".join(["Переговоры продолжатся на следующей неделе."] * 12),
        " ".join(["Talks 🤝 went on; “quotes” – dashes…"] * 12) + " \u200b\u00a0",
    ],
    ids=["cyrillic", "emoji-and-invisibles"],
)
def test_unicode_texts_are_answered_as_the_library_answers(
    client: TestClient, classroom: Classroom, text: str
) -> None:
    response = client.post("/api/predict", json={"text": text})
    assert response.status_code == 200, response.text
    (expected,) = classroom.model.predictions([text])
    assert {k: v for k, v in response.json().items() if k != "overlap"} == expected.to_dict()
    explained = client.post("/api/explain", json={"text": text, "top": 3}).json()
    assert explained["text"] and explained["scores"] == expected.to_dict()["scores"]


def test_an_id_is_echoed(client: TestClient) -> None:
    for ident in ("a-1", 7, None, {"k": [1]}):
        response = client.post("/api/predict", json={"id": ident, "text": TEXT})
        assert response.status_code == 200
        assert response.json()["id"] == ident
    assert "id" not in client.post("/api/predict", json={"text": TEXT}).json()


# ---------------------------------------------------------------------------------------------
# Errors: JSON, one line, the right status


def error_of(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    assert isinstance(message, str) and "\n" not in message and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"text": "unterminated', "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"{}", 'no "text" field'),
        (b'{"text": 12}', '"text" must be a string'),
        (b'{"text": null}', '"text" must be a string'),
        (b'{"text": "a", "extra": 1}', "unknown field(s) extra"),
        (b'{"text": "a", "mask": 3}', '"mask" must be a string'),
        (b'{"text": "a", "top": true}', '"top" must be a whole number'),
        (b'{"text": "a", "top": 1.5}', '"top" must be a whole number'),
        (b'{"text": "a", "outlets": ["alpha", 2]}', '"outlets" must be a list'),
        (b'{"text": "caf\xe9"}', "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
    ids=[
        "malformed", "empty", "array", "string", "no-text", "number", "null", "unknown-field",
        "mask-type", "bool-top", "float-top", "outlet-types", "latin-1", "deeply-nested",
    ],
)  # fmt: skip
def test_bad_requests_get_400(client: TestClient, body: bytes, message: str) -> None:
    endpoint = "/api/explain" if b"top" in body or b"outlets" in body else "/api/predict"
    response = client.post(endpoint, content=body, headers={"content-type": "application/json"})
    if len(body) > MAX_REQUEST_BYTES:
        assert error_of(response, 413)
    else:
        assert message in error_of(response, 400)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"text": TEXT, "mask": "distort"}, "mask must be one of none, signatures"),
        ({"text": TEXT, "outlets": ["zeta"]}, "zeta"),
        ({"text": TEXT, "window": 5}, "window"),
        ({"text": TEXT, "window": 20, "step": 30}, "step"),
    ],
    ids=["unknown-mask", "unknown-outlet", "tiny-window", "step-over-window"],
)
def test_bad_options_get_400_with_the_library_message(
    client: TestClient, payload: dict[str, Any], message: str
) -> None:
    endpoint = "/api/scan" if "window" in payload else "/api/explain"
    assert message in error_of(client.post(endpoint, json=payload), 400)


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "is empty"), ("  \n\t ", "only whitespace"), ("a\x00b", "NUL")],
    ids=["empty", "whitespace", "nul"],
)
@pytest.mark.parametrize("endpoint", ["predict", "explain", "scan"])
def test_texts_attrib_refuses_get_422(
    client: TestClient, endpoint: str, text: str, message: str
) -> None:
    error = error_of(client.post(f"/api/{endpoint}", json={"text": text}), 422)
    assert error.startswith("the text ") and message in error


def test_a_body_over_the_limit_gets_413(client: TestClient) -> None:
    text = "word " * (MAX_REQUEST_BYTES // 5)
    assert "limit" in error_of(client.post("/api/predict", json={"text": text}), 413)


def test_a_text_at_the_limit_is_answered(client: TestClient) -> None:
    head = json.dumps({"text": TEXT + " "})[:-2]
    body = (head + "x" * (MAX_REQUEST_BYTES - len(head) - 2) + '"}').encode()
    assert len(body) == MAX_REQUEST_BYTES
    assert client.post("/api/predict", content=body).status_code == 200


def test_other_sites_pages_are_refused(client: TestClient) -> None:
    """A page elsewhere, open in a student's browser, cannot make this server work for it."""
    sent = {"json": {"text": TEXT}}
    refused = client.post("/api/predict", headers={"origin": "http://evil.example"}, **sent)
    assert "evil.example" in error_of(refused, 403)
    assert client.post("/api/predict", headers={"origin": "null"}, **sent).status_code == 403
    same = client.post("/api/predict", headers={"origin": "http://testserver"}, **sent)
    assert same.status_code == 200  # the page itself
    assert client.post("/api/predict", **sent).status_code == 200  # scripts send no origin


def test_unknown_paths_get_404_and_wrong_methods_405(client: TestClient) -> None:
    assert "/api/nothing" in error_of(client.get("/api/nothing"), 404)
    assert "/etc/passwd" in error_of(client.get("/../../etc/passwd"), 404)
    response = client.get("/api/predict")
    assert "GET is not allowed" in error_of(response, 405)
    assert response.headers["allow"] == "POST"
    assert error_of(client.post("/api/about", json={}), 405)
    assert error_of(client.delete("/"), 405)


def test_a_failure_inside_is_a_json_500_without_a_traceback(
    classroom: Classroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("a bug, with /secret/paths in its message")

    monkeypatch.setattr(classroom, "predict", broken)
    with TestClient(create_app(classroom), raise_server_exceptions=False) as client:
        message = error_of(client.post("/api/predict", json={"text": TEXT}), 500)
    assert "secret" not in message and "console" in message


# ---------------------------------------------------------------------------------------------
# The page, the model and the corpus


def test_the_page_is_self_contained(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page)
    assert "@import" not in page and "url(" not in page
    for endpoint in ("/api/explain", "/api/predict", "/api/scan", "/api/about", "/api/corpus"):
        assert endpoint in page


def test_about_names_the_outlets_their_colours_and_the_limits(client: TestClient) -> None:
    about = client.get("/api/about").json()
    assert [o["label"] for o in about["outlets"]] == ["alpha", "beta", "gamma"]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", o["colour"]) for o in about["outlets"])
    assert about["max_request_bytes"] == MAX_REQUEST_BYTES
    assert about["mask"] == "signatures"


def test_the_corpus_tab_gets_examples_and_the_evaluation(tmp_path: Path) -> None:
    corpus_path = write_names_only_corpus(tmp_path / "names")
    classroom = Classroom.build(corpus=str(corpus_path))
    with TestClient(create_app(classroom)) as client:
        before = client.get("/api/corpus").json()
        assert before["state"] == "waiting" and before["evaluation"] is None
        assert [e["outlet"] for e in before["examples"]] == ["sputnik", "tass"]
        first = sorted((corpus_path / "sputnik").glob("*.txt"))[0]
        assert before["examples"][0]["text"] == first.read_text(encoding="utf-8")
        thread = classroom.evaluate_in_background()
        assert thread is not None
        thread.join(timeout=300)
        after = client.get("/api/corpus").json()
    assert after["state"] == "done"
    options = classroom.model.options
    assert after["evaluation"] == evaluate(corpus_path, **options).to_dict()
    names = evaluate(corpus_path, permutations=0, **{**options, "mask": "none"})
    assert after["accuracy_with_names"] == names.accuracy
    assert names.accuracy != after["evaluation"]["accuracy"]  # the names made a difference


def test_a_model_without_its_corpus_serves_alone(corpus_path: Path, tmp_path: Path) -> None:
    moved = shutil.copytree(corpus_path, tmp_path / "corpus")
    model = train(moved)
    shutil.rmtree(moved)
    said: list[str] = []
    classroom = Classroom.build(model=model, say=said.append)
    assert list(classroom.models) == ["signatures"]
    assert any("no twin" in s for s in said)
    with TestClient(create_app(classroom)) as client:
        assert client.post("/api/predict", json={"text": TEXT}).json()["overlap"] is None
        assert "mask must be one of signatures" in error_of(
            client.post("/api/predict", json={"text": TEXT, "mask": "none"}), 400
        )
        view = client.get("/api/corpus").json()
    assert view["examples"] == [] and view["state"] == "unavailable"


# ---------------------------------------------------------------------------------------------
# The command


def test_serve_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "/api/predict" in result.stdout


def test_serve_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "attrib.web.app")
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "uvicorn is not installed" in result.output and "attrib[serve]" in result.output


def test_serve_refuses_a_corpus_and_a_model_together(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", str(tmp_path), "-m", str(tmp_path / "m.npz")])
    assert result.exit_code == 2
    assert "not both" in result.output


def test_serve_on_a_port_in_use_is_one_line(corpus_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", str(corpus_path), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip().endswith("pick another with --port"), result.output
    assert f"port {port}" in result.output and "Traceback" not in result.output


def test_serve_on_a_missing_corpus_or_model_is_one_line(tmp_path: Path) -> None:
    for args in (["serve", str(tmp_path / "nowhere")], ["-m", str(tmp_path / "m.npz")]):
        args = args if args[0] == "serve" else ["serve", *args]
        result = CliRunner().invoke(cli, [*args, "--port", "0"])
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") or "Error: " in result.output
        assert "Traceback" not in result.output


class Server:
    """``attrib serve`` in a subprocess on a free loopback port."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = {**os.environ, "ATTRIB_CONFIG_DIR": str(cwd / "config"), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "attrib", "serve", "--port", "0", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # Ctrl-C as at a terminal, even when the tests run in the background (SIGINT ignored)
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: list[str] = []
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.search(r"Serving on (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise AssertionError("".join(self.lines))
        self.pump = threading.Thread(target=self._read, daemon=True)
        self.pump.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        finally:
            self.process.kill()
            self.pump.join(timeout=5)


@pytest.fixture
def server(corpus_path: Path, tmp_path: Path) -> Iterator[Server]:
    running = Server(str(corpus_path), cwd=tmp_path)
    yield running
    running.stop()


def test_serve_says_what_it_does_and_stops_cleanly_on_ctrl_c(
    corpus_path: Path, tmp_path: Path
) -> None:
    running = Server(str(corpus_path), cwd=tmp_path)
    said = "".join(running.lines)
    assert running.url.startswith("http://127.0.0.1:")
    assert "Trained the model on 9 articles of 3 outlets" in said
    assert "twin that may read outlet names (--mask none)" in said
    assert "warning" not in said
    answer = httpx.post(running.url + "api/predict", json={"text": TEXT}, timeout=30)
    assert answer.json()["outlet"] == "alpha"
    assert running.stop() == 0
    assert "Stopped." in "".join(running.lines)
    assert "Traceback" not in "".join(running.lines)


def test_serve_open_opens_the_page_and_m_serves_a_model_file(
    corpus_path: Path, model_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = tmp_path / "opened"
    browser = tmp_path / "browser.sh"  # what Python's webbrowser runs when $BROWSER names it
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(browser))
    running = Server("-m", str(model_file), "--open", cwd=tmp_path)
    try:
        for _ in range(100):
            if opened.exists():
                break
            time.sleep(0.1)
        assert opened.read_text(encoding="utf-8").strip() == running.url
        said = "".join(running.lines)
        assert "Trained the model" not in said  # served as saved
        assert "twin that may read outlet names" in said  # its corpus is where it was
        about = httpx.get(running.url + "api/about", timeout=30).json()
        assert about["masks"] == ["none", "signatures"]
        assert about["corpus"]["fingerprint"] == load_corpus(corpus_path).fingerprint
    finally:
        running.stop()


def test_serve_on_all_addresses_warns_who_can_reach_it(corpus_path: Path, tmp_path: Path) -> None:
    running = Server(str(corpus_path), "--host", "0.0.0.0", cwd=tmp_path)
    try:
        said = "".join(running.lines)
        assert "warning: listening on 0.0.0.0: anyone who can reach this machine" in said
        assert httpx.get(running.url + "api/about", timeout=30).status_code == 200
    finally:
        running.stop()


def test_a_slow_answer_does_not_hold_up_the_others(server: Server) -> None:
    long_text = " ".join(style_text(o, n) for n in range(60) for o in ("alpha", "beta", "gamma"))
    long_text = long_text[: MAX_REQUEST_BYTES - 100]
    done: list[str] = []

    def slow() -> None:
        reply = httpx.post(server.url + "api/explain", json={"text": long_text}, timeout=120)
        assert reply.status_code == 200, reply.text
        done.append("explain")

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.5)  # the explanation is under way
    for _ in range(3):
        assert httpx.get(server.url + "api/about", timeout=30).status_code == 200
        done.append("about")
    worker.join()
    assert done == ["about", "about", "about", "explain"]


def test_a_body_without_a_length_gets_413_before_it_ends(server: Server) -> None:
    """Chunked, with no Content-Length: the server counts, and answers 413 once the limit is
    passed, without waiting for the rest (which never comes here)."""
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 10_000
        for _ in range(MAX_REQUEST_BYTES // len(chunk) + 2):
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        reply = b""  # the request's body is not finished: the answer must come anyway
        while b"limit" not in reply and (data := connection.recv(65536)):
            reply += data
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"].endswith("send a shorter text")


def test_a_declared_length_over_the_limit_gets_413_before_the_body(server: Server) -> None:
    host, port = server.url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            b"POST /api/explain HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: %d\r\n\r\n{"text": "' % (50 * MAX_REQUEST_BYTES)
        )
        reply = b""  # the body is not sent: the answer must come from the length alone
        while b"limit" not in reply and (data := connection.recv(65536)):
            reply += data
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]


def test_200_requests_from_20_clients_all_answered_right(
    server: Server, classroom: Classroom
) -> None:
    """The load test: loopback, 20 clients at once, 200 requests of the three kinds, checked
    against a model trained the same way on the same corpus in this process."""
    texts = [style_text(o, n) for n in range(10) for o in ("alpha", "beta", "gamma")]
    predictions = classroom.model.predictions(texts)
    expected = {t: p.to_dict() for t, p in zip(texts, predictions, strict=True)}

    def ask(i: int) -> tuple[float, bool]:
        text = texts[i % len(texts)]
        endpoint = ("predict", "explain", "scan")[i % 3]
        body: dict[str, Any] = {"text": text, "id": i}
        if endpoint == "explain":
            body["top"] = 5
        started = time.perf_counter()
        reply = httpx.post(server.url + f"api/{endpoint}", json=body, timeout=60)
        took = time.perf_counter() - started
        data = reply.json()
        right = reply.status_code == 200 and data["id"] == i
        if endpoint != "scan":
            right = right and data["outlet"] == expected[text]["outlet"]
            right = right and data["scores"] == expected[text]["scores"]
        return took, right

    with ThreadPoolExecutor(20) as pool:
        list(pool.map(ask, range(20)))  # warm up
        before = server.rss_kib()
        results = list(pool.map(ask, range(200)))
        after = server.rss_kib()
    assert all(right for _, right in results)
    slowest = max(took for took, _ in results)
    assert slowest < 30, f"the slowest answer took {slowest:.1f} s"
    assert after - before < 50 * 1024, f"the server grew from {before} to {after} KiB"


# ---------------------------------------------------------------------------------------------
# The page in a real browser


def chromium() -> str:
    """Debian's Chromium, as .ci/run installs it (nothing here downloads a browser)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None or importlib.util.find_spec("playwright") is None:
        if os.environ.get("CI"):
            pytest.fail("chromium or playwright is missing in CI: .ci/run installs both")
        pytest.skip("chromium or playwright is not installed here (CI installs them)")
    return browser


def test_the_page_in_chromium_answers_explains_and_lets_names_vote(tmp_path: Path) -> None:
    """Paste a text, see the outlet and its highlighted evidence, let names vote and see the
    answer change, read the corpus tab; no console errors. Screenshots are kept for a person."""
    from playwright.sync_api import expect, sync_playwright

    browser_path = chromium()
    running = Server(str(write_named_corpus(tmp_path / "named")), cwd=tmp_path)
    problems: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=browser_path,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                      "--disable-background-networking", "--disable-component-update"],
            )  # fmt: skip
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(running.url)
            expect(page.locator("#examples button")).to_have_count(2)

            page.fill("#text", NAMES_TEXT[:40])
            page.type("#text", NAMES_TEXT[40:80], delay=5)  # typing: debounced, newest wins
            page.type("#text", NAMES_TEXT[80:])
            verdict = page.locator("#verdict")
            expect(verdict).to_contain_text("Sputnik", timeout=30_000)
            assert page.locator("#marked mark").count() >= 1
            assert page.locator("#scores .bar").count() == 2
            expect(page.locator("#lesson")).to_contain_text("a model that reads outlet names")
            expect(page.locator("#lesson")).to_contain_text("TASS")
            page.screenshot(path=tmp_path / "serve-names-hidden.png", full_page=True)

            page.check("#names")
            expect(verdict).to_contain_text("TASS", timeout=30_000)
            expect(page.locator("#lesson")).to_contain_text("A different answer")
            expect(page.locator("#status")).to_contain_text("outlet names vote")
            page.screenshot(path=tmp_path / "serve-names-vote.png", full_page=True)

            page.uncheck("#names")
            expect(verdict).to_contain_text("Sputnik", timeout=30_000)

            (tmp_path / "dropped.txt").write_text("a few words only", encoding="utf-8")
            page.set_input_files("#file", str(tmp_path / "dropped.txt"))
            expect(page.locator("#problems")).to_contain_text("too short to judge")
            expect(verdict).to_contain_text("unknown")

            page.fill("#text", "")
            expect(page.locator("#status")).to_have_text("Waiting for a text.")
            expect(page.locator("#evidence")).to_be_hidden()

            # A long text of two outlets: the passages attrib scan finds, in their colours.
            named = tmp_path / "named"
            halves = [
                " ".join(p.read_text(encoding="utf-8") for p in sorted((named / o).glob("*.txt")))
                for o in ("tass", "sputnik")
            ]
            page.fill("#text", "\n\n".join(halves))
            expect(page.locator("#passages")).to_be_visible(timeout=30_000)
            rows = page.locator("#segments tr")
            expect(rows).to_have_count(3)  # a header and two passages
            expect(rows.nth(1)).to_contain_text("TASS")
            expect(rows.nth(2)).to_contain_text("Sputnik")
            page.screenshot(path=tmp_path / "serve-passages.png", full_page=True)

            page.click("#tab-corpus")
            expect(page.locator("#corpus-body")).to_contain_text("right (accuracy", timeout=120_000)
            expect(page.locator("#corpus-body")).to_contain_text("Names are not style")
            page.screenshot(path=tmp_path / "serve-corpus.png", full_page=True)
            browser.close()
    finally:
        running.stop()
    assert not problems, problems
    print(f"screenshots: {tmp_path}/serve-*.png")
