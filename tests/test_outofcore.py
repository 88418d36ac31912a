"""Bounded-memory training: hashed features, IDF from counted frequencies, SGD over batches."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.feature_extraction.text import TfidfTransformer

import attrib
from attrib.cli import cli
from attrib.errors import AttribError, CorpusError, ModelFileError, OptionError
from attrib.explanation.explain import explain_text
from attrib.modeling.openset import SeenNgrams, coverage, coverage_ngrams, coverage_positions
from attrib.reading.corpus import load_corpus
from attrib.scale.bounded import train_bounded
from conftest import STYLES, style_text, write_corpus
from legacyfiles import write_legacy


@pytest.fixture
def big_dir(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus", per_outlet=12)


def test_a_bounded_model_attributes_new_texts(big_dir: Path) -> None:
    model = train_bounded(big_dir, batch_size=7)
    assert model.bounded
    assert model.labels == sorted(STYLES)
    texts = [style_text(outlet, 900 + i) for i, outlet in enumerate(STYLES)]
    assert model.predict(texts) == list(STYLES)
    assert model.metadata["training"]["mode"] == "bounded"
    assert model.metadata["corpus"]["documents"] == 36


def test_the_model_does_not_depend_on_the_number_of_processes(big_dir: Path) -> None:
    one = train_bounded(big_dir, batch_size=5, jobs=1)
    two = train_bounded(big_dir, batch_size=5, jobs=2)
    coef = [m.pipeline.named_steps["classifier"].coef_ for m in (one, two)]
    np.testing.assert_array_equal(*coef)


def test_idf_matches_a_transformer_fitted_on_the_whole_matrix(big_dir: Path) -> None:
    model = train_bounded(big_dir, batch_size=4)
    corpus = load_corpus(big_dir)
    cleaned = model.pipeline.named_steps["clean"].transform(corpus.texts)
    for _, view in model.pipeline.named_steps["features"].transformer_list:
        counts = view.named_steps["count"].transform(cleaned)
        whole = TfidfTransformer(sublinear_tf=True).fit(counts)
        np.testing.assert_allclose(view.named_steps["tfidf"].idf_, whole.idf_)


def test_the_corpus_is_read_without_keeping_texts(big_dir: Path) -> None:
    lazy = load_corpus(big_dir, keep_texts=False)
    eager = load_corpus(big_dir)
    assert all(d.stored is None for d in lazy.documents)
    assert lazy.fingerprint == eager.fingerprint
    assert lazy.texts == eager.texts
    changed = lazy.documents[0]
    changed.path.write_text("something else entirely", encoding="utf-8")
    with pytest.raises(CorpusError, match="changed while attrib was reading"):
        _ = changed.text
    with pytest.raises(CorpusError, match="changed while attrib was reading"):
        train_bounded(lazy)


def test_seen_ngrams_coverage_agrees_with_a_vocabulary() -> None:
    training = [style_text(outlet, 1) for outlet in STYLES]
    seen = SeenNgrams(bits=22)
    seen.add(coverage_positions(training, seen.bits))
    vocabulary = {gram for text in training for gram in coverage_ngrams(text)}
    probes = [training[0], "An entirely different text about cooking pasta with basil.", ""]
    exact = [coverage(coverage_ngrams(text), vocabulary) for text in probes]
    assert seen.coverage(probes) == pytest.approx(exact, abs=0.02)
    assert exact[0] == 1.0 and exact[1] < 0.5 and exact[2] == 0.0
    assert 0 < seen.fill < 0.01


def test_a_bounded_model_survives_saving(big_dir: Path, tmp_path: Path) -> None:
    model = train_bounded(big_dir, batch_size=10)
    path = attrib.save_model(model, tmp_path / "bounded.npz")
    loaded = attrib.load_model(path)
    texts = [style_text(outlet, 5) for outlet in STYLES] + ["too short"]
    assert [p.to_dict() for p in loaded.predictions(texts)] == [
        p.to_dict() for p in model.predictions(texts)
    ]
    assert loaded.seen is not None


@pytest.mark.parametrize("old", [1, 2])
def test_a_model_file_from_before_the_counter_is_refused_and_kept(
    corpus_dir: Path, tmp_path: Path, old: int
) -> None:
    old_file = write_legacy(attrib.train(corpus_dir), tmp_path / "v_old.npz", version=old)
    before = old_file.read_bytes()
    with pytest.raises(ModelFileError, match=rf"older attrib \(model format {old}\).*retrain"):
        attrib.load_model(old_file)
    assert old_file.read_bytes() == before


def test_explain_says_a_bounded_model_has_no_feature_names(big_dir: Path) -> None:
    model = train_bounded(big_dir)
    with pytest.raises(AttribError, match="trained with --bounded"):
        explain_text(model, style_text("alpha", 3))


def test_bad_settings_are_refused(big_dir: Path) -> None:
    with pytest.raises(OptionError, match="hash_bits"):
        train_bounded(big_dir, hash_bits=40)
    with pytest.raises(OptionError, match="alpha"):
        train_bounded(big_dir, alpha=0)
    with pytest.raises(OptionError, match="unknown model option"):
        train_bounded(big_dir, shoe_size=9)


def test_cli_trains_bounded_and_predicts(big_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["train", str(big_dir), "--bounded", "--batch-size", "8", "-j", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["training"]["mode"] == "bounded"
    assert summary["training"]["batch_size"] == 8
    text = Path("new.txt")
    text.write_text(style_text("gamma", 77), encoding="utf-8")
    result = runner.invoke(cli, ["predict", "--json", str(text)])
    assert json.loads(result.stdout)["outlet"] == "gamma"
    result = runner.invoke(cli, ["explain", str(text)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "--bounded" in result.output
    assert "Traceback" not in result.output


def test_cli_refuses_calibration_with_bounded(big_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["train", str(big_dir), "--bounded", "--calibrate-threshold"])
    assert result.exit_code == 2
    assert "cannot go with --bounded" in result.output
    assert not Path("models/attrib.npz").exists()


def test_cli_bounded_defaults_are_the_library_defaults() -> None:
    from attrib.scale.bounded import BOUNDED_DEFAULTS

    options = {p.name: p.default for p in cli.commands["train"].params}
    for name in ("hash_bits", "epochs", "batch_size"):
        assert options[name] == BOUNDED_DEFAULTS[name]


@pytest.mark.parametrize("command", ["train", "predict", "evaluate"])
def test_zero_jobs_is_refused(command: str) -> None:
    result = CliRunner().invoke(
        cli, [command, "-j", "0", "x.txt"] if command == "predict" else [command, "-j", "0"]
    )
    assert result.exit_code == 2
    assert "must be a number of processes from 1 to 256, or -1" in result.output
