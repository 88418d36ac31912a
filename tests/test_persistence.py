from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from attrib import AttribWarning, Model, ModelFileError, load_model, persistence, save_model, train
from attrib.persistence import MAGIC, read_header
from conftest import write_corpus

TEXTS = ["Moscow and Washington discussed a ceasefire in Syria.", "Short."]


@pytest.fixture(scope="module")
def model() -> Model:
    return train()


@pytest.fixture
def saved(model: Model, tmp_path: Path) -> Path:
    return save_model(model, tmp_path / "models" / "m.joblib")


def rewrite(path: Path, change: Any, *, resign: bool = True) -> None:
    """Edit a saved model's header with ``change(header)`` and sign it again."""
    data = path.read_bytes()
    header_line, payload = data[len(MAGIC) :].split(b"\n", 1)
    header = json.loads(header_line)
    change(header)
    if resign:
        header["signature"] = persistence._sign(header, persistence._signing_key())
    path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + payload)


class Marker:
    """Unpickling this creates a file: proof that a model file's code ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


def test_round_trip_gives_identical_scores(model: Model, saved: Path) -> None:
    loaded = load_model(saved)
    assert loaded.scores(TEXTS) == model.scores(TEXTS)
    assert loaded.metadata == model.metadata


def test_header_is_readable_without_unpickling(model: Model, saved: Path) -> None:
    header = read_header(saved)
    assert header["format"] == persistence.FORMAT_VERSION
    assert header["metadata"]["corpus"]["fingerprint"] == model.metadata["corpus"]["fingerprint"]
    assert (
        header["payload"]["size"] == saved.stat().st_size - saved.read_bytes().index(b"\n", 13) - 1
    )


def test_signing_key_is_private_to_the_user(saved: Path, tmp_path: Path) -> None:
    key = tmp_path / "config" / "signing.key"
    assert key.exists()
    assert key.stat().st_mode & 0o077 == 0


def test_a_failed_write_leaves_the_old_model_and_no_temporary_file(
    model: Model, saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = saved.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ModelFileError, match="No space left on device"):
        save_model(model, saved)
    assert saved.read_bytes() == before
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name]


def test_a_model_of_another_corpus_is_not_replaced(saved: Path, tmp_path: Path) -> None:
    other = train(write_corpus(tmp_path / "other"))
    before = saved.read_bytes()
    with pytest.raises(ModelFileError, match=r"trained on a different corpus .*--force"):
        save_model(other, saved)
    assert saved.read_bytes() == before
    save_model(other, saved, overwrite=True)
    assert load_model(saved).labels == ["alpha", "beta", "gamma"]


def test_a_model_of_the_same_corpus_is_replaced(model: Model, saved: Path) -> None:
    save_model(train(), saved)
    assert load_model(saved).scores(TEXTS) == model.scores(TEXTS)


def test_a_file_that_is_not_a_model_is_not_replaced(model: Model, tmp_path: Path) -> None:
    notes = tmp_path / "notes.joblib"
    notes.write_text("my notes")
    with pytest.raises(ModelFileError, match="exists and is not an attrib model"):
        save_model(model, notes)
    assert notes.read_text() == "my notes"


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-100])


def flip_payload_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-50] ^= 0xFF
    path.write_bytes(bytes(data))


def random_bytes(path: Path) -> None:
    path.write_bytes(b"\x00\x80" + os.urandom(4096))


def foreign_pickle(path: Path) -> None:
    path.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))


def newer_format(path: Path) -> None:
    rewrite(path, lambda h: h.update(format=persistence.FORMAT_VERSION + 1))


def bad_header(path: Path) -> None:
    path.write_bytes(MAGIC + b"{not json\n" + b"payload")


def header_cut(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(MAGIC) + 40])


def signed_elsewhere(path: Path) -> None:
    rewrite(path, lambda h: h.update(signature=persistence._sign(h, b"another key")), resign=False)


def empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (truncate, r"is truncated \(\d+ of \d+ bytes of model data\); retrain"),
        (flip_payload_byte, "is corrupted .*checksum"),
        (random_bytes, "is not an attrib model file"),
        (foreign_pickle, "not an attrib model .*pickle or joblib file from another program"),
        (newer_format, "written by a newer attrib .*upgrade attrib"),
        (bad_header, "is corrupted .*header"),
        (header_cut, "truncated or corrupted .*header is incomplete"),
        (signed_elsewhere, "not written by this installation .*--trust"),
        (empty, "is empty, not a model file"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_broken_model_files_give_one_clear_error(saved: Path, damage: Any, message: str) -> None:
    damage(saved)
    with pytest.raises(ModelFileError, match=message):
        load_model(saved)


def test_a_missing_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"no model at .*attrib train"):
        load_model(tmp_path / "nothing.joblib")


def test_a_model_from_a_lost_key_is_untrusted(saved: Path, tmp_path: Path) -> None:
    (tmp_path / "config" / "signing.key").unlink()
    with pytest.raises(ModelFileError, match="not written by this installation"):
        load_model(saved)
    assert load_model(saved, trust=True).labels == ["presstv", "rt", "sputnik", "tass"]


def malicious_model(path: Path, marker: Path, key: bytes) -> None:
    """A well-formed model file whose payload, once unpickled, creates ``marker``."""
    payload = pickle.dumps(Marker(marker))
    header: dict[str, Any] = {
        "format": 1,
        "metadata": {"labels": ["rt"], "sklearn_version": "1.0", "corpus": {}},
        "payload": {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()},
    }
    header["signature"] = persistence._sign(header, key)
    path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + payload)


def test_an_unsigned_model_file_never_runs_its_code(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = tmp_path / "evil.joblib"
    malicious_model(path, marker, key=b"the attacker's key")
    with pytest.raises(ModelFileError, match="not written by this installation"):
        load_model(path)
    assert not marker.exists()
    # A raw pickle, without attrib's header, is refused before it is read as well.
    path.write_bytes(pickle.dumps(Marker(marker)))
    with pytest.raises(ModelFileError, match="not an attrib model"):
        load_model(path)
    assert not marker.exists()


def test_trust_loads_a_file_from_elsewhere_on_purpose(tmp_path: Path) -> None:
    # The same payload does run when the user trusts the file: the test above can fail.
    marker = tmp_path / "marker"
    path = tmp_path / "evil.joblib"
    malicious_model(path, marker, key=b"the attacker's key")
    with pytest.warns(AttribWarning), pytest.raises(ModelFileError, match="fitted attrib pipeline"):
        load_model(path, trust=True)
    assert marker.exists()


def test_another_sklearn_version_loads_with_a_warning(model: Model, saved: Path) -> None:
    rewrite(saved, lambda h: h["metadata"].update(sklearn_version="0.0.1"))
    with pytest.warns(AttribWarning, match="trained with scikit-learn 0.0.1 .*retrain"):
        loaded = load_model(saved)
    assert loaded.scores(TEXTS) == model.scores(TEXTS)


def test_a_signed_but_garbled_payload_gives_one_clear_error(saved: Path) -> None:
    payload = b"\x80\x05garbage that is no pickle"

    def garble(header: dict[str, Any]) -> None:
        header["payload"] = {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}

    rewrite(saved, garble)
    data = saved.read_bytes()
    saved.write_bytes(data[: data.index(b"\n", len(MAGIC)) + 1] + payload)
    with pytest.raises(ModelFileError, match=r"could not be loaded .*retrain"):
        load_model(saved)
