"""Make a corpus of any size with no network, by resampling sentences of the bundled corpus.

Each generated document belongs to one outlet and is made of sentences drawn (with a seeded
random generator) from that outlet's bundled articles, up to a target length. The result has the
corpus layout, so every attrib command can read it. It measures speed, not accuracy: a model
finds these documents easy, because each outlet's sentences are all it ever sees.

Resampled sentences alone would give a vocabulary that stops growing after a few hundred
documents, unlike real news. With ``novel`` > 0, that share of the words is replaced by made-up
words drawn from a Zipf-like law over an unbounded lexicon, so that the vocabulary keeps
growing with the corpus, as real text's does (Heaps' law).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from pathlib import Path

import attrib


def outlet_sentences() -> dict[str, list[str]]:
    """The bundled corpus's sentences, by outlet."""
    sentences: dict[str, list[str]] = {}
    for document in attrib.load_corpus().documents:
        parts = re.split(r"(?<=[.!?…])\s+", document.text)
        sentences.setdefault(document.label, []).extend(p.strip() for p in parts if len(p) > 20)
    return sentences


def made_up_word(rank: int) -> str:
    """The ``rank``-th word of an unbounded made-up lexicon: 3 to 10 letters, spelled by a hash,
    so that new words bring new character n-grams too (as names and rare words do)."""
    digest = hashlib.blake2b(rank.to_bytes(8, "little"), digest_size=11).digest()
    return "".join(chr(ord("a") + b % 26) for b in digest[1 : 4 + digest[0] % 8])


def with_novel_words(sentence: str, share: float, rng: random.Random) -> str:
    """Replace about ``share`` of the sentence's words by made-up words (Zipf-like ranks)."""
    words = sentence.split(" ")
    for i, word in enumerate(words):
        if word.isalpha() and rng.random() < share:
            novel = made_up_word(min(int(rng.paretovariate(0.5)), 10**9))
            words[i] = novel.capitalize() if word[0].isupper() else novel
    return " ".join(words)


def generate_texts(
    n: int, *, chars: int = 3500, seed: int = 0, novel: float = 0.0
) -> tuple[list[str], list[str]]:
    """Return ``n`` generated texts and their labels, outlets taking turns."""
    rng = random.Random(seed)
    pool = outlet_sentences()
    outlets = sorted(pool)
    texts, labels = [], []
    for i in range(n):
        outlet = outlets[i % len(outlets)]
        picked: list[str] = []
        length = 0
        while length < chars:
            sentence = rng.choice(pool[outlet])
            if novel:
                sentence = with_novel_words(sentence, novel, rng)
            picked.append(sentence)
            length += len(sentence) + 1
        texts.append(" ".join(picked))
        labels.append(outlet)
    return texts, labels


def write_corpus(
    root: Path, n: int, *, chars: int = 3500, seed: int = 0, novel: float = 0.0
) -> Path:
    """Write ``n`` generated documents to ``root`` in the corpus layout."""
    texts, labels = generate_texts(n, chars=chars, seed=seed, novel=novel)
    for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
        folder = root / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"gen_{i:06d}.txt").write_text(text, encoding="utf-8")
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("-n", type=int, default=200, help="number of documents")
    parser.add_argument("--chars", type=int, default=3500, help="characters per document")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--novel", type=float, default=0.0, help="share of made-up words")
    args = parser.parse_args()
    write_corpus(args.directory, args.n, chars=args.chars, seed=args.seed, novel=args.novel)
    print(f"wrote {args.n} documents to {args.directory}")
