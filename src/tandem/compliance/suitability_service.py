"""Suitability with an audit trail: every check, special warning and client confirmation is logged.

Web handlers and the wealth plan builder call this service rather than :func:`check_suitability` directly, so
nothing reaches a client without an audit row naming the rule version that allowed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tandem.compliance.audit import AuditEntry, AuditSink
from tandem.compliance.suitability import (
    InvestorCategory,
    ProductRisk,
    SuitabilityDecision,
    Verdict,
    check_suitability,
    rules_in_force,
)
from tandem.core.errors import ConflictError
from tandem.core.i18n import LANGS


@dataclass(frozen=True, slots=True)
class Confirmation:
    """A client's recorded confirmation that they read the special warning for a mismatched product."""

    client_id: str
    product_code: str
    decision: SuitabilityDecision
    statement: str


class SuitabilityService:
    """Audited suitability checks, warnings and confirmations (keyword-only arguments throughout)."""

    def __init__(self, *, audit: AuditSink, on: date | None = None) -> None:
        self._audit = audit
        self._rules = rules_in_force(on)

    @property
    def rule_version(self) -> str:
        """Version string of the rules this service applies."""
        return self._rules.version

    def check(
        self, *, actor: str, client_id: str, product_code: str, category: InvestorCategory, product_risk: ProductRisk
    ) -> SuitabilityDecision:
        """Check one client × product pair and append the result to the audit log."""
        decision = check_suitability(category=category, product_risk=product_risk, rules=self._rules)
        self._audit.append(
            actor=actor,
            action="suitability.check",
            subject=f"client:{client_id}",
            decision=decision.verdict.value,
            rule_version=decision.rule_version,
            detail={"product": product_code, "category": category.value, "product_risk": product_risk.value},
        )
        return decision

    def check_many(
        self,
        *,
        actor: str,
        client_id: str,
        category: InvestorCategory,
        products: dict[str, ProductRisk],
    ) -> dict[str, SuitabilityDecision]:
        """Check many products for one client; one audit write holding one row per product."""
        decisions = {
            code: check_suitability(category=category, product_risk=risk, rules=self._rules)
            for code, risk in products.items()
        }
        self._audit.append_many(
            [
                AuditEntry(
                    actor,
                    "suitability.check",
                    f"client:{client_id}",
                    d.verdict.value,
                    d.rule_version,
                    {"product": code, "category": category.value, "product_risk": d.product_risk.value},
                )
                for code, d in decisions.items()
            ]
        )
        return decisions

    def record_warning(self, *, actor: str, client_id: str, product_code: str, decision: SuitabilityDecision) -> None:
        """Log that the special warning text was shown to the client for a mismatched product."""
        if decision.verdict is not Verdict.NEEDS_WARNING_AND_CONFIRMATION:
            raise ConflictError(
                f"product {product_code}: a special warning applies only to a mismatch, not to a "
                f"{decision.verdict.value} decision; re-run the suitability check"
            )
        self._audit.append(
            actor=actor,
            action="suitability.warning_shown",
            subject=f"client:{client_id}",
            decision=decision.verdict.value,
            rule_version=decision.rule_version,
            detail={"product": product_code} | {f"message_{lang}": decision.message.render(lang) for lang in LANGS},
        )

    def record_confirmation(
        self, *, actor: str, client_id: str, product_code: str, decision: SuitabilityDecision, statement: str
    ) -> Confirmation:
        """Log the client's confirmation; refused for a blocked product or when nothing needs confirming."""
        if decision.verdict is Verdict.BLOCKED:
            raise ConflictError(
                f"product {product_code} is blocked for category {decision.category.value}; "
                "a client confirmation cannot override a hard block"
            )
        if decision.verdict is Verdict.ALLOWED:
            raise ConflictError(f"product {product_code} matches the client; there is nothing to confirm")
        if not statement.strip():
            raise ConflictError("the confirmation statement is empty; record the client's own words of consent")
        self._audit.append(
            actor=actor,
            action="suitability.confirmed",
            subject=f"client:{client_id}",
            decision=decision.verdict.value,
            rule_version=decision.rule_version,
            detail={"product": product_code, "statement": statement},
        )
        return Confirmation(client_id, product_code, decision, statement)
