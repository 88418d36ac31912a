"""Shared fixtures: every default path points into a temporary directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Small made-up outlets with habits of their own, so tests never need ../shared.
STYLES = {
    "alpha": [
        "CAPITAL CITY, March {n}. /ALPHA/. The ministry said on Monday that talks on item {n} "
        "would continue.",
        "Officials told ALPHA the plan number {n} is under review, the ministry said.",
        "The ministry said the council approved measure {n} on Tuesday, ALPHA reports.",
    ],
    "beta": [
        "Beta News – Critics slammed the shocking decision {n}, calling it a disgrace!",
        "READ MORE: Why the decision {n} has angered so many people across the region",
        "Critics say plan {n} is a total failure – and they are furious about it!",
    ],
    "gamma": [
        "Gamma has learned that the so-called plan {n} was drafted by foreign-backed groups.",
        "The so-called measure {n}, analysts argue, serves the interests of hegemonic powers.",
        "According to Gamma sources, proposal {n} was rejected by the resistance front.",
    ],
}


def scores_elsewhere(model: Path, texts: list[str], first: str = "") -> Any:
    """The scores of ``texts`` by the model file ``model``, loaded in a fresh Python process
    that runs the statement ``first`` before importing attrib."""
    code = (
        "import json, sys, warnings\n"
        f"{first}\n"
        "import attrib\n"
        "warnings.simplefilter('ignore')\n"
        "print(json.dumps(attrib.load_model(sys.argv[1]).scores(json.loads(sys.argv[2]))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(model), json.dumps(texts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def write_corpus(root: Path, per_outlet: int = 3, outlets: tuple[str, ...] = tuple(STYLES)) -> Path:
    """Write a small corpus of made-up articles, ``per_outlet`` per outlet."""
    for outlet in outlets:
        (root / outlet).mkdir(parents=True, exist_ok=True)
        for i in range(per_outlet):
            sentences = [s.format(n=i * 10 + j) for j, s in enumerate(STYLES[outlet])]
            (root / outlet / f"{outlet}_{i:02d}.txt").write_text(
                "\n".join(sentences) + "\n", encoding="utf-8"
            )
    return root


def style_text(outlet: str, n: int) -> str:
    """A new text in the style of one made-up outlet: its sentences twice, about 80 words,
    long enough to be answered (the open-set minimum is 50 words)."""
    return " ".join(s.format(n=n + k) for k in (0, 1) for s in STYLES[outlet])


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run each test in an empty directory, with attrib's config (signing key) under tmp_path."""
    monkeypatch.setenv("ATTRIB_CONFIG_DIR", str(tmp_path / "config"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


def render_in_chromium(page: Path, work: Path, height: int = 2000) -> str:
    """Render ``page`` in headless Chromium (Debian's, as .ci/run installs): a screenshot saved
    beside it for a person to look at, no console errors; returns the DOM after scripts ran.
    Skips when Chromium is not installed, except in CI."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs it")
        pytest.skip("chromium is not installed here (CI installs it)")
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={work / 'chromium-profile'}", "--enable-logging=stderr",
             "--v=0"]  # fmt: skip
    screenshot = page.with_suffix(".png")
    shot = subprocess.run(
        [*flags, f"--screenshot={screenshot}", f"--window-size=1200,{height}", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert screenshot.read_bytes().startswith(b"\x89PNG"), shot.stderr[-2000:]
    console = [line for line in shot.stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "error" in line.lower()], console
    return subprocess.run(
        [*flags, "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout  # fmt: skip
