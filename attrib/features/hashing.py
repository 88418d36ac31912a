"""N-grams as 64-bit hashes, for a whole batch of texts at once, with NumPy.

scikit-learn's analyzers build every n-gram of a text as a Python string before counting it: a
few hundred nanoseconds per n-gram, and most of attrib's running time. Here a batch of texts
becomes one array of code points (document boundaries kept as offsets), each view of
:mod:`attrib.features.views` is a handful of array operations on it, and every n-gram is a 64-bit
hash computed for all positions at once. The n-grams themselves are the ones scikit-learn's
analyzers yield, to the character (``tests/test_counting.py`` checks it against them); only the
strings of n-grams a vocabulary keeps are ever built.

The hashes
    A character n-gram's hash is a polynomial over random 64-bit values of its code points
    (``sum(T[c_k] * M**(n-1-k))`` modulo ``2**64``, ``T`` a fixed bijective mix of the code point),
    tagged with ``n``. Two n-grams that differ in one character never collide (``T`` is a
    bijection and ``M`` odd). A word's hash sums a mix of each character with its position in the
    word, so long words do not weaken it; a word n-gram's is the polynomial over its words'
    hashes. Treating the hashes as random, an n-gram outside a vocabulary of ``V`` n-grams takes a
    vocabulary n-gram's count with probability ``V / 2**64`` (``5.4e-14`` for a million), and a
    text of 10,000 distinct n-grams is miscounted with probability below ``1e-9``. Collisions
    inside a vocabulary are looked for when it is built (:mod:`attrib.features.counting`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

_U64 = np.uint64
# Odd multipliers from the golden ratio and two 64-bit mixing constants; any odd values do.
_M = _U64(0x9E3779B97F4A7C15)
_M_WORDS = _U64(0xC2B2AE3D27D4EB4F)
_TAG = _U64(0xD6E8FEB86659FD93)
_SEEDS = (_U64(0), _U64(0x5851F42D4C957F2D))

#: Character classes, one bit each, as Python's ``re`` and ``str`` methods define them.
KNOWN, SPACE, WORD, DECIMAL, UPPER = 1, 2, 4, 8, 16
_FLAGS = np.zeros(0x110000, dtype=np.uint8)


def _classify(cps: np.ndarray) -> None:
    """Fill the class bits of code points not seen before (a few per batch after the first)."""
    for cp in cps.tolist():
        ch = chr(cp)
        bits = KNOWN
        bits |= SPACE if ch.isspace() else 0
        bits |= WORD if ch.isalnum() or ch == "_" else 0
        bits |= DECIMAL if ch.isdecimal() else 0
        bits |= UPPER if ch.isupper() else 0
        _FLAGS[cp] = bits


_classify(np.arange(256))


def flags(cps: np.ndarray) -> np.ndarray:
    """The class bits of each code point.

    ``SPACE`` is ``\\s``, ``WORD`` ``\\w``, ``DECIMAL`` ``\\d`` and ``UPPER`` ``str.isupper``.
    """
    found: np.ndarray = _FLAGS[cps]
    unknown = (found & KNOWN) == 0
    if unknown.any():
        _classify(distinct(cps[unknown]))
        found = _FLAGS[cps]
    return found


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` without its slower general path)."""
    values = np.sort(values)
    return values[np.append(True, values[1:] != values[:-1])] if len(values) else values


@dataclass
class Batch:
    """Texts as one array of code points; document ``i`` is ``cps[offsets[i]:offsets[i + 1]]``."""

    cps: np.ndarray
    offsets: np.ndarray

    @classmethod
    def of(cls, texts: Sequence[str]) -> Batch:
        """The texts' code points (lone surrogates kept as Python keeps them)."""
        joined = "".join(texts).encode("utf-32-le", "surrogatepass")
        cps = np.frombuffer(joined, dtype="<u4").astype(np.int64)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        return cls(cps, np.concatenate(([0], np.cumsum(lengths))))

    @property
    def documents(self) -> int:
        return len(self.offsets) - 1

    def text(self) -> str:
        """The batch's code points as one string (to slice n-gram strings from)."""
        return self.cps.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")

    def rows(self) -> np.ndarray:
        """The document of each position."""
        return np.repeat(np.arange(self.documents), np.diff(self.offsets))

    def starts(self) -> np.ndarray:
        """True at each document's first position."""
        first = np.zeros(len(self.cps) + 1, dtype=bool)
        first[self.offsets[:-1]] = True
        return first[:-1]

    def keep(self, kept: np.ndarray, cps: np.ndarray | None = None) -> Batch:
        """The batch with only the positions where ``kept`` is true (values from ``cps``)."""
        counts = np.concatenate(([0], np.cumsum(kept)))
        source = self.cps if cps is None else cps
        return Batch(source[kept], counts[self.offsets])


def run_starts(classes: np.ndarray, batch: Batch) -> np.ndarray:
    """True where a run of equal ``classes`` begins (runs never cross documents)."""
    start = batch.starts()
    start[1:] |= classes[1:] != classes[:-1]
    if len(start):
        start[0] = True
    return start


def punctuation_batch(batch: Batch) -> Batch:
    """Every run of letters becomes ``w``, every run of decimal digits ``d``; the rest stays."""
    bits = flags(batch.cps)
    decimal = (bits & DECIMAL) != 0
    letter = ((bits & WORD) != 0) & ~decimal & (batch.cps != ord("_"))
    classes = decimal.astype(np.int8) + 2 * letter.astype(np.int8)
    mapped = np.where(decimal, ord("d"), np.where(letter, ord("w"), batch.cps))
    return batch.keep((classes == 0) | run_starts(classes, batch), mapped)


def shape_batch(batch: Batch) -> Batch:
    """Capitals ``X``, other letters ``x`` (three or more in a row: ``xxx``), digits ``d``."""
    bits = flags(batch.cps)
    letter_or_digit = ((bits & WORD) != 0) & (batch.cps != ord("_"))
    shape = np.where(
        (bits & DECIMAL) != 0, ord("d"), np.where((bits & UPPER) != 0, ord("X"), ord("x"))
    )
    mapped = np.where(letter_or_digit, shape, batch.cps)
    small = mapped == ord("x")
    start = run_starts(small, batch)
    positions = np.arange(len(mapped))
    since = positions - np.maximum.accumulate(np.where(start, positions, 0))
    return batch.keep(~small | (since < 3), mapped)


def squeeze_spaces(batch: Batch) -> Batch:
    """Runs of two or more whitespace characters become one space (as the char analyzers do)."""
    space = (flags(batch.cps) & SPACE) != 0
    start = run_starts(space, batch)
    following = np.zeros(len(space), dtype=bool)
    following[:-1] = space[1:] & ~batch.starts()[1:]
    mapped = np.where(space & start & following, ord(" "), batch.cps)
    return batch.keep(~space | start, mapped)


def _mix(values: np.ndarray, seed: np.uint64) -> np.ndarray:
    """A bijective 64-bit mix (the finaliser of MurmurHash3) of ``values ^ seed``."""
    with np.errstate(over="ignore"):
        h = values.astype(np.uint64) ^ seed
        h ^= h >> _U64(33)
        h *= _U64(0xFF51AFD7ED558CCD)
        h ^= h >> _U64(33)
        h *= _U64(0xC4CEB9FE1A85EC53)
        h ^= h >> _U64(33)
    return h


@dataclass
class Grams:
    """N-grams found in a batch: each one's hash and document, and how to spell them.

    ``starts`` locates each n-gram in ``units``: the batch's characters (character n-grams) or
    its words (word n-grams; ``bounds`` then gives each word's characters). ``rows`` are
    documents, or distinct words (see ``through``). The n-grams come in
    blocks of one length: ``blocks`` lists each block's ``(n, size)``.
    """

    keys: np.ndarray
    rows: np.ndarray
    starts: np.ndarray
    blocks: list[tuple[int, int]]
    units: Batch
    bounds: np.ndarray | None = None
    #: When the rows are distinct words rather than documents: how often each document has each
    #: word (a documents x words sparse matrix).
    through: sp.csr_matrix | None = None

    def lengths(self) -> np.ndarray:
        """Each n-gram's ``n``."""
        return np.repeat(*np.array(self.blocks, dtype=np.int64).reshape(-1, 2).T)

    def spell(self, selected: np.ndarray) -> list[str]:
        """The strings of the n-grams at ``selected``."""
        text = self.units.text()
        starts, lengths = self.starts[selected], self.lengths()[selected]
        if self.bounds is None:
            ends = starts + lengths
            return [text[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        # Word n-grams: each selected n-gram's words, then joined n by n.
        first = np.repeat(np.cumsum(lengths) - lengths, lengths)
        tokens = np.repeat(starts, lengths) + np.arange(int(lengths.sum())) - first
        a, b = self.bounds[tokens, 0].tolist(), self.bounds[tokens, 1].tolist()
        words = iter([text[i:j] for i, j in zip(a, b, strict=True)])
        return [" ".join([next(words) for _ in range(n)]) for n in lengths.tolist()]


def _windows(
    values: np.ndarray,
    room: np.ndarray,
    low: int,
    high: int,
    multiplier: np.uint64,
    whole: dict[int, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Hashes of every window of ``low``-``high`` values that fits in its position's ``room``.

    ``room`` is how many values from each position on belong to the same unit. ``whole`` (the
    starts of units shorter than ``low``, by length: ``char_wb``'s rule) adds each such unit
    whole. Returns the keys, start positions and blocks.
    """
    size = len(values)
    lengths = range(1, min(high, size) + 1)
    whole = whole or {}
    blocks = [
        (n, int(np.count_nonzero(room >= n)) if n >= low else len(whole[n]))
        for n in lengths
        if n >= low or n in whole
    ]
    # Written in place, block by block: no list of blocks to join (half the peak memory).
    total = sum(count for _, count in blocks)
    keys = np.empty(total, dtype=np.uint64)
    where = np.empty(total, dtype=np.int64)
    h = np.zeros(size, dtype=np.uint64)
    done = 0
    wanted = dict(blocks)
    with np.errstate(over="ignore"):
        for n in lengths:
            k = n - 1
            h[: size - k] *= multiplier
            h[: size - k] += values[k:]
            if n not in wanted:
                continue
            found = np.flatnonzero(room[: size - k] >= n) if n >= low else whole[n]
            block = slice(done, done + len(found))
            np.take(h, found, out=keys[block])
            keys[block] ^= _TAG * _U64(n)
            where[block] = found
            done += len(found)
    return keys, where, blocks


def _room(offsets: np.ndarray) -> np.ndarray:
    """For each position, how many positions from it to the end of its unit."""
    lengths = np.diff(offsets)
    return np.repeat(offsets[1:], lengths) - np.arange(offsets[-1])


def char_grams(batch: Batch, low: int, high: int, *, whole_short: bool, seed: int = 0) -> Grams:
    """Every character n-gram, ``low <= n <= high``, that lies within one of ``batch``'s texts.

    Each n-gram's row is its text. With ``whole_short`` (the ``char_wb`` units), a text shorter
    than ``low`` yields itself once, as scikit-learn's ``char_wb`` analyzer does.
    """
    lengths = np.diff(batch.offsets)
    whole = None
    if whole_short:
        whole = {n: batch.offsets[:-1][lengths == n] for n in range(1, low)}
    values = _mix(batch.cps, _SEEDS[seed])
    keys, starts, blocks = _windows(values, _room(batch.offsets), low, high, _M, whole)
    return Grams(keys, batch.rows().take(starts), starts, blocks, batch)


def distinct_words(texts: Sequence[str]) -> tuple[list[str], sp.csr_matrix]:
    """The distinct words (as ``str.split`` finds them) of the texts, and how often each text has
    each (texts x words)."""
    ids: dict[str, int] = {}
    indptr, indices, data = [0], [], []  # type: list[int], list[int], list[int]
    for text in texts:
        counted = Counter(text.split())
        indices.extend([ids.setdefault(word, len(ids)) for word in counted])
        data.extend(counted.values())
        indptr.append(len(indices))
    matrix = sp.csr_matrix(
        (np.array(data, dtype=np.int64), np.array(indices, dtype=np.int64), indptr),
        shape=(len(texts), len(ids)),
    )
    return list(ids), matrix


def word_char_grams(
    texts: Sequence[str], low: int, high: int, *, whole_short: bool, seed: int = 0
) -> Grams:
    """The ``char_wb`` n-grams of the texts, found once per distinct word.

    A word's n-grams do not depend on its neighbours, and news repeats its words: hashing each
    distinct word of a batch once, and counting through the texts x words matrix, is exact and
    several times less work than hashing every occurrence.
    """
    words, through = distinct_words(texts)
    padded = Batch.of([f" {word} " for word in words])  # as char_wb pads each word
    grams = char_grams(padded, low, high, whole_short=whole_short, seed=seed)
    grams.through = through
    return grams


def word_grams(batch: Batch, low: int, high: int, *, seed: int = 0) -> Grams:
    """Every word n-gram, ``low <= n <= high``, of the texts.

    Words are what ``\\b\\w\\w+\\b`` finds, as scikit-learn's default token pattern.
    """
    word = (flags(batch.cps) & WORD) != 0
    start = run_starts(word, batch) & word
    which = np.cumsum(start) - 1
    lengths = np.bincount(which[word], minlength=int(start.sum()))
    long = lengths >= 2
    token_starts = np.flatnonzero(start)[long]
    bounds = np.stack([token_starts, token_starts + lengths[long]], axis=1)
    if not len(bounds):
        nothing = np.zeros(0, dtype=np.int64)
        return Grams(np.zeros(0, dtype=np.uint64), nothing, nothing, [], batch, bounds)
    # A word's hash: the sum of a mix of each character with its place in the word, so that
    # no structure of the word (repeats, length) weakens it.
    inside = word & long[np.maximum(which, 0)]
    owner = which[inside]
    places = np.flatnonzero(inside) - np.flatnonzero(start)[owner]
    with np.errstate(over="ignore"):
        mixed = _mix(batch.cps[inside] | (places << 21), _SEEDS[seed])
        sums = np.add.reduceat(mixed, np.concatenate(([0], np.cumsum(lengths[long])[:-1])))
        words = _mix(sums ^ (_TAG * lengths[long].astype(np.uint64)), _SEEDS[seed])
    documents = batch.rows()[token_starts]
    room = np.searchsorted(documents, documents, side="right") - np.arange(len(documents))
    keys, starts, blocks = _windows(words, room, low, high, _M_WORDS)
    return Grams(keys, documents.take(starts), starts, blocks, batch, bounds)


#: Keys looked up at once: the probes' temporary arrays (32 bytes per key) stay small.
_LOOKUP_KEYS = 1 << 16


class HashIndex:
    """Distinct 64-bit keys and their positions, in an open-addressing table looked up in bulk.

    The table has a power of two of slots, at least four times the keys (a key not in the
    table then usually finds an empty slot at once); a key's first slot is its top bits (the keys
    are well mixed already), and a key that finds its slot taken tries the next. Each slot holds
    the key and its position side by side, so a probe reads one cache line. Each round of a
    lookup handles all the keys still unresolved at once.
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.size = 0
        self._allocate(len(keys))
        self.add(keys)

    def _allocate(self, capacity: int) -> None:
        bits = max(4, int(4 * capacity - 1).bit_length())
        self.shift = _U64(64 - bits)
        self.mask = (1 << bits) - 1
        self.table = np.zeros((1 << bits, 2), dtype=np.uint64)
        self.table[:, 1].view(np.int64)[:] = -1

    def add(self, keys: np.ndarray) -> None:
        """Add keys not in the index yet (and distinct); they take the next positions."""
        if 4 * (self.size + len(keys)) > len(self.table):  # grow: rebuild at twice the size
            old = self.table[self.table[:, 1].view(np.int64) >= 0]
            order = np.argsort(old[:, 1].view(np.int64))
            self._allocate(2 * (self.size + len(keys)))
            self.size = 0
            self._insert(old[order, 0])
        self._insert(keys)

    def _insert(self, keys: np.ndarray) -> None:
        values = self.table[:, 1].view(np.int64)
        pending = np.arange(len(keys))
        slots = (keys >> self.shift).astype(np.int64)
        while len(pending):
            wanted = slots[pending]
            free = values[wanted] < 0
            candidates, places = pending[free], wanted[free]
            values[places] = candidates  # of several keys after one slot, one wins
            won = values[places] == candidates
            self.table[places[won], 0] = keys[candidates[won]]
            values[places[won]] += self.size
            pending = np.concatenate((pending[~free], candidates[~won]))
            slots[pending] = (slots[pending] + 1) & self.mask
        self.size += len(keys)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Each key's position in the keys the index was built from, or -1."""
        if len(keys) <= _LOOKUP_KEYS:
            return self._lookup(keys)
        result = np.empty(len(keys), dtype=np.int64)
        for start in range(0, len(keys), _LOOKUP_KEYS):
            result[start : start + _LOOKUP_KEYS] = self._lookup(keys[start : start + _LOOKUP_KEYS])
        return result

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        slots = (keys >> self.shift).astype(np.int64)
        found = self.table.take(slots, axis=0)
        values = found[:, 1].view(np.int64)
        hit = found[:, 0] == keys
        result = np.where(hit, values, -1)
        pending = np.flatnonzero(~hit & (values >= 0))  # the slot holds another key: try on
        slots = slots[pending]
        while len(pending):
            slots = (slots + 1) & self.mask
            found = self.table.take(slots, axis=0)
            values = found[:, 1].view(np.int64)
            hit = found[:, 0] == keys[pending]
            result[pending[hit]] = values[hit]
            more = ~hit & (values >= 0)
            pending, slots = pending[more], slots[more]
        return result
