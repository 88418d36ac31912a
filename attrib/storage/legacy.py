"""Model files of attrib 0.1 (formats 1-3): a signed JSON header and a pickle.

A file of these formats is::

    ATTRIB-MODEL\\n
    {"format": 3, "metadata": {...}, "payload": {"size": N, "sha256": ...}, "signature": ...}\\n
    <N bytes: {"pipeline": the fitted scikit-learn pipeline, "seen": None or the coverage
    bitmap of a bounded model}, written by joblib>

Loading a pickle runs code, so such a file loads only if it is signed by this installation (an
HMAC-SHA256 of the header with the key in the config directory that attrib 0.1 made) or the
caller trusts it on purpose; `attrib model convert` turns it into a data-only file
(:mod:`attrib.storage.modelfile`). Formats 1 and 2 counted n-grams with scikit-learn's
vectorizers and are refused with the advice to retrain. attrib no longer writes these files.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import warnings
from pathlib import Path
from typing import Any

from attrib.errors import AttribWarning, ModelFileError
from attrib.features import cleaning, counting
from attrib.features.estimators import NgramCounter, TextCleaner
from attrib.modeling.model import Model
from attrib.reading.texts import open_regular
from attrib.storage.files import open_model_file

MAGIC = b"ATTRIB-MODEL\n"
#: The last format of these files, and the oldest this attrib loads.
FORMAT_VERSION = 3
OLDEST_FORMAT = 3

_MAX_HEADER_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
_KEY_FILE = "signing.key"
_KEY_BYTES = 32


def config_dir() -> Path:
    """Return attrib's per-user configuration directory (``$ATTRIB_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("ATTRIB_CONFIG_DIR")
    if override:
        return Path(override)
    import click  # only for its knowledge of each platform's config location

    return Path(click.get_app_dir("attrib"))


def read_header(path: Path) -> dict[str, Any]:
    """The checked header of an old-format file, without loading its payload."""
    header, _ = _read(path, with_payload=False)
    return header


def load(path: Path, *, trust: bool = False) -> Model:
    """Load an old-format file: signed by this installation, or ``trust``-ed.

    Raises
    ------
    ModelFileError
        If the file is damaged, of format 1 or 2, or unsigned and not trusted.
    """
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
            f"{sklearn.__version__}; its pickle may load wrongly: retrain it with `attrib train`",
            AttribWarning,
            stacklevel=3,
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
    try:
        return Model(pipeline, metadata, seen=seen)
    except (AttributeError, KeyError, TypeError, ValueError):
        raise ModelFileError(f"{path} does not hold a fitted attrib pipeline; retrain it") from None


def _read(path: Path, *, with_payload: bool, trust: bool = False) -> tuple[dict[str, Any], bytes]:
    """The checked header and, if asked, the payload.

    Everything that can be checked cheaply is checked before the payload is read: the header's
    fields and types, the declared payload size against the file's size and, when loading, the
    signature (see :func:`load_model`). The payload is then read once, hashed as it comes.
    """
    with open_model_file(path) as handle:
        try:
            status = os.fstat(handle.fileno())
            start = handle.read(len(MAGIC))
            if start != MAGIC:
                raise ModelFileError(f"{path} is not an attrib model file")
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


def _unpickle(path: Path, payload: bytes) -> Any:
    import joblib

    # Format-3 files name the two transformers by the modules that held them in attrib 0.1.
    setattr(cleaning, "TextCleaner", TextCleaner)  # noqa: B010
    setattr(counting, "NgramCounter", NgramCounter)  # noqa: B010

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
