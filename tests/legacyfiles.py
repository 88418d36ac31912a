"""Model files as attrib 0.1 wrote them (a signed header and a joblib pickle), for the tests of
reading and converting them: attrib itself no longer writes them."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import joblib

from attrib import Model
from attrib.storage import legacy


def signing_key() -> bytes:
    """This installation's key, made as attrib 0.1 made it if there is none."""
    path = legacy.config_dir() / "signing.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(os.urandom(32).hex() + "\n")
        path.chmod(0o600)
    return bytes.fromhex(path.read_text().strip())


def write_legacy(model: Model, path: Path, *, key: bytes | None = None, version: int = 3) -> Path:
    """``model`` as a file of format ``version``, signed with ``key`` (default: this
    installation's)."""
    buffer = io.BytesIO()
    joblib.dump({"pipeline": model.pipeline, "seen": model.seen}, buffer)
    return write_payload(path, model.metadata, buffer.getvalue(), key=key, version=version)


def write_payload(
    path: Path,
    metadata: dict[str, Any],
    payload: bytes,
    *,
    key: bytes | None = None,
    version: int = 3,
) -> Path:
    header: dict[str, Any] = {
        "format": version,
        "metadata": metadata,
        "payload": {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()},
    }
    header["header_sha256"] = legacy._header_digest(header)
    header["signature"] = legacy._sign(header, signing_key() if key is None else key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(legacy.MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + payload)
    return path
