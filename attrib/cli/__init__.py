"""The ``attrib`` command line: a thin shell over the library.

``commands`` holds the group and the train, predict and evaluate commands; ``explain`` the
explain and demo commands; ``corpus`` the corpus commands; ``common`` the options, error
handling and progress they share. Library modules that import scikit-learn are imported inside
the commands, so that ``attrib --help`` starts fast.
"""

from attrib.cli.commands import cli, main

__all__ = ["cli", "main"]
