"""The examples in attrib's docstrings run, and say what they show (pytest runs them here).

They run against the installed package, like every other test, with the config directory in a
temporary folder (the autouse fixture).
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import attrib


def test_every_docstring_example_runs() -> None:
    attempted = 0
    failures = []
    for module_info in pkgutil.walk_packages(attrib.__path__, "attrib."):
        if module_info.name == "attrib.__main__":  # importing it runs the CLI
            continue
        module = importlib.import_module(module_info.name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False)
        attempted += result.attempted
        if result.failed:
            failures.append(module_info.name)
    assert failures == []
    assert attempted >= 30  # the public API's examples are there to run
