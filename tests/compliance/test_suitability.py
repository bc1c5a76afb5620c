from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.compliance.suitability import (
    RULEBOOK,
    InvestorCategory,
    ProductRisk,
    Verdict,
    check_suitability,
    rules_in_force,
)
from tandem.core.errors import UserError

categories = st.sampled_from(list(InvestorCategory))
risks = st.sampled_from(list(ProductRisk))


@given(categories, risks)
def test_matrix_properties_hold_for_every_pair(c: InvestorCategory, r: ProductRisk) -> None:
    d = check_suitability(category=c, product_risk=r)
    assert d.rule_version == RULEBOOK[-1].version
    assert d.message.render("zh") and d.message.render("en")
    if r.rank <= c.rank:
        assert d.verdict is Verdict.ALLOWED and d.may_recommend and d.may_sell
    elif c is InvestorCategory.C1:
        assert d.verdict is Verdict.BLOCKED and not d.may_sell and "最低类别" in d.message.render("zh")
    else:
        assert d.verdict is Verdict.NEEDS_WARNING_AND_CONFIRMATION
        assert not d.may_recommend and d.may_sell
        assert "特别风险警示" in d.message.render("zh") and "warning" in d.message.render("en")


@given(categories, risks, risks)
def test_verdict_is_monotone_in_product_risk(c: InvestorCategory, r1: ProductRisk, r2: ProductRisk) -> None:
    order = [Verdict.ALLOWED, Verdict.NEEDS_WARNING_AND_CONFIRMATION, Verdict.BLOCKED]
    lo, hi = sorted([r1, r2], key=lambda r: r.rank)
    a = check_suitability(category=c, product_risk=lo).verdict
    b = check_suitability(category=c, product_risk=hi).verdict
    assert order.index(a) <= order.index(b)


def test_all_25_pairs_exact_table() -> None:
    table = {
        (c.value, r.value): check_suitability(category=c, product_risk=r).verdict.value[0]
        for c in InvestorCategory
        for r in ProductRisk
    }
    rows = ["".join(table[(f"C{i}", f"R{j}")] for j in range(1, 6)) for i in range(1, 6)]
    assert rows == ["abbbb", "aannn", "aaann", "aaaan", "aaaaa"]


def test_c2_never_recommended_r4() -> None:
    d = check_suitability(category=InvestorCategory.C2, product_risk=ProductRisk.R4)
    assert not d.may_recommend


def test_rules_are_dated() -> None:
    assert rules_in_force(date(2020, 1, 1)).version == RULEBOOK[0].version
    with pytest.raises(UserError, match="2017-07-01"):
        rules_in_force(date(2016, 1, 1))


def test_parse_category() -> None:
    assert InvestorCategory.parse(" c3 ") is InvestorCategory.C3
    with pytest.raises(UserError, match="C1, C2"):
        InvestorCategory.parse("C9")
