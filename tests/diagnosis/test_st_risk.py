"""The risk dimension names ST status, with the period's first day as evidence, on real rows of the sample."""

from __future__ import annotations

from datetime import date

from tandem.diagnosis.models import DimensionScore
from tandem.diagnosis.service import DiagnosisService


def _risk(service: DiagnosisService, code: str, day: date) -> DimensionScore:
    return next(d for d in service.diagnose(code, day).dimensions if d.key == "risk")


def test_an_st_day_names_the_warning_first_with_its_start(sample_service: DiagnosisService) -> None:
    # 000792.SZ (*ST盐湖) under risk warning from 2019-04-30; halted from 2020-04-30, still ST on 2020-06-30
    risk = _risk(sample_service, "000792.SZ", date(2020, 6, 30))
    st = risk.evidence[0]
    assert (st.key, st.value, st.display, st.as_of) == ("st", "2019-04-30", "2019-04-30", date(2020, 6, 30))
    assert (st.label.render("zh"), st.label.render("en")) == (
        "风险警示(ST/*ST)起始日",
        "under risk warning (ST/*ST) since",
    )
    assert st.source.startswith("st_periods")
    assert "ST/*ST风险警示" in risk.verdict.render("zh") and "ST/*ST risk warning" in risk.verdict.render("en")
    assert risk.score is not None and risk.score <= 20  # ST caps the risk score
    assert [e.key for e in risk.evidence] == ["st", "vol120", "mdd250", "limit_down"]


def test_the_same_stock_after_st_has_no_warning(sample_service: DiagnosisService) -> None:
    risk = _risk(sample_service, "000792.SZ", date(2021, 9, 1))  # ST ended 2021-08-09
    assert "st" not in [e.key for e in risk.evidence]
    assert "ST" not in risk.verdict.render("zh") and "ST" not in risk.verdict.render("en")


def test_an_sse_st_stock_in_2019(sample_service: DiagnosisService) -> None:
    risk = _risk(sample_service, "600732.SH", date(2019, 1, 10))
    assert risk.evidence[0].key == "st" and risk.evidence[0].value == "2015-04-29"
