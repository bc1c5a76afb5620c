"""The issue's named examples on the bundled real sample: a liquor leader, a bank, a ChiNext growth stock, a STAR
stock and one with recent limit-down days; each scorer's evidence checked against the store's own rows."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tandem.compliance.disclaimers import risk_disclaimer
from tandem.core.rulebook import limit_prices
from tandem.diagnosis.models import Diagnosis
from tandem.diagnosis.numbers import untraceable
from tandem.diagnosis.reasons import is_translated
from tandem.diagnosis.render import card, html, jsonout, markdown, pdf
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.snapshot import LOOKBACK_DAYS
from tandem.marketdata.store import MarketStore

DAY = date(2025, 4, 7)  # the sample's last session (the app's default day)
# Industries of the classification in force on DAY: the Tushare list of 2023-08-15 (the CSRC list of 2026-03-09 and
# East Money's 2026 boards came later, so they must not group 2025 peers).
EXAMPLES = {
    "600519.SH": ("白酒", "SSE_MAIN"),  # liquor leader
    "600036.SH": ("银行", "SSE_MAIN"),  # bank
    "300750.SZ": ("电气设备", "CHINEXT"),  # ChiNext growth stock
    "688111.SH": ("软件服务", "STAR"),  # STAR stock
    "000625.SZ": ("汽车整车", "SZSE_MAIN"),  # limit-down days in the past year, one on DAY itself
}
FUND_KEYS = {"roe_avg", "roe_ann", "np_margin", "gp_margin", "yoy_ni", "accel", "rev_yoy", "debt_ratio", "cfo_to_np"}


def _ev(diag: Diagnosis, dim: str, key: str) -> float:
    return float(next(e.value for e in diag.dimension(dim).evidence if e.key == key))


@pytest.fixture(scope="module")
def reports(sample_service: DiagnosisService) -> dict[str, Diagnosis]:
    return {code: sample_service.diagnose(code, DAY) for code in EXAMPLES}


@pytest.mark.parametrize("code", list(EXAMPLES))
def test_named_examples_are_complete_and_traceable(reports: dict[str, Diagnosis], code: str) -> None:
    diag = reports[code]
    industry, board = EXAMPLES[code]
    assert (diag.industry, diag.board, diag.data_date) == (industry, board, DAY)
    assert "nan" not in diag.title() and diag.title().endswith(code if diag.name == code else f"（{code}）")
    assert 300 <= len(diag.brief.zh) <= 600 and untraceable(diag.brief.zh, diag) == []
    assert diag.composite.score is not None and 1 <= (diag.composite.rank or 0) <= 100
    scored = [d for d in diag.dimensions if d.score is not None]
    assert len(scored) >= 6
    for d in diag.dimensions:
        if d.score is None:
            assert d.missing and d.missing_reason.render("zh") and is_translated(d.missing), (code, d.key, d.missing)
    for e in diag.evidence:
        if e.key in FUND_KEYS or e.key == "mcap":
            assert e.period is not None and f"report {e.period}" in e.source, (code, e.key, e.source)
    assert diag.disclaimer.render("zh").splitlines()[0] == risk_disclaimer("zh", kind="stock")
    assert diag.disclaimer.render("en").splitlines()[0] == risk_disclaimer("en", kind="stock")


def test_valuation_pe_and_percentile_match_the_store(reports: dict[str, Diagnosis], sample_store: MarketStore) -> None:
    bars = sample_store.daily_bars("600519.SH", start=DAY - timedelta(days=LOOKBACK_DAYS), end=DAY)
    pe = bars["pe_ttm"].where(~bars["suspended"])
    assert _ev(reports["600519.SH"], "valuation", "pe") == pytest.approx(pe.iloc[-1])
    hist = pe[pe > 0]
    assert _ev(reports["600519.SH"], "valuation", "pe_own_pct") == pytest.approx((hist <= pe.iloc[-1]).mean())


def test_fundamentals_come_from_one_named_report_each(reports: dict[str, Diagnosis], sample_store: MarketStore) -> None:
    diag = reports["600036.SH"]
    hist = sample_store.fundamentals_history("600036.SH", as_of=DAY)
    roe = hist[hist["field"] == "roe_avg"].iloc[0]
    item = next(e for e in diag.dimension("profitability").evidence if e.key == "roe_avg")
    assert item.value == pytest.approx(roe["value"]) and item.period == pd.Timestamp(roe["report_period"]).date()
    yoy = hist[hist["field"] == "yoy_ni"]
    assert _ev(diag, "growth", "yoy_ni") == pytest.approx(yoy["value"].iloc[0])
    rev = next(e for e in diag.dimension("growth").evidence if e.key == "rev_yoy")
    assert rev.period is not None and f"report {rev.period.replace(year=rev.period.year - 1)}" in rev.source
    text = markdown.to_markdown(diag)
    assert f"报告期 {item.period}" in text


def test_health_is_missing_with_a_chinese_reason(reports: dict[str, Diagnosis]) -> None:
    health = reports["600519.SH"].dimension("health")  # the sample's balance-sheet rows end in 2016
    assert (
        health.score is None
        and health.missing_reason.render("zh") is not None
        and "资产负债率" in health.missing_reason.render("zh")
    )
    assert "missing:" not in markdown.to_markdown(reports["600519.SH"])


def test_technical_and_relative_strength_match_plain_arithmetic(
    reports: dict[str, Diagnosis], sample_store: MarketStore
) -> None:
    bars = sample_store.daily_bars("300750.SZ", end=DAY, adjust="qfq")
    closes = bars.loc[~bars["suspended"], "close"]
    assert _ev(reports["300750.SZ"], "technical", "ma20") == pytest.approx(closes.iloc[-20:].mean())
    idx = sample_store.index_bars("000300.SH", end=DAY)["close"]
    expected = (closes.iloc[-1] / closes.iloc[-21] - 1) - (idx.iloc[-1] / idx.iloc[-21] - 1)
    assert _ev(reports["300750.SZ"], "relative_strength", "excess20") == pytest.approx(expected)


def test_recent_limit_down_days_are_counted_with_the_rulebook(
    reports: dict[str, Diagnosis], sample_store: MarketStore
) -> None:
    bars = sample_store.daily_bars("000625.SZ", end=DAY).iloc[-250:]
    _, down = limit_prices(bars["preclose"], np.full(len(bars), 0.10))
    hit = (bars["close"] <= down + 1e-9) & ~bars["suspended"]
    assert bool(hit.iloc[-1])  # closed limit-down on DAY itself
    n = _ev(reports["000625.SZ"], "risk", "limit_down")
    assert n == int(hit.sum()) >= 2
    assert reports["000625.SZ"].dimension("risk").score < reports["600519.SH"].dimension("risk").score
    assert "近一年跌停3天" in reports["000625.SZ"].brief.zh


def test_industry_standing_ranks_the_liquor_leader_first(
    reports: dict[str, Diagnosis], sample_store: MarketStore
) -> None:
    d = reports["600519.SH"].dimension("industry")
    assert {e.key: e.value for e in d.evidence}["mcap_rank"] == 1
    banks = sample_store.industry_asof(DAY)
    n_banks = int((banks["industry"] == "银行").sum())
    assert {e.key: e.value for e in reports["600036.SH"].dimension("industry").evidence}["peers"] == n_banks >= 3
    basis = reports["600036.SH"].industry_basis.render("zh")
    assert basis == "Tushare 行业分类 2023-08-15 快照", basis


def test_an_industry_with_fewer_than_three_peers_is_not_ranked(
    sample_service: DiagnosisService, sample_store: MarketStore
) -> None:
    table = sample_store.industry_asof(DAY)
    counts = table["industry"].value_counts()
    lone = table[table["industry"] == counts[counts == 1].index.sort_values()[0]]["code"].iloc[0]
    dim = sample_service.diagnose(lone, DAY).dimension("industry")
    assert (
        dim.score is None
        and dim.missing_reason.render("zh")
        == f"本库中同行业（{table.set_index('code').at[lone, 'industry']}）股票不足3只"
    )


@pytest.mark.parametrize("day", [date(2023, 2, 1), date(2023, 2, 2)])
def test_capital_flow_uses_level2_rows_where_the_store_has_them(
    sample_service: DiagnosisService, sample_store: MarketStore, day: date
) -> None:
    rows = sample_store.sql("SELECT * FROM capital_flow WHERE code = '600519.SH' AND date = '2023-02-01'")
    main = rows[rows["class"].isin(["super_large", "large"])]
    gross = float((rows["buy_amount"] + rows["sell_amount"]).sum())
    diag = sample_service.diagnose("600519.SH", day)
    flow = diag.dimension("capital_flow")
    assert not flow.is_proxy and flow.score is not None and "Level-2" in flow.verdict.render("zh")
    ev = {e.key: e for e in flow.evidence}
    assert ev["l2_net"].value == pytest.approx(main["net_amount"].sum())
    assert ev["l2_net_ratio"].value == pytest.approx(main["net_amount"].sum() / gross)
    assert ev["l2_net"].as_of == date(2023, 2, 1) and "Level-2" in ev["l2_net"].source
    assert "Level-2逐笔数据，截至2023-02-01" in diag.brief.zh
    proxy = sample_service.diagnose("600036.SH", day).dimension("capital_flow")  # no Level-2 rows for it
    assert proxy.is_proxy and all("Level-2" not in e.source or "proxy" in e.source for e in proxy.evidence)


def test_every_missing_reason_in_the_sample_market_has_chinese_wording(sample_service: DiagnosisService) -> None:
    table = sample_service.table(DAY)
    reasons = {r for t in table.tables.values() for r in t["missing"].dropna().unique()}
    assert reasons and all(is_translated(str(r)) for r in reasons), reasons


@pytest.mark.parametrize("code", list(EXAMPLES))
def test_every_output_carries_the_stock_disclaimer(reports: dict[str, Diagnosis], code: str, tmp_path: Path) -> None:
    diag = reports[code]
    stock, fund = risk_disclaimer("zh", kind="stock"), risk_disclaimer("zh", kind="fund")
    doc = json.loads(json.dumps(jsonout.to_dict(diag), ensure_ascii=False))
    assert doc["disclaimer"]["zh"].startswith(stock) and "数据截至 2025-04-07" in doc["disclaimer"]["zh"]
    assert doc["disclaimer"]["en"].startswith(risk_disclaimer("en", kind="stock"))
    for text in (markdown.to_markdown(diag), html.to_html(diag)):
        assert stock in text and fund not in text and "基金有风险" not in text
    png = card.to_png(diag)
    assert struct.unpack(">II", png[16:24])[0] == 1080
    data = pdf.to_pdf(diag)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed: PDF text not checked")
    path = tmp_path / f"{code}.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "股市有风险，投资需谨慎" in flat and "基金有风险" not in flat and diag.title() in flat
