"""Batch prediction on a Dask distributed cluster gives the results of a local run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import attrib
from attrib.cli import cli
from attrib.reading.texts import expand_inputs
from attrib.scale.batches import predict_sources
from conftest import STYLES, style_text

distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed (pip install 'attrib[dask]')"
)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a two-worker cluster on loopback, for the whole module."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for i in range(30):
        outlet = list(STYLES)[i % len(STYLES)]
        (folder / f"text_{i:02d}.txt").write_text(style_text(outlet, 500 + i), encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "short.txt").write_text("Too short to judge.", encoding="utf-8")
    return folder


def test_predictions_on_the_cluster_are_those_of_one_process(
    scheduler: str, inputs: Path, corpus_dir: Path
) -> None:
    model = attrib.train(corpus_dir)
    local = [r.to_dict() for r in predict_sources(model, expand_inputs([str(inputs)]))]
    remote = predict_sources(model, expand_inputs([str(inputs)]), batch_size=4, dask=scheduler)
    assert [r.to_dict() for r in remote] == local
    assert len(local) == 32
    assert sum("error" in r for r in local) == 1


def test_cli_dask_gives_the_same_output(scheduler: str, inputs: Path, corpus_dir: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["train", str(corpus_dir)]).exit_code == 0
    local = runner.invoke(cli, ["predict", "--json", str(inputs)])
    remote = runner.invoke(cli, ["predict", "--json", "--dask", scheduler, str(inputs)])
    assert remote.exit_code == local.exit_code == 1  # the empty file
    assert remote.stdout == local.stdout
    outlets = [json.loads(line).get("outlet") for line in remote.stdout.splitlines()]
    assert set(outlets) >= set(STYLES)


def test_an_unreachable_scheduler_is_one_line(corpus_dir: Path, inputs: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["train", str(corpus_dir)]).exit_code == 0
    result = runner.invoke(cli, ["predict", "--dask", "tcp://127.0.0.1:9", str(inputs)])
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler" in result.output
    assert "Traceback" not in result.output


def test_dask_local_starts_and_stops_its_own_cluster(inputs: Path, corpus_dir: Path) -> None:
    model = attrib.train(corpus_dir)
    local = [r.to_dict() for r in predict_sources(model, expand_inputs([str(inputs)]))]
    on_local_cluster = predict_sources(
        model, expand_inputs([str(inputs)]), batch_size=8, dask="local", jobs=2
    )
    assert [r.to_dict() for r in on_local_cluster] == local
