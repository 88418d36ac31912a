"""What ``attrib serve`` answers, without the web framework: two models (the one asked for and
its twin that may or may not read outlet names), the training corpus, and their answers as the
same JSON objects the command line prints with ``--json``.

A :class:`Classroom` is safe to call from several threads at once: its models and index are
read, never changed, after it is built; the evaluation runs in a thread of its own.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from attrib import __version__
from attrib.errors import AttribError, OptionError
from attrib.evaluation.evaluate import evaluate
from attrib.explanation.explain import explain_text, training_corpus_or_none
from attrib.explanation.overlap import ShingleIndex
from attrib.explanation.scan import STEP_WORDS, WINDOW_WORDS, scan
from attrib.modeling.model import Model
from attrib.modeling.training import train
from attrib.outlets import display_name
from attrib.presentation.palette import outlet_colours
from attrib.presentation.terminal import KINDS_KEY, WHITESPACE_SIGNS
from attrib.reading.corpus import Corpus, load_corpus
from attrib.reading.texts import check_text

#: The largest request body the server reads, in bytes: a long article is 10-30 kB, and
#: explaining 200 kB of text takes 15 s on one core (``bench/serve.py`` measures the rest).
MAX_REQUEST_BYTES = 100_000
#: Contributions each way per explained outlet that the page asks for (the CLI gives all).
PAGE_TOP = 12
#: What the text is called in error messages.
TEXT_NAME = "the text"
#: Example texts offered on the page: one per outlet, cut to this many characters.
EXAMPLE_CHARS = 3000

Say = Callable[[str], None]


@dataclass
class Evaluation:
    """The leave-one-out evaluation of the training corpus, filled in by a background thread."""

    state: str = "waiting"  # waiting, running, done, failed, unavailable
    result: dict[str, Any] | None = None
    with_names: float | None = None
    error: str | None = None
    seconds: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the state, and ``attrib evaluate --json``'s object once done."""
        with self.lock:
            return {
                "state": self.state,
                "evaluation": self.result,
                "accuracy_with_names": self.with_names,
                "error": self.error,
                "seconds": self.seconds,
            }


class Classroom:
    """The models and corpus behind the page and its API.

    Parameters
    ----------
    model : Model
        The model that answers by default.
    corpus : Corpus, optional
        Its training corpus: examples, verbatim overlap, the evaluation and the twin model.
    twin : Model, optional
        The same model trained with the other masking (``none`` when ``model`` masks outlet
        names, else ``signatures``), for the lesson "names are not style".
    """

    def __init__(self, model: Model, corpus: Corpus | None, twin: Model | None = None) -> None:
        self.model = model
        self.corpus = corpus
        self.models = {model.options["mask"]: model}
        if twin is not None:
            self.models[twin.options["mask"]] = twin
        self.index = ShingleIndex(corpus) if corpus is not None else None
        self.evaluation = Evaluation(state="waiting" if corpus is not None else "unavailable")

    @classmethod
    def build(
        cls,
        *,
        model: Model | None = None,
        corpus: str | None = None,
        say: Say = lambda message: None,
    ) -> Classroom:
        """Train on ``corpus`` (the bundled one by default), or take ``model`` and find its
        corpus; then train the twin with the other masking. ``say`` hears what takes time."""
        loaded: Corpus | None
        if model is None:
            loaded = load_corpus(corpus)
            started = time.perf_counter()
            model = train(loaded)
            say(
                f"Trained the model on {len(loaded.documents)} articles of "
                f"{len(loaded.outlets)} outlets in {time.perf_counter() - started:.1f} s"
            )
        else:
            notes: list[str] = []
            loaded = training_corpus_or_none(model, corpus, notes)
            for note in notes:
                say(f"note: {note.replace('no examples or stability', 'no examples')}")
        twin = None
        if loaded is not None and not model.bounded:
            started = time.perf_counter()
            other = "signatures" if model.options["mask"] == "none" else "none"
            twin = train(loaded, **{**model.options, "mask": other})
            say(
                f"Trained its twin that {'may' if other == 'none' else 'may not'} read outlet "
                f"names (--mask {other}) in {time.perf_counter() - started:.1f} s"
            )
        else:
            say("note: no twin model (it needs the training corpus and an in-memory model)")
        return cls(model, loaded, twin)

    # -- answers --------------------------------------------------------------------------

    def _model(self, mask: str | None) -> Model:
        if mask is None:
            return self.model
        if mask not in self.models:
            raise OptionError(
                f"mask must be one of {', '.join(sorted(self.models))} (this server's models), "
                f"not {mask!r}"
            )
        return self.models[mask]

    def predict(self, text: str, mask: str | None = None) -> dict[str, Any]:
        """``attrib predict --json --overlap``'s object for one text, without its path."""
        model = self._model(mask)
        (prediction,) = model.predictions([check_text(text, TEXT_NAME)])
        return {
            **prediction.to_dict(),
            "overlap": None if self.index is None else self.index.overlap(text).to_dict(),
        }

    def explain(
        self,
        text: str,
        mask: str | None = None,
        outlets: list[str] | None = None,
        top: int | None = None,
    ) -> dict[str, Any]:
        """``attrib explain --json``'s object for one text; with ``top``, each explained
        outlet's ``top`` strongest contributions each way only."""
        model = self._model(mask)
        explanation = explain_text(model, check_text(text, TEXT_NAME), outlets)
        data = explanation.to_dict(top)
        data["overlap"] = None if self.index is None else self.index.overlap(text).to_dict()
        data["open_set"] = model.metadata.get("open_set")
        return data

    def scan(
        self,
        text: str,
        mask: str | None = None,
        window: int | None = None,
        step: int | None = None,
    ) -> dict[str, Any]:
        """``attrib scan --json``'s object for one text, without its path."""
        model = self._model(mask)
        found = scan(
            model,
            check_text(text, TEXT_NAME),
            window=WINDOW_WORDS if window is None else window,
            step=STEP_WORDS if step is None else step,
            overlap=self.index,
        )
        return found.to_dict()

    # -- what the page shows around the answers --------------------------------------------

    def about(self) -> dict[str, Any]:
        """The server's models, outlets (with their names and colours) and limits."""
        labels = self.model.labels
        return {
            "attrib": __version__,
            "outlets": [
                {"label": o, "name": display_name(o), "colour": outlet_colours(o, labels)[1]}
                for o in labels
            ],
            "mask": self.model.options["mask"],
            "masks": sorted(self.models),
            "open_set": self.model.metadata.get("open_set"),
            "corpus": self.model.metadata.get("corpus"),
            "max_request_bytes": MAX_REQUEST_BYTES,
            "page_top": PAGE_TOP,
            "scan_window": WINDOW_WORDS,
            "kinds_key": KINDS_KEY,
            "whitespace_signs": WHITESPACE_SIGNS,
        }

    def corpus_view(self) -> dict[str, Any]:
        """The training corpus (size per outlet, notes, one example per outlet) and its
        leave-one-out evaluation (``state`` says whether it is done)."""
        if self.corpus is None:
            return {"corpus": None, "examples": [], "notes": [], **self.evaluation.to_dict()}
        examples = []
        for outlet in self.corpus.outlets:
            document = next(d for d in self.corpus.documents if d.label == outlet)
            examples.append(
                {
                    "document": f"{outlet}/{document.path.name}",
                    "outlet": outlet,
                    "text": document.text[:EXAMPLE_CHARS],
                    "cut": document.characters > EXAMPLE_CHARS,
                }
            )
        return {
            "corpus": self.corpus.summary(),
            "notes": self.corpus.notes(),
            "examples": examples,
            **self.evaluation.to_dict(),
        }

    def evaluate_in_background(self, say: Say = lambda message: None) -> threading.Thread | None:
        """Start the leave-one-out evaluation (and the twin's accuracy) in a daemon thread."""
        if self.corpus is None or self.evaluation.state != "waiting":
            return None
        thread = threading.Thread(target=self._evaluate, args=(say,), daemon=True)
        with self.evaluation.lock:
            self.evaluation.state = "running"
        thread.start()
        return thread

    def _evaluate(self, say: Say) -> None:
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # what they say is in the evaluation's warnings
                result = evaluate(self.corpus, **self.model.options).to_dict()
                with_names = {**self.model.options, "mask": "none"}
                names = evaluate(self.corpus, permutations=0, **with_names)
        except (AttribError, MemoryError) as error:
            with self.evaluation.lock:
                self.evaluation.state, self.evaluation.error = "failed", str(error)
            say(f"note: the evaluation could not run: {error}")
            return
        seconds = time.perf_counter() - started
        with self.evaluation.lock:
            self.evaluation.state = "done"
            self.evaluation.result = result
            self.evaluation.with_names = names.accuracy
            self.evaluation.seconds = round(seconds, 1)
        say(f"The leave-one-out evaluation is done ({seconds:.0f} s)")
