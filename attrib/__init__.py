"""attrib: say which news outlet wrote a text, from its style, and show why.

The public API is importable from here. Names are loaded on first use, so that importing
attrib (and starting its command line) does not import scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

__all__ = [
    "DEFAULTS",
    "AttribError",
    "AttribWarning",
    "Corpus",
    "CorpusError",
    "Document",
    "Evaluation",
    "EvaluationError",
    "InputError",
    "Model",
    "ModelFileError",
    "OptionError",
    "OutputError",
    "Prediction",
    "__version__",
    "build_pipeline",
    "evaluate",
    "load_corpus",
    "load_model",
    "save_model",
    "scan",
    "train",
    "train_bounded",
]

_LOCATIONS = {
    "DEFAULTS": "attrib.modeling.pipeline",
    "AttribError": "attrib.errors",
    "AttribWarning": "attrib.errors",
    "Corpus": "attrib.reading.corpus",
    "CorpusError": "attrib.errors",
    "Document": "attrib.reading.corpus",
    "Evaluation": "attrib.evaluation.evaluate",
    "EvaluationError": "attrib.errors",
    "InputError": "attrib.errors",
    "Model": "attrib.modeling.model",
    "ModelFileError": "attrib.errors",
    "OptionError": "attrib.errors",
    "OutputError": "attrib.errors",
    "Prediction": "attrib.modeling.model",
    "build_pipeline": "attrib.modeling.pipeline",
    "evaluate": "attrib.evaluation.evaluate",
    "load_corpus": "attrib.reading.corpus",
    "load_model": "attrib.storage.modelfile",
    "save_model": "attrib.storage.modelfile",
    "scan": "attrib.explanation.scan",
    "train": "attrib.modeling.training",
    "train_bounded": "attrib.scale.bounded",
}

if TYPE_CHECKING:
    from attrib.errors import (
        AttribError,
        AttribWarning,
        CorpusError,
        EvaluationError,
        InputError,
        ModelFileError,
        OptionError,
        OutputError,
    )
    from attrib.evaluation.evaluate import Evaluation, evaluate
    from attrib.explanation.scan import scan
    from attrib.modeling.model import Model, Prediction
    from attrib.modeling.pipeline import DEFAULTS, build_pipeline
    from attrib.modeling.training import train
    from attrib.reading.corpus import Corpus, Document, load_corpus
    from attrib.scale.bounded import train_bounded
    from attrib.storage.modelfile import load_model, save_model


def __getattr__(name: str) -> Any:
    try:
        module = _LOCATIONS[name]
    except KeyError:
        raise AttributeError(f"module 'attrib' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
