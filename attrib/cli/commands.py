"""The ``attrib`` command line: parse, call one library function, print.

Library modules that import scikit-learn are imported inside the commands, so that
``attrib --help`` starts fast.
"""

from __future__ import annotations

import itertools
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import click

from attrib import __version__
from attrib.cli.common import (
    MASK_OPTION,
    MODEL_OPTION,
    TRUST_OPTION,
    TYPOGRAPHY_OPTION,
    AttribGroup,
    check_plotting,
    jobs_option,
    progress,
    stdin_is_terminal,
    table_option,
    user_errors,
)
from attrib.presentation.printable import one_field
from attrib.presentation.terminal import display_name


@click.group(cls=AttribGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="attrib")
def cli() -> None:
    """Say which news outlet (Sputnik, TASS, Press TV or RT) wrote a text, from its style.

    Train a model on a corpus of outlet-labelled articles, then ask it about new text.
    Scores are probabilities that sum to 1 over the outlets the model knows; they are not
    calibrated, and on a small corpus they show which outlet the model prefers, not how likely
    it is to be right.

    \b
    Examples:
      attrib train                      # train on the bundled five-article corpus
      attrib predict corpus/rt/*.txt    # which outlet wrote each file?
      cat article.txt | attrib predict --json -
      attrib evaluate                   # leave-one-out, with what its numbers can mean
    """


def main() -> None:
    """Entry point of the ``attrib`` console script."""
    cli(prog_name="attrib")


@cli.command()
@click.argument("corpus", required=False, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to save the model (default: models/attrib.npz under the current directory).",
)
@click.option(
    "--force", is_flag=True, help="Replace an existing model trained on a different corpus."
)
@MASK_OPTION
@TYPOGRAPHY_OPTION
@click.option(
    "--calibrate-threshold",
    is_flag=True,
    help="Choose the margin below which predict answers unknown from leave-one-out scores "
    "(needs 20 documents and 3 per outlet; says so when the corpus is smaller).",
)
@click.option(
    "--bounded",
    is_flag=True,
    help="Train in memory that does not grow with the corpus: hashed n-grams and a linear model "
    "fitted batch by batch (no feature names for explain; see the README).",
)
@table_option(
    "--hash-bits",
    name="hash_bits",
    help="With --bounded: 2**BITS hashed columns per view (more: fewer collisions, a bigger "
    "model).",
)
@table_option(
    "--epochs",
    name="epochs",
    help="With --bounded: passes over the corpus.",
)
@table_option(
    "--batch-size",
    name="batch_size",
    help="With --bounded: documents in memory at a time.",
)
@jobs_option("With --bounded: processes that read and hash batches (-1: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def train(
    corpus: Path | None,
    output: Path | None,
    force: bool,
    mask: str,
    typography: str,
    calibrate_threshold: bool,
    bounded: bool,
    hash_bits: int,
    epochs: int,
    batch_size: int,
    jobs: int,
    as_json: bool,
) -> None:
    """Train a model on CORPUS (default: the bundled corpus) and save it.

    CORPUS is a directory with one sub-directory per outlet, each holding UTF-8 .txt articles.
    An existing model file is only replaced if it was trained on the same corpus, or with
    --force.

    \b
    Examples:
      attrib train
      attrib train my-corpus/ -o models/big.npz
      attrib train my-corpus/ --force --json
      attrib train --mask none -o models/raw.npz   # let it read signatures, to compare
      attrib train big-corpus/ --bounded -j 2 -o models/big.npz
    """
    from attrib.modeling.training import check_trainable
    from attrib.modeling.training import train as train_model
    from attrib.presentation.terminal import corpus_table
    from attrib.reading.corpus import load_corpus
    from attrib.storage.modelfile import DEFAULT_MODEL_PATH, check_can_save, save_model

    output = output or DEFAULT_MODEL_PATH
    if bounded and calibrate_threshold:
        raise click.UsageError(
            "--calibrate-threshold refits in memory; it cannot go with --bounded"
        )
    if not bounded:
        given = [
            flag
            for name, flag in (
                ("hash_bits", "--hash-bits"),
                ("epochs", "--epochs"),
                ("batch_size", "--batch-size"),
                ("jobs", "--jobs"),
            )
            if click.get_current_context().get_parameter_source(name)
            is not click.core.ParameterSource.DEFAULT
        ]
        if given:
            raise click.UsageError(f"{', '.join(given)} only apply with --bounded")
    with user_errors():
        loaded = load_corpus(corpus, keep_texts=not bounded)
        check_trainable(loaded)
        protect = [("a file of the training corpus", d.path) for d in loaded.documents]
        # Refuse before spending time on training.
        check_can_save(
            output,
            loaded.fingerprint,
            overwrite=force,
            protect=protect,
            corpus=loaded.summary(),
        )
        if bounded:
            from attrib.scale.bounded import train_bounded

            with progress("training") as update:
                model = train_bounded(
                    loaded,
                    jobs=jobs,
                    progress=update,
                    mask=mask,
                    typography=typography,
                    hash_bits=hash_bits,
                    epochs=epochs,
                    batch_size=batch_size,
                )
        else:
            model = train_model(
                loaded, mask=mask, typography=typography, calibrate_threshold=calibrate_threshold
            )
        replaced = _open_set_of(output)
        save_model(model, output, overwrite=force, protect=protect)
    if replaced.get("calibrated") and not model.metadata["open_set"]["calibrated"]:
        click.echo(
            f"note: the model this replaces had a calibrated margin "
            f"({replaced['thresholds']['min_margin']:.3f}); this one uses the default "
            f"{model.thresholds['min_margin']:.2f}: train with --calibrate-threshold to "
            "calibrate again",
            err=True,
        )
    if as_json:
        summary = {
            "model": str(output),
            "corpus": loaded.summary(),
            "open_set": model.metadata["open_set"],
            "training": model.metadata.get("training", {"mode": "in memory"}),
            "provenance": loaded.provenance(),
            "notes": loaded.notes(),
        }
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(
        f"Trained on {one_field(str(loaded.root))} (corpus fingerprint {loaded.fingerprint[:12]}):"
    )
    click.echo(corpus_table(loaded.summary()))
    for note in loaded.notes():
        click.echo(f"note: {one_field(note)}", err=True)
    if calibrate_threshold and model.metadata["open_set"]["calibrated"]:
        click.echo(f"Abstention threshold: {model.metadata['open_set']['how']}")
    click.echo(f"Saved model to {one_field(str(output))}")


@cli.command()
@click.argument("inputs", nargs=-1, metavar="[PATH... | -]")
@MODEL_OPTION
@click.option(
    "--from-list",
    "from_lists",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, allow_dash=True),
    help="Read the paths to attribute from this file, one per line (- for standard input); "
    "repeatable.",
)
@click.option(
    "--jsonl",
    is_flag=True,
    help='Read texts from standard input as JSON Lines, one {"id": ..., "text": ...} per line; '
    "results carry the id.",
)
@jobs_option("Processes to spread batches over (-1: one per core).")
@click.option(
    "--dask",
    "dask_address",
    metavar="SCHEDULER",
    help="Score the batches on a Dask distributed cluster: its scheduler's address "
    "(tcp://host:8786), or 'local' for a cluster of --jobs processes on this machine. "
    "Needs the dask extra; the workers need attrib, not the input files.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines: one object per input.")
@table_option(
    "--threshold",
    name="min_margin",
    default=None,
    help="Abstain (answer unknown) when the top score leads the runner-up by less than this "
    "(default: the model's own, 0.05 unless trained with --calibrate-threshold).",
)
@click.option(
    "--overlap",
    is_flag=True,
    help="Also report how much of each text appears verbatim (word 8-grams) in the training "
    "corpus: evidence of copying, kept apart from the style scores.",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    help="With --overlap: the training corpus (default: the path saved in the model).",
)
@TRUST_OPTION
def predict(
    inputs: tuple[str, ...],
    model_path: Path | None,
    from_lists: tuple[str, ...],
    jsonl: bool,
    jobs: int,
    dask_address: str | None,
    as_json: bool,
    threshold: float | None,
    overlap: bool,
    corpus: Path | None,
    trust: bool,
) -> None:
    """Say which outlet wrote each text.

    PATH is a text file, a directory (every .txt file in its tree), or - for standard input
    (read without - too when standard input is a pipe or a file);
    --from-list and --jsonl stream any number of inputs in batches, in bounded memory. Plain
    output is one line per input: the outlet, its score, and the runner-up. Scores are
    uncalibrated probabilities summing to 1 over the model's outlets: they rank the outlets,
    they do not promise a hit rate. The answer is "unknown", with the reason, for a text of
    under 50 words, one sharing under a third of its character 5-grams with the training
    corpus, or one whose top score is not clearly ahead (--threshold). An input that cannot
    be read is reported and the others go on; the exit code is then 1.

    \b
    Examples:
      attrib predict article.txt
      attrib predict --json corpus/rt/*.txt
      cat article.txt | attrib predict -
      find archive/ -name '*.txt' | attrib predict --from-list - --json -j 2
      attrib predict --jsonl --json < texts.jsonl
      attrib predict archive/ --json --dask tcp://scheduler:8786

    \b
    JSON Lines fields: path, outlet (or "unknown"), score, runner_up, scores {outlet:
    probability}, abstained, reason; or path and error for an input that could not be read.
    """
    from attrib.presentation.terminal import overlap_line
    from attrib.reading.texts import STDIN, expand_inputs, sources_from_jsonl, sources_from_list
    from attrib.scale.batches import predict_sources
    from attrib.storage.modelfile import DEFAULT_MODEL_PATH, load_model

    if not inputs and not from_lists and not jsonl:
        if stdin_is_terminal():
            raise click.UsageError("give a PATH, - for standard input, --from-list FILE or --jsonl")
        inputs = (STDIN,)  # a filter: `cat article.txt | attrib predict` reads the pipe
    readers_of_stdin = (
        [f"{STDIN} (a text)"] * inputs.count(STDIN)
        + ["--from-list -"] * from_lists.count(STDIN)
        + ["--jsonl"] * jsonl
    )
    if len(readers_of_stdin) > 1:
        raise click.UsageError(
            f"standard input can be read once, but {', '.join(readers_of_stdin)} all read it; "
            "keep one"
        )
    sources = itertools.chain(
        expand_inputs(inputs),
        *(sources_from_list(name) for name in from_lists),
        sources_from_jsonl(sys.stdin.buffer) if jsonl else (),
    )
    failed = 0
    show = sys.stderr.isatty()
    with user_errors():
        # With paths alone, the total is known after a walk of the folders: worth it for an ETA.
        total = None
        if show and not from_lists and not jsonl and STDIN not in inputs:
            with warnings.catch_warnings():  # the real walk warns
                warnings.simplefilter("ignore")
                total = sum(1 for _ in expand_inputs(inputs))
    with user_errors(), progress("texts", total) as update:
        model = load_model(model_path or DEFAULT_MODEL_PATH, trust=trust)
        limits = None if threshold is None else {"min_margin": threshold}
        index = None
        if overlap:
            from attrib.explanation.overlap import ShingleIndex

            index = ShingleIndex(model.training_corpus(corpus))
        results = predict_sources(
            model, sources, thresholds=limits, overlap=index, jobs=jobs, dask=dask_address
        )
        for count, result in enumerate(results, 1):
            update(count)
            failed += result.prediction is None
            if as_json:
                click.echo(json.dumps(result.to_dict()))
            elif result.prediction is None:
                click.echo(f"error: {one_field(str(result.error))}", err=True)
            elif result.prediction.abstained:
                p = result.prediction
                click.echo(
                    f"{one_field(result.path)}\tunknown ({p.reason})\t"
                    f"(best guess: {display_name(p.best)} {p.score:.2f}, "
                    f"runner-up: {display_name(p.runner_up)} {p.scores[p.runner_up]:.2f})"
                )
            else:
                p = result.prediction
                click.echo(
                    f"{one_field(result.path)}\t{display_name(p.outlet)} {p.score:.2f}\t"
                    f"(runner-up: {display_name(p.runner_up)} {p.scores[p.runner_up]:.2f})"
                )
            if result.overlap is not None and not as_json:
                click.echo(f"  {overlap_line(result.overlap)}")
    if failed:
        click.echo(f"error: {failed} input(s) could not be read", err=True)
        sys.exit(1)


@cli.command()
@click.argument("corpus", required=False, type=click.Path(path_type=Path))
@table_option(
    "--folds",
    "-k",
    name="folds",
    help="Stratified K-fold instead of leave-one-out (for larger corpora).",
)
@table_option(
    "--unit",
    name="unit",
    help="Evaluate whole documents, or passages with their whole document held out.",
)
@table_option(
    "--min-passage-chars",
    name="min_passage_chars",
    help="Shortest passage, with --unit passage.",
)
@table_option(
    "--permutations",
    name="permutations",
    help="Label permutations for the p-value (0: none). Default: all of them when there are "
    "at most 100, else up to 100 random ones if they cost under 500 model fits, else none.",
)
@table_option(
    "--seed",
    name="seed",
    help="Seed for folds and permutations (0 to 2**32-1).",
)
@jobs_option("Processes (-1: all cores).")
@MASK_OPTION
@TYPOGRAPHY_OPTION
@click.option(
    "--republish",
    is_flag=True,
    help="Also score the held-out documents after each republication transform (typography, "
    "frame, headline, reflow, copyedit, excerpt, all), beside the plain scikit-learn pipeline.",
)
@click.option(
    "--compare-masking",
    is_flag=True,
    help="Run the evaluation under every --mask mode and print them side by side.",
)
@click.option(
    "--test",
    "test_dir",
    type=click.Path(path_type=Path),
    help="Score a saved model (-m) on this labelled folder (the corpus layout) instead of "
    "leave-one-out: it must hold no copy of the training documents.",
)
@MODEL_OPTION
@TRUST_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the confusion matrix to this PNG file (needs the 'plot' extra).",
)
def evaluate(
    corpus: Path | None,
    folds: int | None,
    unit: str,
    min_passage_chars: int,
    permutations: int | None,
    seed: int,
    jobs: int,
    mask: str,
    typography: str,
    republish: bool,
    compare_masking: bool,
    test_dir: Path | None,
    model_path: Path | None,
    trust: bool,
    as_json: bool,
    plot: Path | None,
) -> None:
    """Test the model on every document after training it on all the others.

    Leave-one-out by default: each document is predicted by a model trained on the rest, with
    vocabulary and IDF fitted without it. An outlet whose only document is held out cannot be
    named, so each row says whether it was attainable, and the summary gives the ceiling (the
    best reachable accuracy), the chance level and a permutation p-value beside the accuracy.

    \b
    Examples:
      attrib evaluate                          # the bundled corpus, leave-one-out
      attrib evaluate my-corpus/ --folds 5 -j 2
      attrib evaluate --unit passage --json
      attrib evaluate my-corpus/ --plot confusion.png
      attrib evaluate --compare-masking        # signatures versus style, in one table
      attrib evaluate my-corpus/ --folds 5 --republish   # does it survive republication?
      attrib evaluate --test held-out/ -m models/attrib.npz   # a saved model on new text
    """
    from attrib.evaluation.evaluate import evaluate as run_evaluation
    from attrib.evaluation.masking import compare_masking as run_comparison
    from attrib.presentation.terminal import masking_comparison

    if test_dir is not None:
        _evaluate_test_set(test_dir, model_path, trust, permutations, seed, as_json, plot)
        return
    if model_path is not None or trust:
        raise click.UsageError("-m/--model and --trust go with --test DIR")
    options: dict[str, Any] = {
        "unit": unit,
        "folds": folds,
        "min_passage_chars": min_passage_chars,
        "permutations": permutations,
        "seed": seed,
        "jobs": jobs,
    }
    if republish:
        _evaluate_republished(corpus, options, mask, typography, compare_masking, plot, as_json)
        return
    if compare_masking:
        if plot is not None:
            raise click.BadParameter("--plot draws one evaluation; drop --compare-masking")
        with user_errors(), progress("evaluating") as update:
            comparison = run_comparison(corpus, progress=update, typography=typography, **options)
        if as_json:
            click.echo(json.dumps(comparison.to_dict(), indent=2))
        else:
            click.echo(masking_comparison(comparison))
        return
    if plot is not None:
        check_plotting()
        from attrib.storage.files import check_output

        with user_errors():  # refuse before the evaluation, not after
            check_output(plot)
    with user_errors(), progress("evaluating") as update:
        report = run_evaluation(
            corpus,
            mask=mask,
            typography=typography,
            progress=update,
            announce=lambda sentence: click.echo(f"note: {one_field(sentence)}", err=True),
            **options,
        )
    _show_evaluation(report, as_json, plot)


def _show_evaluation(report: Any, as_json: bool, plot: Path | None) -> None:
    """An evaluation's report (or JSON), and its confusion matrix drawn to ``plot``."""
    from attrib.presentation.terminal import evaluation_report

    if plot is not None:
        from attrib.presentation.plot import plot_confusion

        with user_errors():
            plot_confusion(report, plot)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(evaluation_report(report))
    if plot is not None:
        click.echo(f"Wrote the confusion matrix to {one_field(str(plot))}", err=True)


def _evaluate_republished(
    corpus: Path | None,
    options: dict[str, Any],
    mask: str,
    typography: str,
    compare_masking: bool,
    plot: Path | None,
    as_json: bool,
) -> None:
    """``evaluate --republish``: the robustness table (documents only, the same folds)."""
    from attrib.evaluation.republished import evaluate_republished
    from attrib.presentation.terminal import robustness_report

    for flag, given in (("--compare-masking", compare_masking), ("--plot", plot is not None)):
        if given:
            raise click.UsageError(f"--republish prints its own table; drop {flag}")
    if options["unit"] != "document":
        raise click.UsageError("--republish transforms whole documents; drop --unit passage")
    with user_errors(), progress("evaluating") as update:
        report = evaluate_republished(
            corpus,
            folds=options["folds"],
            seed=options["seed"],
            progress=update,
            mask=mask,
            typography=typography,
        )
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(robustness_report(report))


def _evaluate_test_set(
    test_dir: Path,
    model_path: Path | None,
    trust: bool,
    permutations: int | None,
    seed: int,
    as_json: bool,
    plot: Path | None,
) -> None:
    """``evaluate --test``: a saved model on a labelled folder; no refitting, so the options of
    leave-one-out (a corpus, folds, units, masking, republication, -j) do not apply."""
    ctx = click.get_current_context()
    given = [
        flag
        for name, flag in (
            ("corpus", "CORPUS"),
            ("folds", "--folds"),
            ("unit", "--unit"),
            ("min_passage_chars", "--min-passage-chars"),
            ("jobs", "--jobs"),
            ("mask", "--mask"),
            ("typography", "--typography"),
            ("republish", "--republish"),
            ("compare_masking", "--compare-masking"),
        )
        if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    ]
    if given:
        raise click.UsageError(
            f"{', '.join(given)} cannot go with --test: it scores the saved model as it is"
        )
    from attrib.evaluation.evaluate import evaluate_test_set
    from attrib.storage.files import check_output
    from attrib.storage.modelfile import DEFAULT_MODEL_PATH, load_model

    if plot is not None:
        check_plotting()
    with user_errors():
        if plot is not None:
            check_output(plot)
        model = load_model(model_path or DEFAULT_MODEL_PATH, trust=trust)
        report = evaluate_test_set(model, test_dir, permutations=permutations, seed=seed)
    _show_evaluation(report, as_json, plot)


def _open_set_of(path: Path) -> dict[str, Any]:
    """The abstention settings of the model at ``path``, or {} if there is none to read."""
    from attrib.errors import ModelFileError
    from attrib.storage.modelfile import read_header

    try:
        open_set = read_header(path)["metadata"].get("open_set")
    except (ModelFileError, OSError):
        return {}
    return open_set if isinstance(open_set, dict) else {}


def _register() -> None:
    from attrib.cli.corpus import corpus
    from attrib.cli.explain import demo, explain
    from attrib.cli.model import model
    from attrib.cli.scan import scan
    from attrib.cli.serve import serve

    cli.add_command(explain)
    cli.add_command(demo)
    cli.add_command(corpus)
    cli.add_command(model)
    cli.add_command(scan)
    cli.add_command(serve)


_register()
