"""How many worker processes to start: never more than there is work or cores for.

``-j 10000`` once started hundreds of processes for one input. Every parallel path (predict,
evaluate, bounded training, a local Dask cluster) asks :func:`worker_count` instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from attrib.options import RUN_OPTIONS, check

#: Called as ``progress(done, total)`` as long work advances.
Progress = Callable[[int, int], None]

#: The largest ``jobs`` accepted (the options table); anything above is a typo, not a plan.
MAX_JOBS = int(RUN_OPTIONS["jobs"].high or 0)


def check_jobs(jobs: object) -> int:
    """Return ``jobs`` if it is -1 (one per core) or 1 to :data:`MAX_JOBS`.

    Raises
    ------
    OptionError
        For 0, negatives other than -1, values above :data:`MAX_JOBS` and non-integers.
    """
    return int(check("jobs", jobs))


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def worker_count(jobs: int, tasks: int | None = None) -> int:
    """The processes worth starting for ``jobs``: at most the cores, and at most ``tasks``.

    >>> worker_count(1)
    1
    >>> worker_count(256, tasks=3) <= 3
    True
    """
    wanted = available_cores() if check_jobs(jobs) == -1 else jobs
    count = min(wanted, available_cores())
    if tasks is not None:
        count = min(count, max(tasks, 1))
    return max(count, 1)
