"""The one place that knows how to run a batch: a small port and its adapters.

Capabilities (sweeps, client books, the whole-market diagnosis) take a :class:`BatchRunner` as a keyword-only
argument and call :meth:`BatchRunner.map`; only the composition roots (``cli``, ``web.app``) pick the adapter,
with :func:`runner_from_settings`. Adapters are named technology-first: :class:`SerialRunner` (this process),
:class:`LocalPoolRunner` (a ``concurrent.futures`` process pool) and :class:`RayRunner` (Ray, local or a cluster).
"""

from tandem.compute.errors import BatchError, BatchItemError
from tandem.compute.factory import runner_from_settings
from tandem.compute.local import LocalPoolRunner, SerialRunner
from tandem.compute.ray_runner import RayRunner
from tandem.compute.runner import BatchRunner, Progress

__all__ = [
    "BatchError",
    "BatchItemError",
    "BatchRunner",
    "LocalPoolRunner",
    "Progress",
    "RayRunner",
    "SerialRunner",
    "runner_from_settings",
]
