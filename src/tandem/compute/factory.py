"""The adapter choice, made once per process by a composition root (``cli``, ``web.app``) and nowhere else."""

from __future__ import annotations

from tandem.compute.local import LocalPoolRunner, SerialRunner
from tandem.compute.ray_runner import RayRunner
from tandem.compute.runner import BatchRunner
from tandem.core.settings import Settings


def runner_from_settings(settings: Settings) -> BatchRunner:
    """``TANDEM_COMPUTE=ray`` → :class:`RayRunner`; else a process pool, or in-process with one worker.

    ``TANDEM_COMPUTE_WORKERS`` sizes the pool or the local Ray instance; ``TANDEM_RAY_ADDRESS`` connects to a
    running Ray cluster instead of starting one. Use it as a context manager so workers are stopped afterwards.
    """
    if settings.compute == "ray":
        return RayRunner(settings.compute_workers, address=settings.ray_address)
    if settings.compute_workers == 1:
        return SerialRunner()
    return LocalPoolRunner(settings.compute_workers)
