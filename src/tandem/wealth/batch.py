"""Plans for a whole book of clients: in-process pool by default, Ray when ``compute == "ray"``.

Each worker builds its own catalogue from a :class:`~tandem.wealth.datasource.ParquetFundSource` (cheap, and
nothing unpicklable crosses process boundaries) and a :class:`PlanBuilder` whose per-strategy weights are
computed once per worker. Suitability checks go to an in-memory audit sink per worker; the batch returns their
count. A client whose plan cannot be built gets an error entry naming the reason (no partial plan).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import SYNTHETIC_LABEL
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import UserError
from tandem.wealth.catalogue import build_catalogue
from tandem.wealth.datasource import ParquetFundSource
from tandem.wealth.plans import PlanBuilder
from tandem.wealth.synthetic import SyntheticClient


@dataclass(frozen=True)
class BatchResult:
    """Outcome of a batch: compact per-client results, errors and the audit count; always labelled."""

    plans: list[dict[str, Any]]
    errors: list[dict[str, str]]
    audited_checks: int
    synthetic: bool
    label: str


def _run_chunk(funds_path: str, nav_path: str, clients: Sequence[SyntheticClient]) -> tuple[list[Any], list[Any], int]:
    source = ParquetFundSource(funds_path=Path(funds_path), nav_path=Path(nav_path))
    audit = MemoryAuditLog()
    builder = PlanBuilder(catalogue=build_catalogue(source), suitability=SuitabilityService(audit=audit))
    plans, errors = [], []
    for c in clients:
        try:
            plan = builder.build(
                actor="batch",
                client_id=c.client_id,
                category=c.category,
                amount=c.amount,
                horizon_years=c.horizon_years,
                holdings=c.holdings,
                synthetic=True,
            )
        except UserError as exc:
            errors.append({"client_id": c.client_id, "error": str(exc)})
            continue
        plans.append(
            {
                "client_id": plan.client_id,
                "level": plan.level,
                "strategy": plan.strategy,
                "invested": plan.invested,
                "holdings": [(h.code, h.risk_level, h.amount) for h in plan.holdings],
                "rebalance_trades": len(plan.rebalance),
                "synthetic": True,
            }
        )
    return plans, errors, len(audit.query())


def plan_book(
    clients: Sequence[SyntheticClient],
    *,
    funds_path: Path,
    nav_path: Path,
    compute: Literal["local", "ray"] = "local",
    workers: int = 2,
) -> BatchResult:
    """Build plans for every client, split into ``workers`` chunks."""
    size = max(1, -(-len(clients) // workers))
    chunks = [list(clients[i : i + size]) for i in range(0, len(clients), size)]
    if compute == "ray":
        outputs = _with_ray(chunks, str(funds_path), str(nav_path), workers)
    elif workers == 1:
        outputs = [_run_chunk(str(funds_path), str(nav_path), chunks[0])] if chunks else []
    else:
        with ProcessPoolExecutor(max_workers=min(workers, os.cpu_count() or 1)) as pool:
            futures = [pool.submit(_run_chunk, str(funds_path), str(nav_path), ch) for ch in chunks]
            outputs = [f.result() for f in futures]
    plans = [p for out in outputs for p in out[0]]
    errors = [e for out in outputs for e in out[1]]
    return BatchResult(plans, errors, sum(out[2] for out in outputs), True, SYNTHETIC_LABEL["en"])


def _with_ray(chunks: list[list[SyntheticClient]], funds: str, nav: str, workers: int) -> list[Any]:
    import ray  # optional dependency, imported only when Ray was chosen

    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        task = ray.remote(_run_chunk)
        return list(ray.get([task.remote(funds, nav, ch) for ch in chunks]))
    finally:
        if started:
            ray.shutdown()
