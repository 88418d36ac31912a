"""Saving and loading model files: data, not code.

A model file is a ZIP archive of uncompressed parts, a NumPy ``.npz`` (``numpy.load(path)``
lists its arrays):

=========================  ============================================================
part                       holds
=========================  ============================================================
``attrib-model.json``      the header: format version, metadata (versions, corpus,
                           options, open-set thresholds), the model's structure (labels,
                           cleaning options, each view's settings) and every array's
                           dtype and shape; always the first part
``VIEW.hashes.npy``        each n-gram's 64-bit hash, in column order (``uint64``)
``VIEW.names.npy``         the n-grams, concatenated, as UTF-8 (``uint8``)
``VIEW.ends.npy``          where each n-gram ends in those names, in characters (``int64``)
``VIEW.idf.npy``           the view's IDF weights (``float64``)
``classifier.coef.npy``    coefficients: one row per outlet, one column per feature
``classifier.intercept.npy``  one intercept per outlet
=========================  ============================================================

``VIEW`` is ``char``, ``word``, ``punct`` or ``shape``. A bounded model's views are hashed
columns, most of which a small corpus never reaches: they have no vocabulary (no hashes, names or
ends), and store only what differs from the unreached columns' values: ``VIEW.idf.columns`` and
``VIEW.idf.values`` (the others have the header's ``idf_fill``), ``classifier.columns`` (the
columns of ``classifier.coef``; the others weigh 0), and its coverage bitmap as
``seen.positions`` (the bits set, ``uint32``) or, when that is larger, ``seen.bits`` (the bitmap,
``uint8``). The ZIP comment is ``attrib-model sha256=`` and the SHA-256 of every byte before it.

Loading never unpickles and never imports a class named in the file: it reads the ZIP's directory
and the header, checks the header's every field, that the parts are exactly the ones its
structure calls for, each of the dtype and shape the structure implies and stored uncompressed at
exactly its size (so no part can expand, and no size in the header can be absurd), all before
reading any array; then the file's checksum; then each part with ``allow_pickle=False``, its
values' bounds (finite weights, n-gram ends that fit the names). A file from any user or machine
loads without ``--trust``, and gives the same scores whichever scikit-learn is installed: scores
are computed from the arrays (:mod:`attrib.modeling.scoring`).

Files of attrib 0.1 (a signed header and a pickle) are read by :mod:`attrib.storage.legacy`, only
when signed by this installation or trusted; :func:`convert_model` rewrites one as data.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from attrib.errors import AttribWarning, ModelFileError, OptionError, OutputError
from attrib.features.counting import VIEWS, FittedCounter
from attrib.modeling.model import Model
from attrib.modeling.openset import SeenNgrams
from attrib.modeling.scoring import PROBABILITIES, LinearPart, Scorer, ViewPart
from attrib.options import check
from attrib.storage.files import check_output, open_model_file, write_atomically

FORMAT_VERSION = 4
#: The default model path, relative to the current directory.
DEFAULT_MODEL_PATH = Path("models") / "attrib.npz"
#: The first part of every model file.
HEADER = "attrib-model.json"
#: The views a model may have, in column order.
VIEW_NAMES = ("char", "word", "punct", "shape")

#: How files of attrib 0.1 begin (:data:`attrib.storage.legacy.MAGIC`).
LEGACY_MAGIC = b"ATTRIB-MODEL\n"
_MAX_HEADER_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_COMMENT = re.compile(rb"attrib-model sha256=([0-9a-f]{64})")
_COMMENT_BYTES = len(b"attrib-model sha256=") + 64
# Pickle protocols 2-5, then joblib's compressors: zlib, gzip, bz2, xz, lz4, zstd.
_PICKLE_PREFIXES = (
    *(bytes([0x80, protocol]) for protocol in range(2, 6)),
    *(bytes([0x78, level]) for level in (0x01, 0x5E, 0x9C, 0xDA)),
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"\x04\x22\x4d\x18",
    b"\x28\xb5\x2f\xfd",
)


def save_model(
    model: Model,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    protect: Iterable[tuple[str, str | os.PathLike[str]]] = (),
) -> Path:
    """Write a model file atomically.

    Parameters
    ----------
    model : Model
        The fitted model.
    path : str or path-like
        Where to write it; missing parent directories are created.
    overwrite : bool, default False
        Replace an existing file even if it is not a model of the same corpus.
    protect : iterable of (what, path)
        Files never to write over, even with ``overwrite`` (the training corpus's files).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ModelFileError
        If ``path`` holds something other than a model of the same corpus and ``overwrite`` is
        false, is not a regular file or is protected, or if the file cannot be written.

    Examples
    --------
    >>> import tempfile, attrib
    >>> path = attrib.save_model(attrib.train(), tempfile.mkdtemp() + "/model.npz")
    >>> attrib.load_model(path).labels
    ['presstv', 'rt', 'sputnik', 'tass']
    """
    path = Path(path)
    protect = list(protect)
    corpus = model.metadata["corpus"]
    check_can_save(path, corpus["fingerprint"], overwrite=overwrite, protect=protect, corpus=corpus)
    try:
        return write_atomically(path, model_bytes(model), protect=protect)
    except OutputError as error:
        raise ModelFileError(str(error)) from None


def model_bytes(model: Model) -> bytes:
    """The model file's content (see the module's description)."""
    structure, arrays = _parts(model)
    header = {
        "format": FORMAT_VERSION,
        "metadata": model.metadata,
        "model": structure,
        "arrays": {
            name: {"dtype": array.dtype.str, "shape": list(array.shape)}
            for name, array in arrays.items()
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(_entry(HEADER), json.dumps(header, indent=1, sort_keys=True))
        for name, array in arrays.items():
            part = io.BytesIO()
            np.lib.format.write_array(part, array, allow_pickle=False)
            archive.writestr(_entry(name + ".npy"), part.getvalue())
        archive.comment = b"0" * _COMMENT_BYTES  # its place, filled in below
    data = buffer.getvalue()
    digest = hashlib.sha256(data[:-_COMMENT_BYTES]).hexdigest()
    return data[:-_COMMENT_BYTES] + b"attrib-model sha256=" + digest.encode("ascii")


def _entry(name: str) -> zipfile.ZipInfo:
    """A part with a fixed date: the same model gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


def _parts(model: Model) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The model's structure (JSON) and its arrays, by part name."""
    scorer = model.scorer
    arrays: dict[str, np.ndarray] = {}
    views = []
    for view in scorer.views:
        counter = view.counter
        views.append(
            {
                "name": view.name,
                "view": counter.view,
                "ngram_range": [int(n) for n in counter.ngram_range],
                "lowercase": bool(counter.lowercase),
                "hash_bits": None if counter.hash_bits is None else int(counter.hash_bits),
                "sublinear_tf": bool(view.sublinear_tf),
                "features": int(counter.n_features),
            }
        )
        if counter.hash_bits is None:
            names = counter.names_text_.encode("utf-8", "surrogatepass")
            arrays[f"{view.name}.hashes"] = np.ascontiguousarray(counter.hashes_, dtype="<u8")
            arrays[f"{view.name}.names"] = np.frombuffer(names, dtype=np.uint8)
            arrays[f"{view.name}.ends"] = np.ascontiguousarray(counter.names_ends_, dtype="<i8")
            arrays[f"{view.name}.idf"] = np.ascontiguousarray(view.idf, dtype="<f8")
        else:
            # Hashed columns no training text reached all have the largest weight: list the others.
            fill = float(view.idf.max())
            columns = np.flatnonzero(view.idf != fill)
            views[-1]["idf_fill"] = fill
            arrays[f"{view.name}.idf.columns"] = columns.astype("<i8")
            arrays[f"{view.name}.idf.values"] = np.ascontiguousarray(view.idf[columns], dtype="<f8")
    coef = np.ascontiguousarray(scorer.linear.coef, dtype="<f8")
    hashed = any(view.counter.hash_bits is not None for view in scorer.views)
    if hashed:  # a hashed column no training text reached has no weight: list the others
        columns = np.flatnonzero(np.any(coef != 0, axis=0))
        arrays["classifier.columns"] = columns.astype("<i8")
        coef = np.ascontiguousarray(coef[:, columns])
    arrays["classifier.coef"] = coef
    arrays["classifier.intercept"] = np.ascontiguousarray(scorer.linear.intercept, dtype="<f8")
    seen: dict[str, Any] | None = None
    if model.seen is not None:
        seen = {"bits": int(model.seen.bits), "stored": "bitmap"}
        positions = model.seen.positions()
        if 4 * len(positions) < len(model.seen.packed):
            seen["stored"] = "positions"
            arrays["seen.positions"] = positions.astype("<u4")
        else:
            arrays["seen.bits"] = np.ascontiguousarray(model.seen.packed, dtype=np.uint8)
    structure = {
        "labels": list(scorer.labels),
        "cleaning": dict(scorer.cleaning),
        "views": views,
        "classifier": {
            "probability": scorer.linear.probability,
            "columns": "listed" if hashed else "all",
        },
        "seen": seen,
    }
    return structure, arrays


def check_can_save(
    path: str | os.PathLike[str],
    fingerprint: str,
    *,
    overwrite: bool = False,
    protect: Iterable[tuple[str, str | os.PathLike[str]]] = (),
    corpus: dict[str, Any] | None = None,
) -> None:
    """Raise unless a model of the corpus ``fingerprint`` may be saved at ``path``.

    The path must be a regular file or free, not a protected file (even with ``overwrite``),
    and, unless ``overwrite``, free or a model of the same corpus (:func:`check_can_replace`;
    ``corpus``, the new corpus's summary, lets it say how the corpus changed).

    Raises
    ------
    ModelFileError
        Naming what is in the way and how to proceed.
    """
    try:
        check_output(path, protect=protect)
    except OutputError as error:
        raise ModelFileError(str(error)) from None
    if not overwrite:
        check_can_replace(path, fingerprint, corpus)


def check_can_replace(
    path: str | os.PathLike[str], fingerprint: str, corpus: dict[str, Any] | None = None
) -> None:
    """Raise unless ``path`` is free or holds a model trained on the corpus ``fingerprint``.

    A path that is not a regular file is refused before this, by :func:`check_can_save`.

    Raises
    ------
    ModelFileError
        Naming what the file holds and how to proceed.
    """
    path = Path(path)
    if not path.exists():
        return
    try:
        existing = read_header(path)["metadata"]["corpus"]
        if not isinstance(existing, dict):
            raise TypeError
    except (ModelFileError, KeyError, TypeError):
        raise ModelFileError(
            f"{path} exists and is not an attrib model; choose another path (-o) or replace it "
            "on purpose (--force)"
        ) from None
    if existing.get("fingerprint") == fingerprint:
        return
    if corpus is not None and _same_folder(existing.get("path"), corpus.get("path")):
        raise ModelFileError(
            f"{path} holds a model of {existing.get('path')} as it was when that model was "
            f"trained ({existing.get('documents')} documents; it now has "
            f"{corpus.get('documents')}, and its texts changed): replace the model with --force, "
            "or choose another path (-o)"
        )
    raise ModelFileError(
        f"{path} holds a model trained on a different corpus ({existing.get('path')}, "
        f"{existing.get('documents')} documents); choose another path (-o) or replace it "
        "on purpose (--force)"
    )


def _same_folder(one: Any, other: Any) -> bool:
    if not isinstance(one, str) or not isinstance(other, str):
        return False
    try:
        return os.path.samefile(one, other)
    except OSError:
        return os.path.abspath(one) == os.path.abspath(other)


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a model file's header without reading its arrays.

    Returns
    -------
    dict
        ``format`` and ``metadata``; for a data file also ``model`` (its structure) and
        ``arrays`` (each part's dtype and shape), for an old one ``payload``.

    Raises
    ------
    ModelFileError
        If the file is missing, is not an attrib model, has a damaged header or was written by a
        newer format.
    """
    path = Path(path)
    with open_model_file(path) as handle:
        if _is_legacy(handle):
            from attrib.storage import legacy  # old pickle files: scikit-learn only for them

            return legacy.read_header(path)
        header, _ = _read_header(path, handle)
    return header


def load_model(path: str | os.PathLike[str], *, trust: bool = False) -> Model:
    """Load a model file, checking it whole before any array is used.

    Parameters
    ----------
    path : str or path-like
        The model file.
    trust : bool, default False
        Only for files of attrib 0.1 (a pickle) not signed by this installation: load it
        anyway. Unpickling runs code from the file: trust only files whose origin you know.
        Data files (the format attrib writes) need no trust.

    Returns
    -------
    Model

    Raises
    ------
    ModelFileError
        If the file is missing, not an attrib model, truncated, corrupted, written by a newer
        format, or an old pickle not signed by this installation (unless ``trust``).

    Warns
    -----
    AttribWarning
        For an old pickle file: convert it with ``attrib model convert``.
    """
    path = Path(path)
    with open_model_file(path) as handle:
        if _is_legacy(handle):
            from attrib.storage import legacy  # old pickle files: scikit-learn only for them

            handle.close()
            model = legacy.load(path, trust=trust)
            warnings.warn(
                f"{path} is an old-format model file (a pickle); convert it to the data format "
                f"that loads anywhere without --trust: attrib model convert {path} NEW.npz",
                AttribWarning,
                stacklevel=2,
            )
            return model
        header, archive = _read_header(path, handle)
        _check_digest(path, handle)
        arrays = {
            name: _read_array(path, archive, name, spec) for name, spec in header["arrays"].items()
        }
    return _model(path, header, arrays)


def convert_model(
    old: str | os.PathLike[str],
    new: str | os.PathLike[str],
    *,
    trust: bool = False,
    overwrite: bool = False,
) -> Path:
    """Rewrite a model file of attrib 0.1 (a pickle) as a data file.

    Loading the old file unpickles it, which runs code from it: it must be signed by this
    installation, or ``trust`` must be given. ``new`` is never ``old``.

    Raises
    ------
    ModelFileError
        As :func:`load_model` and :func:`save_model`.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*old-format model file", category=AttribWarning)
        model = load_model(old, trust=trust)
    return save_model(model, new, overwrite=overwrite, protect=[("the model to convert", old)])


def describe(path: str | os.PathLike[str]) -> dict[str, Any]:
    """What a model file says about itself, read from its header alone (no array is loaded).

    Returns
    -------
    dict
        ``path``, ``bytes``, ``format``, ``kind`` (``"data"``, or ``"pickle"`` for a file of
        attrib 0.1), ``labels``, ``attrib_version``, ``sklearn_version`` (what it was trained
        with), ``created``, ``corpus`` (path, fingerprint, documents and characters per
        outlet), ``training`` (``{"mode": "default"}`` or the bounded settings), ``options``,
        ``open_set`` and, for a data file, ``views`` (each view's settings and number of
        features) and ``arrays`` (each part's dtype and shape).

    Raises
    ------
    ModelFileError
        As :func:`read_header`.
    """
    path = Path(path)
    header = read_header(path)
    metadata = header["metadata"]
    data = header["format"] >= FORMAT_VERSION
    described: dict[str, Any] = {
        "path": os.fspath(path),
        "bytes": path.stat().st_size,
        "format": header["format"],
        "kind": "data" if data else "pickle",
        "labels": metadata.get("labels"),
        "attrib_version": metadata.get("attrib_version"),
        "sklearn_version": metadata.get("sklearn_version"),
        "created": metadata.get("created"),
        "corpus": metadata.get("corpus"),
        "training": metadata.get("training") or {"mode": "default"},
        "options": metadata.get("options"),
        "open_set": metadata.get("open_set"),
    }
    if data:
        described["views"] = header["model"]["views"]
        described["arrays"] = header["arrays"]
    return described


# -- reading ------------------------------------------------------------------------------------


def _is_legacy(handle: Any) -> bool:
    start = handle.read(len(LEGACY_MAGIC))
    handle.seek(0)
    return bool(start == LEGACY_MAGIC)


def _read_header(path: Path, handle: Any) -> tuple[dict[str, Any], zipfile.ZipFile]:
    """The checked header and the open archive: everything but the arrays' bytes."""
    damaged = f"{path} is corrupted (its header cannot be read); retrain it"
    start = handle.read(30 + len(HEADER))
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        if start.startswith(b"PK\x03\x04") and start[30:] == HEADER.encode():
            raise ModelFileError(
                f"{path} is truncated or corrupted (its ZIP directory cannot be read); retrain it"
            ) from None
        raise ModelFileError(_foreign(path, start)) from None
    if not members or members[0].filename != HEADER:
        raise ModelFileError(f"{path} is not an attrib model file")
    info = members[0]
    if info.file_size > _MAX_HEADER_BYTES or info.compress_type != zipfile.ZIP_STORED:
        raise ModelFileError(damaged)
    try:
        header = json.loads(archive.read(info))
    except (zipfile.BadZipFile, OSError, ValueError, RecursionError, EOFError):
        raise ModelFileError(damaged) from None
    if not isinstance(header, dict) or not isinstance(header.get("metadata"), dict):
        raise ModelFileError(damaged)
    version: Any = header.get("format")
    if not _is_int(version) or version < FORMAT_VERSION:
        raise ModelFileError(f"{path} is corrupted (format {version!r} is not valid); retrain it")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written by a newer attrib (model format {version}; this attrib reads "
            f"format {FORMAT_VERSION}); upgrade attrib or retrain the model with this one"
        )
    expected = _expected_arrays(path, header)
    if header.get("arrays") != expected:
        raise ModelFileError(
            f"{path} is corrupted (its list of arrays does not match its structure); retrain it"
        )
    _check_members(path, members[1:], expected, os.fstat(handle.fileno()).st_size)
    return header, archive


def _expected_arrays(path: Path, header: dict[str, Any]) -> dict[str, Any]:
    """The parts the header's structure calls for, with their dtypes and shapes."""
    model = header.get("model")
    metadata = header["metadata"]
    arrays = header.get("arrays")

    def bad(what: str) -> ModelFileError:
        return ModelFileError(f"{path} is corrupted ({what}); retrain it")

    if not isinstance(model, dict) or not isinstance(arrays, dict):
        raise bad("its header lacks the model's structure")
    labels = model.get("labels")
    if (
        not isinstance(labels, list)
        or len(labels) < 2
        or not all(isinstance(label, str) for label in labels)
        or len(set(labels)) != len(labels)
        or metadata.get("labels") != labels
    ):
        raise bad("its outlets are not a list of distinct names")
    cleaning = model.get("cleaning")
    try:
        if not isinstance(cleaning, dict) or set(cleaning) != {
            "mask",
            "distort_words",
            "typography",
        }:
            raise OptionError("")
        for name, value in cleaning.items():
            check(name, value)
    except OptionError:
        raise bad("its cleaning options are not valid") from None
    views = model.get("views")
    if not isinstance(views, list) or not 1 <= len(views) <= len(VIEW_NAMES):
        raise bad("its views are not valid")
    expected: dict[str, Any] = {}
    width = 0
    for view in views:
        name, features = _check_view(view, bad)
        if name in (v["name"] for v in views if v is not view):
            raise bad(f"it has two {name} views")
        if view["hash_bits"] is None:
            names_spec = arrays.get(f"{name}.names")
            names_shape = names_spec.get("shape") if isinstance(names_spec, dict) else None
            if (
                not isinstance(names_shape, list)
                or len(names_shape) != 1
                or not _is_int(names_shape[0])
                or names_shape[0] < 0
            ):
                raise bad(f"the size of the {name} view's names is not valid")
            expected[f"{name}.hashes"] = _spec("<u8", [features])
            expected[f"{name}.names"] = _spec("|u1", names_shape)
            expected[f"{name}.ends"] = _spec("<i8", [features])
            expected[f"{name}.idf"] = _spec("<f8", [features])
        else:
            listed = _listed(arrays, f"{name}.idf.columns", features, bad)
            expected[f"{name}.idf.columns"] = _spec("<i8", [listed])
            expected[f"{name}.idf.values"] = _spec("<f8", [listed])
        width += features
    classifier = model.get("classifier")
    if (
        not isinstance(classifier, dict)
        or set(classifier) != {"probability", "columns"}
        or classifier["probability"] not in PROBABILITIES
        or classifier["columns"] not in ("all", "listed")
    ):
        raise bad("its classifier is not valid")
    rows = 1 if len(labels) == 2 else len(labels)
    columns = width
    if classifier["columns"] == "listed":
        columns = _listed(arrays, "classifier.columns", width, bad)
        expected["classifier.columns"] = _spec("<i8", [columns])
    expected["classifier.coef"] = _spec("<f8", [rows, columns])
    expected["classifier.intercept"] = _spec("<f8", [rows])
    seen = model.get("seen")
    if seen is not None:
        try:
            if not isinstance(seen, dict) or set(seen) != {"bits", "stored"}:
                raise OptionError("")
            check("coverage_bits", seen["bits"])
            if seen["stored"] not in ("bitmap", "positions"):
                raise OptionError("")
        except OptionError:
            raise bad("its coverage bitmap is not valid") from None
        if seen["stored"] == "bitmap":
            expected["seen.bits"] = _spec("|u1", [2 ** seen["bits"] // 8])
        else:
            count = _listed(arrays, "seen.positions", 2 ** seen["bits"], bad)
            expected["seen.positions"] = _spec("<u4", [count])
    if (metadata.get("training") or {}).get("mode") == "bounded" and seen is None:
        raise bad("it is a bounded model without its coverage bitmap")
    return expected


def _listed(arrays: dict[str, Any], name: str, most: int, bad: Any) -> int:
    """How many entries the header says the list ``name`` has: at most ``most``."""
    spec = arrays.get(name)
    shape = spec.get("shape") if isinstance(spec, dict) else None
    if (
        not isinstance(shape, list)
        or len(shape) != 1
        or not _is_int(shape[0])
        or not 0 <= shape[0] <= most
    ):
        raise bad(f"the size of {name} is not valid")
    return int(shape[0])


def _check_view(view: Any, bad: Any) -> tuple[str, int]:
    """A view's name and number of features, once its settings are checked."""
    keys = {"name", "view", "ngram_range", "lowercase", "hash_bits", "sublinear_tf", "features"}
    if isinstance(view, dict) and view.get("hash_bits") is not None:
        keys.add("idf_fill")
    if not isinstance(view, dict) or set(view) != keys:
        raise bad("a view's settings are not valid")
    name, features = view["name"], view["features"]
    low_high = view["ngram_range"]
    valid = (
        name in VIEW_NAMES
        and view["view"] in VIEWS
        and isinstance(low_high, list)
        and len(low_high) == 2
        and all(_is_int(n) and 1 <= n <= 50 for n in low_high)
        and low_high[0] <= low_high[1]
        and isinstance(view["lowercase"], bool)
        and isinstance(view["sublinear_tf"], bool)
        and _is_int(features)
        and features >= 1
    )
    hash_bits = view["hash_bits"]
    if valid and hash_bits is not None:
        try:
            check("hash_bits", hash_bits)
        except OptionError:
            valid = False
        fill = view["idf_fill"]
        valid = valid and features == 2**hash_bits
        valid = valid and isinstance(fill, float) and math.isfinite(fill) and fill >= 1.0
    if not valid:
        raise bad(f"the settings of its view {name!r} are not valid")
    return name, features


def _spec(dtype: str, shape: list[int]) -> dict[str, Any]:
    return {"dtype": dtype, "shape": shape}


def _check_members(
    path: Path, members: list[zipfile.ZipInfo], expected: dict[str, Any], file_size: int
) -> None:
    """Every part the structure calls for, stored uncompressed at exactly its size, and no other."""
    names = [m.filename for m in members]
    wanted = {name + ".npy" for name in expected}
    if len(names) != len(set(names)) or set(names) != wanted:
        strange = sorted(set(names) - wanted) or sorted(wanted - set(names))
        what = "holds a part attrib does not write" if set(names) - wanted else "lacks a part"
        if len(names) != len(set(names)):
            what, strange = "holds a part twice", sorted({n for n in names if names.count(n) > 1})
        raise ModelFileError(
            f"{path} is not a model attrib can load (it {what}: {', '.join(strange)[:200]}); "
            "attrib loads only the parts it writes"
        )
    for member in members:
        spec = expected[member.filename[: -len(".npy")]]
        size = _npy_size(spec)
        if (
            member.compress_type != zipfile.ZIP_STORED
            or member.flag_bits & 0x1  # encrypted
            or member.file_size != size
            or member.compress_size != size
            or member.header_offset + size > file_size
        ):
            raise ModelFileError(
                f"{path} is corrupted (part {member.filename} is not stored as its header says: "
                f"{spec['dtype']} x {spec['shape']}); retrain it"
            )


def _npy_size(spec: dict[str, Any]) -> int:
    """Bytes of an ``.npy`` file of the dtype and shape: its header, then the values."""
    dtype = np.dtype(spec["dtype"])
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": dtype.str, "fortran_order": False, "shape": tuple(spec["shape"])}
    )
    values = 1
    for length in spec["shape"]:
        values *= int(length)
    return len(header.getvalue()) + int(dtype.itemsize) * values


def _check_digest(path: Path, handle: Any) -> None:
    """The file's SHA-256, in its ZIP comment, against every byte before it."""
    size = os.fstat(handle.fileno()).st_size
    handle.seek(size - _COMMENT_BYTES)
    found = _COMMENT.fullmatch(handle.read(_COMMENT_BYTES))
    if found is None:
        raise ModelFileError(f"{path} is corrupted (its checksum is missing); retrain it")
    handle.seek(0)
    hasher = hashlib.sha256()
    left = size - _COMMENT_BYTES
    while left:
        chunk = handle.read(min(_CHUNK, left))
        if not chunk:
            raise ModelFileError(f"{path} shrank while it was being read; run again")
        hasher.update(chunk)
        left -= len(chunk)
    if hasher.hexdigest().encode("ascii") != found.group(1):
        raise ModelFileError(
            f"{path} is corrupted (its content does not match its checksum); retrain it"
        )


def _read_array(path: Path, archive: zipfile.ZipFile, name: str, spec: dict[str, Any]) -> Any:
    """One part as an array of the header's dtype and shape, never unpickling anything."""
    damaged = f"{path} is corrupted (part {name}.npy cannot be read); retrain it"
    try:
        data = archive.read(name + ".npy")
        buffer = io.BytesIO(data)
        version = np.lib.format.read_magic(buffer)
        if version != (1, 0):
            raise ValueError(version)
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(buffer)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, SyntaxError):
        raise ModelFileError(damaged) from None
    if fortran or dtype.str != spec["dtype"] or list(shape) != spec["shape"]:
        raise ModelFileError(
            f"{path} is corrupted (part {name}.npy is {dtype.str} x {list(shape)}, its header "
            f"says {spec['dtype']} x {spec['shape']}); retrain it"
        )
    count = int(np.prod(shape, dtype=np.int64))
    return np.frombuffer(data, dtype=dtype, count=count, offset=buffer.tell()).reshape(shape)


def _model(path: Path, header: dict[str, Any], arrays: dict[str, Any]) -> Model:
    """The model the checked header and arrays describe, once the arrays' values are checked."""
    structure = header["model"]

    def bad(what: str) -> ModelFileError:
        return ModelFileError(f"{path} is corrupted ({what}); retrain it")

    views = []
    for view in structure["views"]:
        name = view["name"]
        if view["hash_bits"] is None:
            idf = arrays[f"{name}.idf"]
        else:
            idf = _unlisted(
                arrays[f"{name}.idf.columns"],
                arrays[f"{name}.idf.values"],
                (view["features"],),
                view["idf_fill"],
                bad(f"the {name} view's IDF columns are not valid"),
            )
        if not np.all(np.isfinite(idf)) or (len(idf) and idf.min() < 1.0):
            raise bad(f"the {name} view's IDF weights are not valid")
        if view["hash_bits"] is None:
            ends = arrays[f"{name}.ends"]
            try:
                names = arrays[f"{name}.names"].tobytes().decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                raise bad(f"the {name} view's n-grams are not UTF-8") from None
            if len(ends) and (ends[0] < 1 or np.any(np.diff(ends) < 1) or ends[-1] != len(names)):
                raise bad(f"the {name} view's n-grams do not fit their ends")
            counter = FittedCounter(
                view["view"],
                view["ngram_range"],
                view["lowercase"],
                hashes=arrays[f"{name}.hashes"],
                names_text=names,
                names_ends=ends,
            )
        else:
            counter = FittedCounter(
                view["view"], view["ngram_range"], view["lowercase"], view["hash_bits"]
            )
        views.append(ViewPart(name, counter, idf, view["sublinear_tf"]))
    coef, intercept = arrays["classifier.coef"], arrays["classifier.intercept"]
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise bad("its classifier's weights are not finite")
    if structure["classifier"]["columns"] == "listed":
        width = sum(view["features"] for view in structure["views"])
        coef = _unlisted(
            arrays["classifier.columns"],
            coef,
            (coef.shape[0], width),
            0.0,
            bad("its classifier's columns are not valid"),
        )
    linear = LinearPart(coef, intercept, structure["classifier"]["probability"])
    scorer = Scorer(structure["labels"], structure["cleaning"], views, linear)
    seen = None
    stored = structure["seen"]
    if stored is not None and stored["stored"] == "bitmap":
        seen = SeenNgrams.from_packed(stored["bits"], arrays["seen.bits"])
    elif stored is not None:
        positions = arrays["seen.positions"].astype(np.int64)
        if len(positions) and (
            np.any(np.diff(positions) < 1) or positions[-1] >= 2 ** stored["bits"]
        ):
            raise bad("its coverage positions are not valid")
        seen = SeenNgrams(stored["bits"])
        seen.add(positions)
    return Model(None, header["metadata"], seen, scorer=scorer)


def _unlisted(
    columns: np.ndarray, values: np.ndarray, shape: tuple[int, ...], fill: float, error: Exception
) -> np.ndarray:
    """The whole array: ``fill`` but for ``values`` in the listed (last-axis) ``columns``."""
    if len(columns) and (
        columns[0] < 0 or np.any(np.diff(columns) < 1) or columns[-1] >= shape[-1]
    ):
        raise error
    whole = np.full(shape, fill, dtype=np.float64)
    whole[..., columns] = values
    return whole


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _foreign(path: Path, start: bytes) -> str:
    if not start:
        return f"{path} is empty, not a model file; retrain with `attrib train`"
    if start.startswith(_PICKLE_PREFIXES):
        return (
            f"{path} is not an attrib model (it looks like a pickle or joblib file from another "
            "program); attrib only loads the model files it writes"
        )
    return f"{path} is not an attrib model file"
