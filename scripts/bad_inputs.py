"""Feed every kind of awkward or hostile input to the installed `attrib`; print what it answers.

    python scripts/bad_inputs.py

One line per case: the exit code and attrib's last lines, with control characters shown as
escapes; ``TRACEBACK``, ``RAW CONTROL`` (a control character reached the output), ``HUNG``
(over 60 s) or ``CHANGED`` (a file that must survive was modified) flag a failure. Runs in a
temporary directory with its own config (signing key); changes nothing else.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

RECIPE = (
    "Preheat the oven to 180 degrees. Cream the butter and sugar until pale and fluffy, then "
    "beat in the eggs one at a time. Fold in the flour and a pinch of salt, pour the batter into "
    "a lined tin and bake for 25 minutes, until a skewer comes out clean. Leave to cool."
)


def main() -> None:
    attrib = shutil.which("attrib")
    if attrib is None:
        raise SystemExit("attrib is not installed: pip install .")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "ATTRIB_CONFIG_DIR": str(work / "config")}

        def run(
            *args: str, stdin: bytes | None = None, extra: dict[str, str] | None = None
        ) -> tuple[int, str]:
            try:
                done = subprocess.run(
                    [attrib, *args], cwd=work, env={**env, **(extra or {})}, input=stdin,
                    capture_output=True, check=False, timeout=60,
                )  # fmt: skip
            except subprocess.TimeoutExpired:
                return -1, "HUNG: no answer in 60 s"
            return done.returncode, summary(done.stdout + done.stderr)

        run("train")
        model = work / "models" / "attrib.npz"
        article = subprocess.run(
            [sys.executable, "-c", "import attrib.reading.corpus as c; print(c.bundled_corpus_path())"],  # noqa: E501
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        rt = sorted(Path(article).glob("rt/*.txt"))[0].read_text(encoding="utf-8")

        files = {
            "empty file": b"",
            "whitespace only": b"  \n\t ",
            "binary (NUL bytes)": b"\x89PNG\r\n\x1a\n\x00\x00",
            "Windows-1252": ("\u201cCaf\u00e9\u201d " + rt).encode("cp1252", "replace"),
            "UTF-16 with BOM": rt.encode("utf-16"),
            "UTF-8 with BOM": codecs.BOM_UTF8 + rt.encode(),
            "a recipe": RECIPE.encode(),
            "a paragraph republished from RT": "\n".join(rt.splitlines()[6:12]).encode(),
        }
        cases: list[tuple[str, list[str], bytes | None]] = []
        for name, raw in files.items():
            path = work / (name.replace(" ", "_").replace("(", "").replace(")", "") + ".txt")
            path.write_bytes(raw)
            cases.append((name, ["predict", "--overlap", str(path)], None))
            cases.append((f"{name} (scan)", ["scan", str(path)], None))
        huge = work / "huge.txt"
        with open(huge, "wb") as handle:
            handle.truncate(200 * 1024 * 1024)
        (work / "no-txt").mkdir()
        os.symlink(work / "loop-b.txt", work / "loop-a.txt")
        os.symlink(work / "loop-a.txt", work / "loop-b.txt")
        one = work / "one-outlet" / "tass"
        one.mkdir(parents=True)
        (one / "a.txt").write_text(rt)
        unusable = work / "unusable"
        for outlet in ("rt", "tass"):
            (unusable / outlet).mkdir(parents=True)
        (unusable / "rt" / "a.txt").write_text(rt)
        (unusable / "tass" / "a.txt").write_text("")
        cases += [
            ("200 MB file", ["predict", str(huge)], None),
            ("directory with no .txt", ["predict", str(work / "no-txt")], None),
            ("missing path", ["predict", str(work / "nothing.txt")], None),
            ("symlink loop", ["predict", str(work / "loop-a.txt")], None),
            ("stdin", ["predict", "-"], rt.encode()),
            ("corpus with one outlet", ["train", str(work / "one-outlet"), "-o", "x.npz"], None),
            ("outlet with no usable document", ["train", str(unusable), "-o", "x.npz"], None),
        ]
        good = model.read_bytes()
        damaged = {
            "model truncated": good[:-200],
            "model of random bytes": b"\x00" + os.urandom(512),
            "another program's pickle": pickle.dumps({"weights": [1, 2]}),
            "model with one flipped byte": good[:5000] + bytes([good[5000] ^ 1]) + good[5001:],
            "an .npz of other arrays": npz_of_other_arrays(),
        }
        for name, raw in damaged.items():
            path = work / (name.replace(" ", "_").replace("'", "").replace(".", "") + ".npz")
            path.write_bytes(raw)
            cases.append((name, ["predict", "-m", str(path), str(work / "a_recipe.txt")], None))
        for name, args, stdin in cases:
            code, said = run(*args, stdin=stdin)
            print(f"{name:34s} exit {code}  {said}")
        env["ATTRIB_CONFIG_DIR"] = str(work / "another-user")
        code, said = run("predict", str(work / "a_recipe.txt"))
        print(f"{'model from another user (data)':34s} exit {code}  {said}")
        env["ATTRIB_CONFIG_DIR"] = str(work / "config")
        hostile(work, model, rt, run, env)


def hostile(work: Path, model: Path, rt: str, run: Any, env: dict[str, str]) -> None:
    """Issue 13's cases, numbered as there."""
    m = ["-m", str(model)]
    good = work / "good.txt"
    good.write_text(rt, encoding="utf-8")
    escapes = "\x1b]52;c;cHduZWQ=\x07\x1b]0;title\x07\x1b[2J"
    cases: list[tuple[str, list[str], bytes | None, dict[str, str] | None]] = []

    def case(name: str, args: list[str], stdin: bytes | None = None, **extra: str) -> None:
        cases.append((name, args, stdin, extra or None))

    # 1. The signing key: gone with pickled model files (issue 18); model files are data.
    # 2, 3. Control characters and forged rows.
    escaped = work / "escaped-text.txt"
    escaped.write_text(rt.replace("Putin", "Putin" + escapes, 1), encoding="utf-8")
    case("2. escapes in a text (explain)", ["explain", *m, str(escaped), "--no-stability"])
    named = work / f"name{escapes}.txt"
    named.write_text(rt, encoding="utf-8")
    case("2. escapes in a text (scan --html)",
         ["scan", *m, str(escaped), "--html", str(work / "scan.html")])  # fmt: skip
    case("2. escapes in a file name", ["predict", *m, str(named)])
    case("2. escapes in a file name (scan)", ["scan", *m, str(named)])
    case("2. escapes in a missing name", ["predict", *m, str(work / f"gone{escapes}.txt")])
    forged = work / "x\tSputnik 0.99\t(runner-up: RT 0.01)\nfake.txt"
    forged.write_text(rt, encoding="utf-8")
    case("3. tab and newline in a name", ["predict", *m, str(forged)])
    line = json.dumps({"id": "a\nb\tSputnik 0.99", "text": rt}).encode() + b"\n"
    case("3. newline in a JSONL id", ["predict", *m, "--jsonl"], line)
    case("3. outlet name with a tab", ["corpus", "add", "a\tb", str(good), "--corpus", "c3"])
    # 5. Runaway jobs and absurd options.
    case("5. -j 10000", ["predict", *m, "-j", "10000", str(good)])
    case("5. -j -5", ["predict", *m, "-j", "-5", str(good)])
    case("5. --threshold nan", ["predict", *m, "--threshold", "nan", str(good)])
    case("5. -j 256 on one input (capped)", ["predict", *m, "-j", "256", str(good)])
    # 6. A 3 GB model file with an unsigned header (sparse: no disk used).
    big = work / "big.joblib"  # attrib 0.1's format
    payload = {"size": 3 * 2**30, "sha256": "0" * 64}
    header = {"format": 2, "metadata": {"labels": ["rt"]}, "payload": payload, "signature": "0"}
    start = b"ATTRIB-MODEL\n" + json.dumps(header).encode() + b"\n"
    with open(big, "wb") as handle:
        handle.write(start)
        handle.truncate(len(start) + payload["size"])
    case("6. 3 GB model, unsigned header", ["predict", "-m", str(big), str(good)])
    # 7. One 20 MB word.
    word = work / "word.txt"
    word.write_bytes(b"a" * (20 * 2**20 - 1))
    case("7. one 20 MB word", ["predict", *m, str(word)])
    case("7. one 20 MB word (scan)", ["scan", *m, str(word)])
    case("7. --window 10 --step 1 on a 20 MB word (scan)",
         ["scan", *m, "--window", "10", "--step", "1", str(word)])  # fmt: skip
    # 8. Deep nesting and wrong types.
    nested = b"[" * 100_000
    case("8. JSONL line of 100,000 [", ["predict", *m, "--jsonl", "--json"],
         json.dumps({"id": 1, "text": rt}).encode() + b"\n" + nested + b"\n")  # fmt: skip
    deep = work / "nested-header.joblib"
    deep.write_bytes(b"ATTRIB-MODEL\n" + nested + b"\n")
    case("8. model header nested 100,000 deep", ["predict", "-m", str(deep), str(good)])
    case("8. ... the same through explain", ["explain", "-m", str(deep), str(good)])
    case("8. ... the same under train -o", ["train", "-o", str(deep)])
    # 9. Bytes that are not UTF-8.
    latin = os.path.join(os.fsencode(work), b"caf\xe9.txt")
    with open(latin, "wb") as handle:
        handle.write(rt.encode())
    case("9. --from-list -, non-UTF-8 name", ["predict", *m, "--from-list", "-"], latin + b"\n")
    case("9. non-UTF-8 JSONL on stdin", ["predict", *m, "--jsonl"], b'{"id": 1, "text": "\xe9"}\n',
         PYTHONIOENCODING="utf-8")  # fmt: skip
    # 10. Deep trees and FIFOs.
    folder = work / "deep"
    folder.mkdir()
    for _ in range(1000):
        folder = folder / "d"
        folder.mkdir()
    (folder / "a.txt").write_text(rt, encoding="utf-8")
    case("10. tree 1,000 levels deep", ["predict", *m, str(work / "deep")])
    fifos = work / "fifos"
    fifos.mkdir()
    os.mkfifo(fifos / "pipe.txt")
    (fifos / "b.txt").write_text(rt, encoding="utf-8")
    case("10. FIFO *.txt in an input folder", ["predict", *m, str(fifos)])
    fifo_corpus = work / "fifo-corpus"
    for outlet in ("rt", "tass"):
        (fifo_corpus / outlet).mkdir(parents=True)
        (fifo_corpus / outlet / "a.txt").write_text(f"{outlet} {rt}", encoding="utf-8")
    os.mkfifo(fifo_corpus / "rt" / "pipe.txt")
    case("10. FIFO *.txt in a corpus (check)", ["corpus", "check", str(fifo_corpus)])
    # 11. Options that crashed, and a full disk on standard output.
    case("11. evaluate --seed -1", ["evaluate", "--seed", "-1"])
    case("11. evaluate --seed 4294967296", ["evaluate", "--seed", "4294967296"])
    case("11. --dask tls://", ["predict", *m, "--dask", "tls://127.0.0.1:1", str(good)])
    case("11. --dask ucx://", ["predict", *m, "--dask", "ucx://127.0.0.1:1", str(good)])
    # 12. JSONL ids and NUL.
    ids = b"".join(json.dumps({"id": i, "text": rt}).encode() + b"\n" for i in (1, None))
    case("12. JSONL ids 1 and null", ["predict", *m, "--jsonl", "--json"], ids)
    case("12. NUL in a JSONL text", ["predict", *m, "--jsonl"],
         json.dumps({"id": "n", "text": rt + "\x00"}).encode() + b"\n")  # fmt: skip
    # 13. Output files.
    case("13. explain --html over the model", ["explain", *m, str(good), "--html", str(model)])
    case("13. explain --html over the input", ["explain", *m, str(good), "--html", str(good)])
    os.mkfifo(work / "out-fifo")
    case("13. train -o a FIFO --force", ["train", "-o", str(work / "out-fifo"), "--force"])
    # 15. Messages.
    case("15. 25 MB on stdin", ["predict", *m, "-"], b"word " * (5 * 2**20))
    case("15. /dev/zero", ["predict", *m, "/dev/zero"])
    emoji = json.dumps({"id": "e", "text": "\U0001f600" * (8 * 2**20)}).encode() + b"\n"
    case("15. 32 MB of emoji inline", ["predict", *m, "--jsonl"], emoji)
    other = work / "other.npz"
    second = work / "second-corpus"  # no FIFO: this model's setup tests nothing else
    for outlet in ("rt", "tass"):
        (second / outlet).mkdir(parents=True)
        (second / outlet / "a.txt").write_text(f"{outlet} {rt}", encoding="utf-8")
    run("train", str(second), "-o", str(other))
    mine = model.read_bytes()
    swapped = work / "swapped.npz"
    with (
        zipfile.ZipFile(model) as a,
        zipfile.ZipFile(other) as b,
        zipfile.ZipFile(swapped, "w") as c,
    ):
        for info in a.infolist():  # model A's header, model B's arrays
            source = a if info.filename == "attrib-model.json" else b
            c.writestr(info.filename, source.read(info.filename))
    case("15. header A with arrays B", ["predict", "-m", str(swapped), str(good)])
    flipped = work / "flipped.npz"
    at = mine.index(b'"documents": ') + len(b'"documents": ')
    flipped.write_bytes(mine[:at] + (b"7" if mine[at : at + 1] != b"7" else b"8") + mine[at + 1 :])
    case("15. a flipped header byte", ["predict", "-m", str(flipped), str(good)])
    upper = work / "upper"
    for outlet in ("rt", "tass"):
        (upper / outlet).mkdir(parents=True)
        (upper / outlet / "A.TXT").write_text(f"{outlet} {rt}", encoding="utf-8")
    case("15. corpus of .TXT files", ["train", str(upper), "-o", "upper.npz"])
    case(
        "15. explain --corpus /nonexistent", ["explain", *m, str(good), "--corpus", "/nonexistent"]
    )
    case("15. - --from-list -", ["predict", *m, "-", "--from-list", "-"], b"x")
    listed = work / "one.list"
    listed.write_text(f"{good}\n")
    case("15. --from-list twice", ["predict", *m, "--from-list", str(listed),
                                   "--from-list", str(listed)])  # fmt: skip
    (work / "afile").write_text("x")
    case("15. -o afile/m.npz", ["train", "-o", str(work / "afile" / "m.npz")])

    print("\nIssue 13 (hostile input):")
    before = {p: p.read_bytes() for p in (model, good)}
    for name, args, stdin, extra in cases:
        start = time.monotonic()
        code, said = run(*args, stdin=stdin, extra=extra)
        print(f"{name:38s} exit {code:2d} {time.monotonic() - start:5.1f} s  {said}")
    changed = [str(p) for p, data in before.items() if p.read_bytes() != data]
    verdict = "CHANGED: " + ", ".join(changed) if changed else "yes"
    print(f"{'model and input unchanged':38s} {verdict}")
    with open("/dev/full", "w") as full:
        command = [shutil.which("attrib") or "attrib", "predict", *m, str(good)]
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, env=env, check=False)
    print(f"{'11. standard output on a full disk':38s} exit {done.returncode:2d}         "
          f"{summary(done.stderr)}")  # fmt: skip
    chain = [work / "deep"]
    while (chain[-1] / "d").is_dir():
        chain.append(chain[-1] / "d")
    for level in reversed(chain):  # deepest first: rmtree alone recurses 1,000 levels
        shutil.rmtree(level)
    masked = subprocess.run(
        [sys.executable, "-c", MASKING], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"{'4. name variants masked':38s} {masked}")


# Item 4: every written form of a name that once slipped past masking.
MASKING = r"""
from attrib.features.cleaning import mask_signatures
forms = ["SPUTNIK", "sputnik", "Tass", "TASS-reported", "Press\u00a0TV", "Press  TV",
         "Press\nTV", "Russia  Today", "T\u200bASS", "\u0422\u0410SS", "\uff32\uff34",
         "(SPUTNIK)", "/Tass/", "@RT_com", "RT.COM"]
missed = [f for f in forms if "§" not in mask_signatures(f) and "‹" not in mask_signatures(f)]
print(f"{len(forms) - len(missed)} of {len(forms)}", f"NOT MASKED: {missed!r}" if missed else "")
"""


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def summary(raw: bytes) -> str:
    """attrib's last two lines, control characters escaped, failures flagged."""
    text = raw.decode("utf-8", "replace")
    flags = []
    if "Traceback" in text:
        flags.append("TRACEBACK")
    if CONTROL.search(text.replace("\x1b[", "")):  # colour codes are attrib's own
        flags.append("RAW CONTROL")
    shown = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text).strip().splitlines()
    return " ".join(flags) + (" " if flags else "") + " | ".join(shown[-2:])[:230]


def npz_of_other_arrays() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, weights=np.ones(3))
    return buffer.getvalue()


if __name__ == "__main__":
    main()
