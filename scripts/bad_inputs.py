"""Feed every kind of awkward input to the installed `attrib` and print what it answers.

    python scripts/bad_inputs.py

Runs in a temporary directory with its own config (signing key); changes nothing else.
"""

from __future__ import annotations

import codecs
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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

        def run(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
            done = subprocess.run(
                [attrib, *args], cwd=work, env=env, input=stdin, capture_output=True, check=False
            )
            out = (done.stdout + done.stderr).decode("utf-8", "replace").strip().splitlines()
            return done.returncode, " | ".join(out[-2:])[:230]

        run("train")
        model = work / "models" / "attrib.joblib"
        article = subprocess.run(
            [sys.executable, "-c", "import attrib.corpus as c; print(c.bundled_corpus_path())"],
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
            ("corpus with one outlet", ["train", str(work / "one-outlet"), "-o", "x.joblib"], None),
            ("outlet with no usable document", ["train", str(unusable), "-o", "x.joblib"], None),
        ]
        good = model.read_bytes()
        damaged = {
            "model truncated": good[:-200],
            "model of random bytes": b"\x00" + os.urandom(512),
            "another program's pickle": pickle.dumps({"weights": [1, 2]}),
            "model from a newer format": re.sub(rb'"format": \d+,', b'"format": 9,', good, count=1),
        }
        for name, raw in damaged.items():
            path = work / (name.replace(" ", "_").replace("'", "") + ".joblib")
            path.write_bytes(raw)
            cases.append((name, ["predict", "-m", str(path), str(work / "a_recipe.txt")], None))
        for name, args, stdin in cases:
            code, said = run(*args, stdin=stdin)
            print(f"{name:34s} exit {code}  {said}")
        env["ATTRIB_CONFIG_DIR"] = str(work / "another-user")
        code, said = run("predict", str(work / "a_recipe.txt"))
        print(f"{'model signed by another user':34s} exit {code}  {said}")


if __name__ == "__main__":
    main()
