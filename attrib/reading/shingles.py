"""Word 8-gram shingles: the fingerprint of a text used to find copies and near-duplicates."""

from __future__ import annotations

import hashlib
import re

SHINGLE_WORDS = 8
_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[int]:
    """Hashes of the text's word ``n``-grams (lower-cased words, punctuation ignored).

    The hash is the same in every process (BLAKE2b, 64 bits), unlike Python's ``hash()`` of a
    string, which each process salts: an index built in one process is looked up in others
    (``predict -j``, Dask workers).
    """
    words = _WORD.findall(text.lower())
    return {_stable_hash(" ".join(words[i : i + n])) for i in range(len(words) - n + 1)}


def _stable_hash(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")
