"""Model files as data: identical round trips, loadable anywhere, and every damage refused in one
line before anything is used (issue 18)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from attrib import Model, ModelFileError, load_model, save_model, train
from attrib.scale.bounded import train_bounded
from attrib.storage import modelfile
from attrib.storage.modelfile import HEADER, read_header
from conftest import STYLES, scores_elsewhere, style_text, write_corpus

TEXTS = [
    "Moscow and Washington discussed a ceasefire in Syria, officials said on Monday.",
    "Short.",
    *(style_text(outlet, 7) for outlet in STYLES),
]
COMMENT = b"attrib-model sha256="


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("modelfile") / "corpus", per_outlet=3)


@pytest.fixture(scope="module")
def model(corpus: Path) -> Model:
    return train(corpus)


@pytest.fixture
def saved(model: Model, tmp_path: Path) -> Path:
    return save_model(model, tmp_path / "models" / "m.npz")


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(
    path: Path,
    members: dict[str, bytes],
    *,
    digest: bool = True,
    deflate: tuple[str, ...] = (),
) -> None:
    """Write ``members`` as a model file would be, with a correct checksum if ``digest``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            kind = zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED
            archive.writestr(name, data, compress_type=kind)
        archive.comment = b"0" * (len(COMMENT) + 64)
    data = buffer.getvalue()[: -(len(COMMENT) + 64)]
    sha = hashlib.sha256(data).hexdigest() if digest else "f" * 64
    path.write_bytes(data + COMMENT + sha.encode())


def edit_header(path: Path, change: Any) -> None:
    members = parts(path)
    header = json.loads(members[HEADER])
    change(header)
    members[HEADER] = json.dumps(header).encode()
    rezip(path, members)


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def refused(path: Path, match: str | None = None) -> str:
    with pytest.raises(ModelFileError, match=match) as caught:
        load_model(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


# --- Round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"mask": "none"},
        {"mask": "distort"},
        {"typography": "raw"},
        {"sublinear_tf": True},
        {"punct_ngram_range": None, "shape_ngram_range": None},
        {"char_analyzer": "char", "char_ngram_range": (1, 3), "lowercase": False},
        {"max_features": 50, "min_df": 2},
    ],
    ids=lambda o: ",".join(o) or "default",
)
def test_round_trip_is_identical(corpus: Path, tmp_path: Path, options: dict[str, Any]) -> None:
    trained = train(corpus, **options)
    loaded = load_model(save_model(trained, tmp_path / "m.npz"))
    assert loaded.scores(TEXTS) == trained.scores(TEXTS)
    assert [p.to_dict() for p in loaded.predictions(TEXTS)] == [
        p.to_dict() for p in trained.predictions(TEXTS)
    ]
    assert loaded.metadata == trained.metadata
    assert loaded.options == trained.options
    # The pipeline rebuilt from the file is the trained one: same features, same probabilities.
    rebuilt, original = loaded.pipeline, trained.pipeline
    assert list(rebuilt.named_steps["features"].get_feature_names_out()) == list(
        original.named_steps["features"].get_feature_names_out()
    )
    assert np.abs(rebuilt.predict_proba(TEXTS) - original.predict_proba(TEXTS)).max() <= 1e-12


@pytest.mark.parametrize(("bundled", "stored"), [(False, "positions"), (True, "bitmap")])
def test_a_bounded_model_round_trips(
    corpus: Path, tmp_path: Path, bundled: bool, stored: str
) -> None:
    """Few 5-grams are stored as their positions, many as the bitmap itself."""
    trained = train_bounded(
        None if bundled else corpus, hash_bits=12, coverage_bits=16, batch_size=4
    )
    path = save_model(trained, tmp_path / "b.npz")
    header = read_header(path)
    assert header["model"]["seen"]["stored"] == stored
    # Only the columns training reached are listed: the others have the weight of a document
    # frequency of 0, smoothed as scikit-learn does.
    documents = header["metadata"]["corpus"]["documents"]
    for view in header["model"]["views"]:
        assert view["idf_fill"] == np.log(1 + documents) + 1
    loaded = load_model(path)
    assert [p.to_dict() for p in loaded.predictions(TEXTS)] == [
        p.to_dict() for p in trained.predictions(TEXTS)
    ]
    assert loaded.seen is not None and trained.seen is not None
    assert np.array_equal(loaded.seen.packed, trained.seen.packed)
    assert (
        np.abs(loaded.pipeline.predict_proba(TEXTS) - trained.pipeline.predict_proba(TEXTS)).max()
        <= 1e-12
    )


def test_a_two_outlet_model_round_trips(tmp_path: Path) -> None:
    trained = train(write_corpus(tmp_path / "two", outlets=("alpha", "beta")))
    loaded = load_model(save_model(trained, tmp_path / "m.npz"))
    assert loaded.scores(TEXTS) == trained.scores(TEXTS)
    assert (
        np.abs(loaded.pipeline.predict_proba(TEXTS) - trained.pipeline.predict_proba(TEXTS)).max()
        <= 1e-12
    )


def test_the_same_model_gives_the_same_bytes(model: Model, tmp_path: Path) -> None:
    assert save_model(model, tmp_path / "a.npz").read_bytes() == (
        save_model(model, tmp_path / "b.npz").read_bytes()
    )


# --- Loadable anywhere -------------------------------------------------------------------------


def test_a_file_from_another_user_loads_without_trust(
    model: Model, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTRIB_CONFIG_DIR", str(tmp_path / "alice"))
    path = save_model(model, tmp_path / "shared.npz")
    monkeypatch.setenv("ATTRIB_CONFIG_DIR", str(tmp_path / "bob"))
    assert load_model(path).scores(TEXTS) == model.scores(TEXTS)
    assert not (tmp_path / "alice").exists() and not (tmp_path / "bob").exists()  # no keys


def test_loading_and_scoring_need_no_scikit_learn(model: Model, saved: Path) -> None:
    """Scores come from the file's arrays: the same whichever scikit-learn (or none) is there."""
    blocked = "sys.modules['sklearn'] = None  # any import of scikit-learn now fails"
    assert scores_elsewhere(saved, TEXTS, blocked) == model.scores(TEXTS)


def test_nothing_in_the_file_names_a_class_or_an_attribute(saved: Path) -> None:
    members = parts(saved)
    header = members[HEADER].decode()
    for word in ("sklearn.", "Pipeline", "LogisticRegression", "Tfidf", "coef_", "idf_", "__"):
        assert word not in header
    assert all(name == HEADER or name.endswith(".npy") for name in members)
    with np.load(saved, allow_pickle=False) as arrays:  # a plain .npz to NumPy
        assert arrays["classifier.coef"].shape[0] == 3


def test_the_header_is_read_without_the_arrays(
    model: Model, saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(modelfile, "_read_array", lambda *a: pytest.fail("an array was read"))
    monkeypatch.setattr(modelfile, "_check_digest", lambda *a: pytest.fail("the file was read"))
    header = read_header(saved)
    assert header["format"] == modelfile.FORMAT_VERSION
    assert header["metadata"] == json.loads(json.dumps(model.metadata))
    assert header["model"]["labels"] == ["alpha", "beta", "gamma"]
    assert header["arrays"]["classifier.coef"]["shape"][0] == 3


# --- Damage ------------------------------------------------------------------------------------


def test_every_flipped_byte_is_refused(saved: Path) -> None:
    data = saved.read_bytes()
    size = len(data)
    # Every byte of the ZIP's structure (local headers, directory, comment) and the header,
    # and bytes spread through the arrays.
    structure = set(range(0, 400)) | set(range(size - 1200, size))
    with zipfile.ZipFile(saved) as archive:
        for info in archive.infolist():
            structure |= set(range(info.header_offset, info.header_offset + 200))
    positions = sorted(structure | set(range(0, size, max(1, size // 300))))
    for at in positions:
        damaged = bytearray(data)
        damaged[at] ^= 0x01
        saved.write_bytes(bytes(damaged))
        refused(saved)


@pytest.mark.parametrize("keep", [0, 1, 30, 1000, -1, -85, -300, -5000])
def test_a_truncated_file_is_refused(saved: Path, keep: int) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[:keep])
    refused(saved)


def test_swapped_arrays_are_refused(corpus: Path, tmp_path: Path) -> None:
    path = save_model(train(corpus, max_features=50), tmp_path / "b.npz")
    members = parts(path)
    assert len(members["char.idf.npy"]) == len(members["word.idf.npy"])
    with zipfile.ZipFile(path) as archive:
        comment = archive.comment
    members["char.idf.npy"], members["word.idf.npy"] = (
        members["word.idf.npy"],
        members["char.idf.npy"],
    )  # the same dtype and shape: only the checksum tells
    rezip(path, members)
    with zipfile.ZipFile(path) as archive:
        assert archive.comment != comment
    data = path.read_bytes()
    path.write_bytes(data[: -len(comment)] + comment)  # the original file's checksum
    refused(path, "does not match its checksum")


def test_an_array_of_another_dtype_or_shape_is_refused(saved: Path) -> None:
    members = parts(saved)
    coef = np.load(io.BytesIO(members["classifier.coef.npy"]))
    original = dict(members)
    members["classifier.coef.npy"] = npy(coef.astype(np.float32))
    rezip(saved, members)
    refused(saved, r"part classifier.coef.npy is not stored as its header says")
    members = dict(original)
    members["classifier.coef.npy"] = npy(coef.T.copy())
    rezip(saved, members)
    refused(
        saved, r"part classifier.coef.npy is <f8 x \[\d+, 3\], its header says <f8 x \[3, \d+\]"
    )


def test_a_header_that_lies_about_an_array_is_refused(saved: Path) -> None:
    edit_header(saved, lambda h: h["arrays"]["char.idf"].update(dtype="<f4"))
    refused(saved, "its list of arrays does not match its structure")


def test_an_absurd_size_is_refused_from_the_header(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def absurd(header: dict[str, Any]) -> None:
        before = header["model"]["views"][0]["features"]
        header["model"]["views"][0]["features"] = 10**12
        header["arrays"]["char.hashes"]["shape"] = [10**12]
        header["arrays"]["char.ends"]["shape"] = [10**12]
        header["arrays"]["char.idf"]["shape"] = [10**12]
        header["arrays"]["classifier.coef"]["shape"][1] += 10**12 - before

    edit_header(saved, absurd)
    monkeypatch.setattr(modelfile, "_read_array", lambda *a: pytest.fail("an array was read"))
    monkeypatch.setattr(modelfile, "_check_digest", lambda *a: pytest.fail("the file was read"))
    refused(
        saved, r"part char.hashes.npy is not stored as its header says: <u8 x \[1000000000000\]"
    )


def test_a_compressed_part_is_refused_before_it_expands(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rezip(saved, parts(saved), deflate=("classifier.coef.npy",))
    monkeypatch.setattr(modelfile, "_read_array", lambda *a: pytest.fail("an array was read"))
    refused(saved, "part classifier.coef.npy is not stored as its header says")


def patched(path: Path, member: str, field: int, value: int, central: bool) -> None:
    """Set a field of ``member``'s local or central header (2 bytes at offsets 8 and 10, else 4),
    keeping the file's checksum right, so that only the structure checks can tell."""
    data = bytearray(path.read_bytes())
    if central:
        name = member.encode()
        at = data.index(b"PK\x01\x02")
        while data[at + 46 : at + 46 + len(name)] != name:
            at = data.index(b"PK\x01\x02", at + 1)
    else:
        with zipfile.ZipFile(path) as archive:
            at = archive.getinfo(member).header_offset
    width = 2 if field in (8, 10) else 4
    data[at + field : at + field + width] = value.to_bytes(width, "little")
    body = bytes(data[: -(len(COMMENT) + 64)])
    path.write_bytes(body + COMMENT + hashlib.sha256(body).hexdigest().encode())


def test_a_part_that_claims_another_compression_is_refused(saved: Path) -> None:
    patched(saved, "classifier.coef.npy", 8, zipfile.ZIP_DEFLATED, central=False)
    patched(saved, "classifier.coef.npy", 10, zipfile.ZIP_DEFLATED, central=True)
    refused(saved, "part classifier.coef.npy is not stored as its header says")


def test_a_part_that_claims_another_size_is_refused(saved: Path) -> None:
    with zipfile.ZipFile(saved) as archive:
        size = archive.getinfo("classifier.intercept.npy").file_size
    patched(saved, "classifier.intercept.npy", 24, size + 8, central=True)
    refused(saved, "part classifier.intercept.npy is not stored as its header says")


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.npz"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open(HEADER, "w", force_zip64=True) as part,
    ):
        for _ in range(200):  # 200 MB of zeros in about 200 kB
            part.write(b"\0" * 2**20)
    assert bomb.stat().st_size < 2**20
    refused(bomb, r"is corrupted \(its header cannot be read\)")
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * 2**24)
    refused(plain, "is not an attrib model file")


class Marker:
    """Unpickling this creates a file: proof that a model file's code ran."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.path,))


def test_a_pickle_anywhere_in_the_file_is_refused_and_never_run(
    saved: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "marker"
    original = parts(saved)
    members = {**original, "extra.pkl": pickle.dumps(Marker(marker))}
    rezip(saved, members)
    refused(saved, r"holds a part attrib does not write: extra.pkl")
    # An object array (NumPy pickles those) in place of one of the model's arrays.
    members = dict(original)
    members["classifier.intercept.npy"] = npy(np.array([Marker(marker)] * 3, dtype=object))
    header = json.loads(members[HEADER])
    header["arrays"]["classifier.intercept"]["dtype"] = "|O"
    members[HEADER] = json.dumps(header).encode()
    rezip(saved, members)
    refused(saved)
    members[HEADER] = original[HEADER]
    rezip(saved, members)
    refused(saved)
    saved.write_bytes(pickle.dumps(Marker(marker)))
    refused(saved, "looks like a pickle")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h.update(format=modelfile.FORMAT_VERSION + 1), "written by a newer attrib"),
        (lambda h: h.update(format=3), "format 3 is not valid"),
        (lambda h: h.update(format="4"), "is not valid"),
        (lambda h: h.update(metadata=None), "header cannot be read"),
        (lambda h: h["model"].update(labels=["a", "a", "b"]), "distinct names"),
        (
            lambda h: [
                h["model"].update(labels=["a", "a", "b"]),
                h["metadata"].update(labels=["a", "a", "b"]),
            ],
            "distinct names",
        ),
        (lambda h: h["metadata"].update(labels=["x", "y", "z"]), "distinct names"),
        (lambda h: h["model"]["cleaning"].update(mask="everything"), "cleaning options"),
        (lambda h: h["model"]["views"][0].update(name="../../etc"), "settings of its view"),
        (lambda h: h["model"]["views"][0].update(ngram_range=[5, 2]), "settings of its view"),
        (lambda h: h["model"]["views"][0].update(hash_bits=40), "view.s settings"),
        (lambda h: h["model"]["views"].__setitem__(1, h["model"]["views"][0]), "two char views"),
        (lambda h: h["model"]["classifier"].update(probability="vote"), "classifier"),
        (lambda h: h["model"].update(seen={"bits": 99}), "coverage bitmap"),
        (lambda h: h["metadata"].update(training={"mode": "bounded"}), "without its coverage"),
        (lambda h: h.pop("model"), "lacks the model's structure"),
    ],
)
def test_a_damaged_or_forged_header_is_refused(saved: Path, change: Any, message: str) -> None:
    edit_header(saved, change)
    refused(saved, message)
    with pytest.raises(ModelFileError):
        read_header(saved)


def test_listed_columns_out_of_bounds_are_refused(corpus: Path, tmp_path: Path) -> None:
    path = save_model(
        train_bounded(corpus, hash_bits=12, coverage_bits=16, batch_size=4), tmp_path / "b.npz"
    )
    original = parts(path)
    header = json.loads(original[HEADER])
    assert header["model"]["classifier"]["columns"] == "listed"
    assert header["model"]["seen"]["stored"] == "positions"  # a few 5-grams in 2**16 bits
    for part, message in (
        ("char.idf.columns.npy", "IDF columns are not valid"),
        ("classifier.columns.npy", "classifier's columns are not valid"),
        ("seen.positions.npy", "coverage positions are not valid"),
    ):
        listed = np.load(io.BytesIO(original[part]))
        for wrong in (listed[::-1].copy(), listed + 2**16):
            rezip(path, {**original, part: npy(wrong.astype(listed.dtype))})
            refused(path, message)


def test_values_out_of_bounds_are_refused(saved: Path) -> None:
    original = parts(saved)
    coef = np.load(io.BytesIO(original["classifier.coef.npy"]))
    coef[0, 0] = np.nan
    rezip(saved, {**original, "classifier.coef.npy": npy(coef)})
    refused(saved, "classifier's weights are not finite")
    ends = np.load(io.BytesIO(original["char.ends.npy"]))
    ends[-1] += 1
    rezip(saved, {**original, "char.ends.npy": npy(ends)})
    refused(saved, "n-grams do not fit their ends")
    idf = np.load(io.BytesIO(original["word.idf.npy"]))
    idf[3] = 0.5
    rezip(saved, {**original, "word.idf.npy": npy(idf)})
    refused(saved, "IDF weights are not valid")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty, not a model file"),
        (b"\x00\x80" + bytes(range(256)) * 8, "is not an attrib model file"),
        (b"PK\x03\x04 not really a zip", "is not an attrib model file"),
    ],
)
def test_foreign_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "m.npz"
    path.write_bytes(content)
    refused(path, message)


def test_a_npz_of_other_arrays_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "arrays.npz"
    np.savez(path, weights=np.ones(3))
    refused(path, "is not an attrib model file")


def test_a_missing_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"no model at .*attrib train"):
        load_model(tmp_path / "nothing.npz")


def test_a_model_path_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match=r"is a named pipe \(FIFO\), not a model file"):
        load_model(fifo)
    with pytest.raises(ModelFileError, match="is a directory, not a model file"):
        load_model(tmp_path)


# --- Saving --------------------------------------------------------------------------------------


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
    other = train()
    before = saved.read_bytes()
    with pytest.raises(ModelFileError, match=r"trained on a different corpus .*--force"):
        save_model(other, saved)
    assert saved.read_bytes() == before
    save_model(other, saved, overwrite=True)
    assert load_model(saved).labels == ["presstv", "rt", "sputnik", "tass"]


def test_a_model_of_the_same_corpus_is_replaced(model: Model, corpus: Path, saved: Path) -> None:
    save_model(train(corpus), saved)
    assert load_model(saved).scores(TEXTS) == model.scores(TEXTS)


def test_a_file_that_is_not_a_model_is_not_replaced(model: Model, tmp_path: Path) -> None:
    notes = tmp_path / "notes.npz"
    notes.write_text("my notes")
    with pytest.raises(ModelFileError, match="exists and is not an attrib model"):
        save_model(model, notes)
    assert notes.read_text() == "my notes"
