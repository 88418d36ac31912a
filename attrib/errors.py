"""Exceptions and warnings raised by attrib's library code.

The CLI turns every :class:`AttribError` into a one-line message and a non-zero exit code;
anything else reaching the user is a bug.
"""

from __future__ import annotations


class AttribError(Exception):
    """Base class of every error attrib reports to its user."""


class InputError(AttribError):
    """A text to read is missing, empty, binary, badly encoded or too large."""


class CorpusError(AttribError):
    """A corpus directory cannot be used for training or evaluation."""


class ModelFileError(AttribError):
    """A model file is missing, foreign, corrupted, untrusted or from a newer attrib."""


class OutputError(AttribError):
    """A file cannot be written where asked: not a file, an input or the model, or no space."""


class OptionError(AttribError):
    """An option passed to the library has an unknown name or an invalid value."""


class EvaluationError(AttribError):
    """An evaluation was asked for that cannot mean anything."""


class AttribWarning(UserWarning):
    """Something the user should know, which does not stop the work."""
