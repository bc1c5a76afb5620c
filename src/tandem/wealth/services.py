"""The wealth services of one process (the web app builds them), the catalogue once per store version.

Building the fund catalogue (and each strategy's walk-forward backtest) takes a second or more, so it is done on
the first wealth request and reused until the market store's live version changes. Suitability checks, warnings,
assessments and plan events go to the SQL audit log in the application database. Off-exchange minimums come from
the fund master named by ``TANDEM_FUND_MASTER`` when it is set (else the documented default).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.audit import SqlAuditLog
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import UserError
from tandem.marketdata.store import MarketStore
from tandem.wealth.assessment import AssessmentService
from tandem.wealth.catalogue import Catalogue, build_catalogue
from tandem.wealth.fund_master import load_fund_master
from tandem.wealth.plan_store import PlanRepository
from tandem.wealth.plans import PlanBuilder
from tandem.wealth.questionnaire import Questionnaire, load_questionnaire
from tandem.wealth.strategy_service import StrategyService

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CatalogueBundle:
    """The catalogue of one store version and the services computed on it (their caches live as long)."""

    version: str | None
    catalogue: Catalogue
    strategies: StrategyService
    plans: PlanBuilder

    def navs(self) -> dict[str, float]:
        """Latest NAV per fund code."""
        return {code: p.last_nav for code, p in self.catalogue.products.items()}


class WealthServices:
    """Per-process wealth services; ``compute_lock`` serialises the optimiser caches across handler threads."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        store: MarketStore,
        questionnaire: Questionnaire | None = None,
        fund_master: Path | None = None,
    ) -> None:
        self.questionnaire = questionnaire or load_questionnaire()
        self.audit = SqlAuditLog(sessions)
        self.suitability = SuitabilityService(audit=self.audit)
        self.assessments = AssessmentService(sessions=sessions, audit=self.audit, questionnaire=self.questionnaire)
        self.plan_repo = PlanRepository(sessions=sessions, audit=self.audit)
        self.compute_lock = threading.Lock()
        self._store = store
        self._fund_master = fund_master
        self._build_lock = threading.Lock()
        self._bundle: CatalogueBundle | None = None

    @contextmanager
    def computing(self) -> Iterator[None]:
        """Hold the compute lock; solver and NumPy warnings go to the structured log instead of stderr.

        The optimiser may warn ("solution may be inaccurate") while still returning usable weights or raising a
        specific UserError; a warning must not turn a client's request into a server error.
        """
        with self.compute_lock, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            finally:
                for w in caught:
                    log.warning("wealth.compute_warning", category=w.category.__name__, message=str(w.message)[:200])

    def _minimums(self) -> dict[str, float] | None:
        """Stated off-exchange minimums from the configured fund master (read with each catalogue build)."""
        if self._fund_master is None:
            return None
        master = load_fund_master(self._fund_master)
        for problem in master.problems:
            log.warning("wealth.fund_master_problem", problem=problem)
        return master.minimums

    def bundle(self) -> CatalogueBundle:
        """The catalogue bundle of the store's live version (built on first use and after a data import)."""
        version = self._store.versioned.current_version()
        current = self._bundle
        if current is not None and current.version == version:
            return current
        with self._build_lock, self.computing():
            if self._bundle is not None and self._bundle.version == version:
                return self._bundle
            if self._store.funds().empty:
                raise UserError("the market store has no funds; import fund data first (`tandem data import`)")
            catalogue = build_catalogue(self._store, minimums=self._minimums())
            self._bundle = CatalogueBundle(
                version,
                catalogue,
                StrategyService(catalogue=catalogue, suitability=self.suitability),
                PlanBuilder(catalogue=catalogue, suitability=self.suitability),
            )
            log.info("wealth.catalogue_built", version=version, products=len(catalogue.products))
            return self._bundle
