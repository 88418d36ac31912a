"""The development corpus: the bundled seed articles plus ``../shared/corpus-dev``, joined.

The development set stays outside the repository; this links both into one temporary corpus
directory (symbolic links, nothing copied) for evaluation and benchmarks.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from attrib.reading.corpus import bundled_corpus_path

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-dev"


def dev_corpus(root: Path | None = None) -> Path:
    """Link the bundled corpus and corpus-dev into ``root`` (a new temporary directory)."""
    if not DEV.is_dir():
        raise SystemExit(f"{DEV} is missing: the development corpus sits beside the repository")
    root = root or Path(tempfile.mkdtemp(prefix="attrib-dev-"))
    for source in (bundled_corpus_path(), DEV):
        for path in sorted(source.glob("*/*.txt")):
            folder = root / path.parent.name
            folder.mkdir(parents=True, exist_ok=True)
            os.symlink(path, folder / f"{source.name}-{path.name}")
    return root


if __name__ == "__main__":
    print(dev_corpus())
