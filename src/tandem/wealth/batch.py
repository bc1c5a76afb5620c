"""Plans for a whole book of clients, split into one chunk per worker of the batch runner the caller chose.

Each chunk builds its own catalogue from a :class:`~tandem.wealth.datasource.ParquetFundSource` (cheap, and
nothing unpicklable crosses process boundaries) and a :class:`PlanBuilder` whose per-strategy weights are
computed once per chunk. Suitability checks go to an in-memory audit sink per worker; the batch returns their
count. A client whose plan cannot be built gets an error entry naming the reason (no partial plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import SYNTHETIC_LABEL
from tandem.compliance.suitability_service import SuitabilityService
from tandem.compute import BatchRunner, SerialRunner
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
    runner: BatchRunner | None = None,
) -> BatchResult:
    """Build plans for every client on ``runner`` (default: this process), one chunk of clients per worker."""
    runner = runner or SerialRunner()
    size = max(1, -(-len(clients) // runner.workers))
    chunks = [list(clients[i : i + size]) for i in range(0, len(clients), size)]
    task = partial(_run_chunk, str(funds_path), str(nav_path))
    outputs = runner.map(task, chunks, chunksize=1)
    plans = [p for out in outputs for p in out[0]]
    errors = [e for out in outputs for e in out[1]]
    return BatchResult(plans, errors, sum(out[2] for out in outputs), True, SYNTHETIC_LABEL["en"])
