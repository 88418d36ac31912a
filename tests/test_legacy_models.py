"""Model files of attrib 0.1 (formats 1-3: a signed header and a pickle): loaded only when
signed by this installation or trusted, never run otherwise, and converted to data files."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from attrib import AttribWarning, Model, ModelFileError, load_model, train
from attrib.storage import legacy as persistence
from attrib.storage.legacy import MAGIC
from attrib.storage.modelfile import read_header
from conftest import scores_elsewhere, write_corpus
from legacyfiles import signing_key, write_legacy

pytestmark = pytest.mark.filterwarnings("ignore:.*old-format model file")

TEXTS = ["Moscow and Washington discussed a ceasefire in Syria.", "Short."]


@pytest.fixture(scope="module")
def model() -> Model:
    return train()


@pytest.fixture
def saved(model: Model, tmp_path: Path) -> Path:
    return write_legacy(model, tmp_path / "models" / "m.joblib")


def rewrite(path: Path, change: Any, *, resign: bool = True) -> None:
    """Edit a saved model's header with ``change(header)`` and sign it again."""
    data = path.read_bytes()
    header_line, payload = data[len(MAGIC) :].split(b"\n", 1)
    header = json.loads(header_line)
    change(header)
    if resign:
        header["header_sha256"] = persistence._header_digest(header)
        header["signature"] = persistence._sign(header, signing_key())
    path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + payload)


class Marker:
    """Unpickling this creates a file: proof that a model file's code ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


def test_the_data_format_knows_old_files_by_their_start() -> None:
    from attrib.storage import modelfile

    assert modelfile.LEGACY_MAGIC == MAGIC


def test_round_trip_gives_identical_scores(model: Model, saved: Path) -> None:
    with pytest.warns(AttribWarning, match=r"old-format model file .*attrib model convert"):
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
        (truncate, r"is truncated: its header declares [\d,]+ bytes .* holds [\d,]+; retrain"),
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


def test_a_model_from_a_lost_key_is_untrusted(saved: Path, tmp_path: Path) -> None:
    (tmp_path / "config" / "signing.key").unlink()
    with pytest.raises(ModelFileError, match="not written by this installation"):
        load_model(saved)
    assert load_model(saved, trust=True).labels == ["presstv", "rt", "sputnik", "tass"]


def malicious_model(path: Path, marker: Path, key: bytes) -> None:
    """A well-formed model file whose payload, once unpickled, creates ``marker``."""
    payload = pickle.dumps(Marker(marker))
    header: dict[str, Any] = {
        "format": persistence.FORMAT_VERSION,
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


# --- The signing key (issue 13, item 1) ------------------------------------------------------


def key_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "signing.key"


@pytest.mark.parametrize(
    "content",
    [b"", b"\n", b"00" * 16 + b"\n", b"zz" * 32 + b"\n", b"00" * 33 + b"\n"],
    ids=["empty", "newline", "short", "not hex", "long"],
)
def test_a_key_of_the_wrong_length_is_refused(model: Model, tmp_path: Path, content: bytes) -> None:
    path = key_path(tmp_path)
    path.parent.mkdir(parents=True)
    write_legacy(model, tmp_path / "m.joblib", key=b"k" * 32)
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(ModelFileError, match=r"signing key .* is damaged .*delete it"):
        load_model(tmp_path / "m.joblib")


def test_an_empty_key_never_lets_a_forged_pickle_run(tmp_path: Path) -> None:
    path = key_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    marker = tmp_path / "marker"
    malicious_model(tmp_path / "evil.joblib", marker, key=b"")
    with pytest.raises(ModelFileError, match=r"signing key .* is damaged"):
        load_model(tmp_path / "evil.joblib")
    assert not marker.exists()


def test_a_key_others_can_read_gives_a_warning(model: Model, tmp_path: Path) -> None:
    write_legacy(model, tmp_path / "m.joblib")
    for mode in (0o644, 0o640, 0o620, 0o602):
        key_path(tmp_path).chmod(mode)
        with pytest.warns(AttribWarning, match=r"signing key .* is not private .*chmod 600"):
            load_model(tmp_path / "m.joblib")
    key_path(tmp_path).chmod(0o600)
    (tmp_path / "config").chmod(0o777)
    with pytest.warns(AttribWarning, match="its folder is writable by others"):
        load_model(tmp_path / "m.joblib")


def test_an_unsigned_header_is_refused_before_the_payload_is_read(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_elsewhere(saved)
    monkeypatch.setattr(persistence, "_read_hashed", lambda *a: pytest.fail("payload was read"))
    with pytest.raises(ModelFileError, match="not written by this installation"):
        load_model(saved)


def test_a_declared_size_beyond_the_file_is_refused_without_reading(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewrite(saved, lambda h: h["payload"].update(size=3 * 1024**3))
    monkeypatch.setattr(persistence, "_read_hashed", lambda *a: pytest.fail("payload was read"))
    with pytest.raises(ModelFileError, match=r"declares 3,221,225,472 bytes .*retrain"):
        load_model(saved)


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h["payload"].update(size="10"),
        lambda h: h["payload"].update(size=None),
        lambda h: h["payload"].update(size=True),
        lambda h: h["payload"].update(size=-1),
        lambda h: h["payload"].update(sha256=5),
        lambda h: h.update(payload=[]),
        lambda h: h.update(metadata=None),
        lambda h: h["metadata"].update(labels="rt"),
        lambda h: h.update(format="2"),
    ],
    ids=[
        "size str",
        "size null",
        "size bool",
        "size negative",
        "sha int",
        "payload list",
        "metadata null",
        "labels str",
        "format str",
    ],
)
def test_header_fields_of_the_wrong_type_are_refused(saved: Path, change: Any) -> None:
    rewrite(saved, change)
    with pytest.raises(ModelFileError, match="is corrupted"):
        load_model(saved)
    with pytest.raises(ModelFileError, match="is corrupted"):
        read_header(saved)


def test_a_deeply_nested_header_is_refused_in_one_line(saved: Path) -> None:
    saved.write_bytes(MAGIC + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    with pytest.raises(ModelFileError, match=r"is corrupted \(its header cannot be read\)"):
        load_model(saved)
    with pytest.raises(ModelFileError, match="is corrupted"):
        read_header(saved)


def test_a_damaged_header_is_not_blamed_on_another_installation(saved: Path) -> None:
    data = bytearray(saved.read_bytes())
    at = data.index(b'"documents": ') + len(b'"documents": ')
    data[at] = ord("7") if data[at] != ord("7") else ord("8")  # still valid JSON
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="header was changed after it was written"):
        load_model(saved)


def test_another_models_payload_is_not_called_truncated(
    model: Model, saved: Path, tmp_path: Path
) -> None:
    other = write_legacy(train(write_corpus(tmp_path / "small")), tmp_path / "other.joblib")
    mine, theirs = saved.read_bytes(), other.read_bytes()
    header = mine[: mine.index(b"\n", len(MAGIC)) + 1]
    saved.write_bytes(header + theirs[theirs.index(b"\n", len(MAGIC)) + 1 :])
    with pytest.raises(ModelFileError, match=r"header declares .* the file holds"):
        load_model(saved)


def test_a_file_naming_the_old_modules_of_the_transformers_loads(
    model: Model, tmp_path: Path
) -> None:
    """attrib 0.1 pickled TextCleaner and NgramCounter from the cleaning and counting modules."""
    from attrib.features import cleaning, counting, estimators

    with pytest.MonkeyPatch.context() as patch:
        for module, cls in (
            (cleaning, estimators.TextCleaner),
            (counting, estimators.NgramCounter),
        ):
            patch.setattr(cls, "__module__", module.__name__)
            patch.setattr(module, cls.__name__, cls, raising=False)
        path = write_legacy(model, tmp_path / "old.joblib")
    assert b"attrib.features.cleaning" in path.read_bytes()
    assert b"attrib.features.estimators" not in path.read_bytes()
    assert scores_elsewhere(path, TEXTS) == model.scores(TEXTS)


def test_convert_writes_a_data_file_that_scores_the_same(
    model: Model, saved: Path, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from attrib.cli import cli

    before = saved.read_bytes()
    new = tmp_path / "new.npz"
    result = CliRunner().invoke(cli, ["model", "convert", str(saved), str(new)])
    assert result.exit_code == 0, result.output
    assert "loads its pickle, which runs code from the file" in result.stderr
    assert saved.read_bytes() == before
    assert read_header(new)["format"] == 4
    assert load_model(new).scores(TEXTS) == model.scores(TEXTS)
    # Not over the old file itself, and not an unsigned file without --trust.
    result = CliRunner().invoke(cli, ["model", "convert", str(saved), str(saved), "--force"])
    assert result.exit_code == 1
    assert saved.read_bytes() == before
    other = write_legacy(model, tmp_path / "theirs.joblib", key=b"their key")
    result = CliRunner().invoke(cli, ["model", "convert", str(other), str(tmp_path / "t.npz")])
    assert result.exit_code == 1
    assert "not written by this installation" in result.stderr
    assert not (tmp_path / "t.npz").exists()
    result = CliRunner().invoke(
        cli, ["model", "convert", str(other), str(tmp_path / "t.npz"), "--trust"]
    )
    assert result.exit_code == 0, result.output
    assert load_model(tmp_path / "t.npz").scores(TEXTS) == model.scores(TEXTS)
