"""Saving and loading model files: a signed JSON header followed by a joblib payload.

A model file is::

    ATTRIB-MODEL\\n
    {"format": 2, "metadata": {...}, "payload": {"size": N, "sha256": ...}, "signature": ...}\\n
    <N bytes: {"pipeline": the fitted scikit-learn pipeline, "seen": None or the coverage
    bitmap of a bounded model}, written by joblib>

Format 1 (attrib 0.1 before bounded training) held the pipeline alone; formats 1 and 2 counted
n-grams with scikit-learn's vectorizers. Format 3 counts them with attrib's own counter
(:mod:`attrib.features.counting`): older files are refused with the advice to retrain, and left
as they are.

The header can be read without unpickling anything, so a file's kind, format version, size,
checksum and signature are all checked before the payload is loaded. Loading a pickle runs code:
the signature is an HMAC-SHA256 of the header with a key that only this user's installation holds
(kept in the config directory, as Jupyter keeps the key that signs notebooks), so a model file
from anywhere else is refused unless the caller trusts it on purpose.

The format version is bumped whenever a file written by the new code could not be read correctly
by the old code (a new header field that changes meaning, a different payload layout).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import secrets
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from attrib.errors import AttribWarning, ModelFileError, OutputError
from attrib.modeling.model import Model
from attrib.reading.texts import NotRegularFileError, open_regular
from attrib.storage.files import check_output, write_atomically

MAGIC = b"ATTRIB-MODEL\n"
FORMAT_VERSION = 3
#: The oldest format this attrib loads.
OLDEST_FORMAT = 3
#: The default model path, relative to the current directory.
DEFAULT_MODEL_PATH = Path("models") / "attrib.joblib"

_MAX_HEADER_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_KEY_FILE = "signing.key"
_KEY_BYTES = 32
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


def config_dir() -> Path:
    """Return attrib's per-user configuration directory (``$ATTRIB_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("ATTRIB_CONFIG_DIR")
    if override:
        return Path(override)
    import click  # only for its knowledge of each platform's config location

    return Path(click.get_app_dir("attrib"))


def save_model(
    model: Model,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    protect: Iterable[tuple[str, str | os.PathLike[str]]] = (),
) -> Path:
    """Write a model file atomically and sign it with this installation's key.

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
        false, is not a regular file or is protected, or if the file or the signing key cannot
        be written.

    Examples
    --------
    >>> import tempfile, attrib
    >>> path = attrib.save_model(attrib.train(), tempfile.mkdtemp() + "/model.joblib")
    >>> attrib.load_model(path).labels
    ['presstv', 'rt', 'sputnik', 'tass']
    """
    path = Path(path)
    protect = list(protect)
    check_can_save(
        path, model.metadata["corpus"]["fingerprint"], overwrite=overwrite, protect=protect
    )
    import joblib

    buffer = io.BytesIO()
    # A default model is mostly a vocabulary, which barely compresses and loads faster raw; a
    # bounded model is mostly hashed columns that were never used (zeros), which compress well.
    compress = 3 if model.seen is not None else 0
    joblib.dump({"pipeline": model.pipeline, "seen": model.seen}, buffer, compress=compress)
    payload = buffer.getvalue()
    header: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "metadata": model.metadata,
        "payload": {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()},
    }
    header["header_sha256"] = _header_digest(header)
    header["signature"] = _sign(header, _signing_key())
    data = MAGIC + json.dumps(header, sort_keys=True).encode("utf-8") + b"\n" + payload
    try:
        return write_atomically(path, data, protect=protect)
    except OutputError as error:
        raise ModelFileError(str(error)) from None


def check_can_save(
    path: str | os.PathLike[str],
    fingerprint: str,
    *,
    overwrite: bool = False,
    protect: Iterable[tuple[str, str | os.PathLike[str]]] = (),
) -> None:
    """Raise unless a model of the corpus ``fingerprint`` may be saved at ``path``.

    The path must be a regular file or free, not a protected file (even with ``overwrite``),
    and, unless ``overwrite``, free or a model of the same corpus (:func:`check_can_replace`).

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
        check_can_replace(path, fingerprint)


def check_can_replace(path: str | os.PathLike[str], fingerprint: str) -> None:
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
    except (ModelFileError, KeyError, TypeError):
        raise ModelFileError(
            f"{path} exists and is not an attrib model; choose another path (-o) or replace it "
            "on purpose (--force)"
        ) from None
    if existing.get("fingerprint") != fingerprint:
        raise ModelFileError(
            f"{path} holds a model trained on a different corpus ({existing.get('path')}, "
            f"{existing.get('documents')} documents); choose another path (-o) or replace it "
            "on purpose (--force)"
        )


def read_header(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a model file's header without loading its payload.

    Returns
    -------
    dict
        ``format``, ``metadata``, ``payload`` and ``signature``.

    Raises
    ------
    ModelFileError
        If the file is missing, is not an attrib model, has a damaged header or was written by a
        newer format.
    """
    header, _ = _read(Path(path), with_payload=False)
    return header


def load_model(path: str | os.PathLike[str], *, trust: bool = False) -> Model:
    """Load a model file, checking everything that can be checked before unpickling it.

    Parameters
    ----------
    path : str or path-like
        The model file.
    trust : bool, default False
        Load a file that this installation did not sign. Unpickling runs code from the file:
        trust only files whose origin you know.

    Returns
    -------
    Model

    Raises
    ------
    ModelFileError
        If the file is missing, not an attrib model, truncated, corrupted, written by a newer
        format, or not signed by this installation (unless ``trust``).

    Warns
    -----
    AttribWarning
        If the model was trained with another scikit-learn version.
    """
    path = Path(path)
    header, payload = _read(path, with_payload=True, trust=trust)
    metadata = header["metadata"]
    if header["format"] < OLDEST_FORMAT:
        raise ModelFileError(
            f"{path} was written by an older attrib (model format {header['format']}), whose "
            f"features this attrib counts differently; retrain it with `attrib train` (the file "
            "is left as it is)"
        )
    import sklearn

    trained_with = metadata.get("sklearn_version")
    if trained_with != sklearn.__version__:
        warnings.warn(
            f"{path} was trained with scikit-learn {trained_with} and this is "
            f"{sklearn.__version__}; predictions may differ: retrain it with `attrib train`",
            AttribWarning,
            stacklevel=2,
        )
    content = _unpickle(path, payload)
    if not isinstance(content, dict) or set(content) != {"pipeline", "seen"}:
        raise ModelFileError(f"{path} does not hold a fitted attrib pipeline; retrain it")
    pipeline, seen = content["pipeline"], content["seen"]
    classes = [str(c) for c in getattr(pipeline, "classes_", [])]
    if not hasattr(pipeline, "predict_proba") or classes != metadata.get("labels"):
        raise ModelFileError(f"{path} does not hold a fitted attrib pipeline; retrain it")
    if metadata.get("training", {}).get("mode") == "bounded" and seen is None:
        raise ModelFileError(f"{path} is a bounded model without its coverage bitmap; retrain it")
    return Model(pipeline, metadata, seen=seen)


def _read(path: Path, *, with_payload: bool, trust: bool = False) -> tuple[dict[str, Any], bytes]:
    """The checked header and, if asked, the payload.

    Everything that can be checked cheaply is checked before the payload is read: the header's
    fields and types, the declared payload size against the file's size and, when loading, the
    signature (see :func:`load_model`). The payload is then read once, hashed as it comes.
    """
    try:
        handle = open_regular(path)
    except FileNotFoundError:
        raise ModelFileError(f"no model at {path}; train one with `attrib train`") from None
    except NotRegularFileError as error:
        raise ModelFileError(f"{path} is {error.kind}, not a model file") from None
    except OSError as error:
        raise ModelFileError(f"cannot read {path}: {error.strerror or error}") from None
    with handle:
        try:
            status = os.fstat(handle.fileno())
            start = handle.read(len(MAGIC))
            if start != MAGIC:
                raise ModelFileError(_foreign(path, start))
            line = handle.readline(_MAX_HEADER_BYTES)
            available = status.st_size - handle.tell()
            if not line.endswith(b"\n"):
                raise ModelFileError(
                    f"{path} is truncated or corrupted (its header is incomplete); retrain it"
                )
            header = _parse_header(path, line)
            size = header["payload"]["size"]
            if available < size:
                raise ModelFileError(
                    f"{path} is truncated: its header declares {size:,} bytes of model data and "
                    f"the file holds {available:,}; retrain it"
                )
            if available > size:
                raise ModelFileError(
                    f"{path} is corrupted: it holds {available - size:,} bytes more model data "
                    "than its header declares; retrain it"
                )
            if not with_payload:
                return header, b""
            if not trust and not _signature_ok(header):
                raise ModelFileError(
                    f"{path} was not written by this installation of attrib (its signature does "
                    "not match); loading a model runs code from it, so pass --trust only if you "
                    "trust its source"
                )
            payload = _read_hashed(handle, size, header["payload"]["sha256"], path)
        except OSError as error:
            raise ModelFileError(f"cannot read {path}: {error.strerror or error}") from None
    return header, payload


def _parse_header(path: Path, line: bytes) -> dict[str, Any]:
    """The header as a dict whose every field attrib relies on has the right type."""
    damaged = f"{path} is corrupted (its header cannot be read); retrain it"
    try:
        header = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        raise ModelFileError(damaged) from None
    if not isinstance(header, dict):
        raise ModelFileError(damaged)
    version: Any = header.get("format")
    payload = header.get("payload")
    metadata = header.get("metadata")
    if not _is_int(version) or version < 1:
        raise ModelFileError(f"{path} is corrupted (format {version!r} is not valid); retrain it")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written by a newer attrib (model format {version}; this attrib reads "
            f"format {FORMAT_VERSION}); upgrade attrib or retrain the model with this one"
        )
    if (
        not isinstance(payload, dict)
        or not _is_int(payload.get("size"))
        or payload["size"] < 0
        or not isinstance(payload.get("sha256"), str)
        or not isinstance(metadata, dict)
        or not isinstance(metadata.get("labels"), list)
        or not all(isinstance(label, str) for label in metadata["labels"])
    ):
        raise ModelFileError(damaged)
    expected = header.get("header_sha256")
    if expected is not None and expected != _header_digest(header):
        raise ModelFileError(
            f"{path} is corrupted (its header was changed after it was written); retrain it"
        )
    return header


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _header_digest(header: dict[str, Any]) -> str:
    """A plain checksum of the header: tells damage apart from another installation's key."""
    content = {k: v for k, v in header.items() if k not in ("signature", "header_sha256")}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def _read_hashed(handle: Any, size: int, digest: str, path: Path) -> bytes:
    """Read ``size`` bytes in chunks, hashing them as they come; refuse a checksum mismatch."""
    hasher = hashlib.sha256()
    payload = bytearray()
    while len(payload) < size:
        chunk = handle.read(min(_CHUNK, size - len(payload)))
        if not chunk:
            raise ModelFileError(f"{path} shrank while it was being read; run again")
        hasher.update(chunk)
        payload += chunk
    if hasher.hexdigest() != digest:
        raise ModelFileError(
            f"{path} is corrupted (its model data does not match its header's checksum); retrain it"
        )
    return bytes(payload)


def _foreign(path: Path, start: bytes) -> str:
    if not start:
        return f"{path} is empty, not a model file; retrain with `attrib train`"
    if start.startswith(_PICKLE_PREFIXES):
        return (
            f"{path} is not an attrib model (it looks like a pickle or joblib file from another "
            "program); attrib only loads the model files it writes"
        )
    return f"{path} is not an attrib model file"


def _unpickle(path: Path, payload: bytes) -> Any:
    import joblib

    with warnings.catch_warnings():
        # load_model already warned, in its own words, about a scikit-learn version difference.
        warnings.filterwarnings("ignore", message=".*unpickle estimator.*from version")
        try:
            return joblib.load(io.BytesIO(payload))
        except Exception as error:  # a damaged pickle can fail in any way it likes
            raise ModelFileError(
                f"{path} could not be loaded ({type(error).__name__}: {error}); retrain it"
            ) from None


def _sign(header: dict[str, Any], key: bytes) -> str:
    signed = {k: v for k, v in header.items() if k != "signature"}
    message = json.dumps(signed, sort_keys=True).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _signature_ok(header: dict[str, Any]) -> bool:
    key = _existing_key()
    signature = header.get("signature")
    if key is None or not isinstance(signature, str):
        return False
    return hmac.compare_digest(signature, _sign(header, key))


def _existing_key() -> bytes | None:
    """This user's signing key, or None if none has been made yet.

    Raises
    ------
    ModelFileError
        If the key file exists but does not hold exactly one key of the expected length (an
        empty key would sign anything anyone could forge).
    """
    path = config_dir() / _KEY_FILE
    try:
        with open_regular(path) as handle:
            status = os.fstat(handle.fileno())
            raw = handle.read(4 * _KEY_BYTES)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ModelFileError(
            f"the signing key {path} cannot be read ({error.strerror or error}); delete it to make "
            "a new one (models signed with it will then need --trust)"
        ) from None
    try:
        key = bytes.fromhex(raw.decode("ascii").strip())
    except ValueError:
        key = b""
    if len(key) != _KEY_BYTES:
        raise ModelFileError(
            f"the signing key {path} is damaged (it holds {len(raw)} bytes, not a "
            f"{_KEY_BYTES}-byte key); delete it to make a new one (models signed with it will "
            "then need --trust)"
        )
    _warn_if_exposed(path, status.st_mode)
    return key


def _warn_if_exposed(path: Path, mode: int) -> None:
    """Warn when others may read the key (and forge signatures) or replace it."""
    folder_mode = path.parent.stat().st_mode
    exposed = [
        what
        for what, bits, mask in (
            ("the key file is readable or writable by others", mode, 0o066),
            ("its folder is writable by others", folder_mode, 0o022),
        )
        if bits & mask
    ]
    if exposed:
        warnings.warn(
            f"the signing key {path} is not private ({'; '.join(exposed)}): anyone who can read "
            f"it can make model files that load without --trust; run chmod 600 {path} and "
            f"chmod 700 {path.parent}",
            AttribWarning,
            stacklevel=3,
        )


def _signing_key() -> bytes:
    """This user's signing key, made on first use (readable by the user only).

    The key is written whole to a temporary file, flushed to disk, then linked to its name: a
    crash or a full disk leaves no key file at all, never an empty one, and when several
    processes create it at once, every one of them ends up with the one that was linked first.
    """
    existing = _existing_key()
    if existing is not None:
        return existing
    path = config_dir() / _KEY_FILE
    key = secrets.token_bytes(_KEY_BYTES)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(
            dir=path.parent, prefix="attrib-signing-key-", suffix=".tmp"
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.hex().encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:  # another process linked its key first: use theirs
        key = b""
    except OSError as error:
        raise ModelFileError(
            f"cannot create the signing key {path} ({error.strerror or error}); free some space "
            "or set ATTRIB_CONFIG_DIR to a writable directory"
        ) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    if not key:
        winner = _existing_key()
        if winner is None:
            raise ModelFileError(f"the signing key {path} vanished while it was being made; retry")
        return winner
    return key
