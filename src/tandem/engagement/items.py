"""The things clients look at and the recommender may suggest, with the attributes tags are made of.

Built from the market store (stocks with their industry, board and a style read off real valuations; funds with
their risk grade from :mod:`tandem.wealth.product_rules`), the model strategies of :mod:`tandem.wealth.strategies`,
and the education courses below. Object ids follow :class:`tandem.engagement.events.Event`: ``600519.SH``,
``fund:510300``, ``strategy:balanced``, ``content:<slug>``.

Styles (价值 / 成长 / 高股息) are derived from the store on ``as_of``: 价值 = positive PE and PB both in the
cheapest third; 成长 = net-profit growth (``yoy_ni``) above 20 %; 高股息 is a *proxy* — the store carries no
dividend data, so it means earnings yield (1/PE) in the top third with ROE (``roe_avg``) above the median.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from tandem.marketdata.store import MarketStore
from tandem.wealth.product_rules import classify_fund, grade_risk
from tandem.wealth.strategies import STRATEGIES

BOARD_LABELS = {"SSE_MAIN": "沪市主板", "SZSE_MAIN": "深市主板", "CHINEXT": "创业板", "STAR": "科创板", "BSE": "北交所"}
STYLES = ("价值", "成长", "高股息")
KINDS = ("stock", "fund", "strategy", "content")


@dataclass(frozen=True, slots=True)
class Course:
    """One education item: who it suits (styles, kind of product it teaches) and its plain title."""

    slug: str
    title: str
    """The course's title as the content team wrote it (Chinese)."""
    styles: tuple[str, ...]
    teaches: str


COURSES: tuple[Course, ...] = (
    Course("value-investing-101", "价值投资入门：市盈率与市净率", ("价值",), "stock"),
    Course("reading-annual-reports", "三步读懂上市公司年报", ("价值",), "stock"),
    Course("dividend-basics", "股息率与分红再投资", ("高股息",), "stock"),
    Course("bank-stocks", "银行股的估值方法", ("高股息", "价值"), "stock"),
    Course("growth-metrics", "成长股看哪些指标：营收与净利增速", ("成长",), "stock"),
    Course("chinext-star-rules", "创业板与科创板交易规则", ("成长",), "stock"),
    Course("tech-cycles", "科技行业的景气周期", ("成长",), "stock"),
    Course("price-limits", "涨跌停板制度与T+1", (), "stock"),
    Course("capital-flow", "看懂资金流向", (), "stock"),
    Course("diagnosis-brief", "个股三分钟怎么看", (), "stock"),
    Course("fund-types", "基金类型与风险等级", (), "fund"),
    Course("index-funds", "指数基金与ETF入门", ("价值",), "fund"),
    Course("bond-funds", "债券基金的收益与风险", ("高股息",), "fund"),
    Course("money-funds", "货币基金与现金管理", (), "fund"),
    Course("dca", "基金定投的纪律", (), "fund"),
    Course("qdii", "QDII基金与汇率风险", ("成长",), "fund"),
    Course("asset-allocation", "资产配置与再平衡", (), "strategy"),
    Course("risk-levels", "投资者风险等级C1–C5是什么", (), "strategy"),
    Course("backtest-basics", "回测入门：避免未来函数", ("成长",), "stock"),
    Course("drawdown", "最大回撤与仓位管理", (), "strategy"),
)


THEME_COLUMNS = ["object_id", "board_code", "board_name"]


@dataclass(frozen=True)
class ItemCatalogue:
    """One row per item: ``object_id, kind, name, industry, board, styles, risk``; ``themes``: stock → board rows.

    ``risk`` (R1–R5 as text) is set for products only — funds and model strategies — which the suitability
    filter applies to; stocks and courses are information, not offers, and carry ``None``. ``themes`` lists the
    East Money concept/industry boards (板块) each stock belonged to on ``as_of`` (``MarketStore.boards_asof``).
    """

    items: pd.DataFrame
    as_of: date
    themes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=THEME_COLUMNS))

    @property
    def ids(self) -> list[str]:
        """Object ids in catalogue order (the recommender's item index)."""
        return list(self.items["object_id"])

    def of_kind(self, kind: str) -> pd.DataFrame:
        """Items of one kind (stock, fund, strategy, content)."""
        return self.items[self.items["kind"] == kind]


MAX_THEME_SHARE = 0.10
"""Boards with more than this share of the catalogue's stocks are membership lists, not themes (see below)."""
DAILY_STATUS_PREFIX = "昨日"
"""East Money's lists of one session's trading status (昨日涨停, 昨日连板 …): not a lasting theme."""


def build_items(store: MarketStore, *, as_of: date) -> ItemCatalogue:
    """The catalogue on ``as_of`` from the store's real instruments, valuations and funds."""
    stocks = _stocks(store, as_of)
    funds = store.funds()
    fund_rows: list[tuple[str, str, str, str, str, tuple[str, ...], str | None]] = []
    for code, name, raw_type in zip(funds["code"], funds["name"], funds["fund_type"], strict=True):
        risk, _rule = grade_risk(classify_fund(str(raw_type), str(name)), None)
        fund_rows.append((f"fund:{code}", "fund", str(name), "", "", (), risk.value))
    strategy_rows = [
        (f"strategy:{s.key}", "strategy", s.name.render("zh"), "", "", (), s.risk.value) for s in STRATEGIES
    ]
    course_rows = [(f"content:{c.slug}", "content", c.title, "", "", c.styles, None) for c in COURSES]
    cols = ["object_id", "kind", "name", "industry", "board", "styles", "risk"]
    others = pd.DataFrame([*fund_rows, *strategy_rows, *course_rows], columns=cols)
    items = pd.concat([stocks[cols], others], ignore_index=True)
    boards = store.boards_asof(as_of, list(stocks["code"]))
    themes = boards.rename(columns={"code": "object_id"})[THEME_COLUMNS].reset_index(drop=True)
    return ItemCatalogue(items, as_of, interest_themes(themes, stocks=len(stocks)))


def interest_themes(themes: pd.DataFrame, *, stocks: int) -> pd.DataFrame:
    """The board rows that can say something about a client's taste.

    East Money's board list mixes themes (白酒, 储能概念) with lists almost every stock is on (融资融券 covers 3,788
    of 5,566 stocks, 深股通 1,730) and with one day's trading status (昨日涨停, 昨日高换手: about the session before
    the snapshot, so wrong for every other day). A board holding more than :data:`MAX_THEME_SHARE` of the
    catalogue's stocks, or one of the ``昨日…`` status lists, never becomes an interest tag.
    """
    if themes.empty or stocks <= 0:
        return themes
    sizes = themes.groupby("board_name")["object_id"].transform("nunique")
    keep = (sizes <= MAX_THEME_SHARE * stocks) & ~themes["board_name"].astype(str).str.startswith(DAILY_STATUS_PREFIX)
    return themes[keep].reset_index(drop=True)


def _stocks(store: MarketStore, as_of: date) -> pd.DataFrame:
    inst = store.instruments("stock")
    inst = inst[inst["board"].isin(list(BOARD_LABELS))].copy()
    bars = store.cross_section(as_of, ["pe_ttm", "pb_mrq"]).set_index("code")
    fund = store.fundamentals_asof(as_of)
    fund = fund.set_index("code") if "code" in fund.columns else pd.DataFrame()
    pe = bars["pe_ttm"].reindex(inst["code"]).to_numpy(dtype=float)
    pb = bars["pb_mrq"].reindex(inst["code"]).to_numpy(dtype=float)
    yoy = _field(fund, "yoy_ni", inst["code"])
    roe = _field(fund, "roe_avg", inst["code"])
    pos = (pe > 0) & (pb > 0)
    cheap_pe = pos & (pe <= np.nanquantile(np.where(pos, pe, np.nan), 1 / 3))
    cheap_pb = pos & (pb <= np.nanquantile(np.where(pos, pb, np.nan), 1 / 3))
    ey = np.where(pos, 1 / np.where(pos, pe, 1.0), np.nan)
    high_ey = pos & (ey >= np.nanquantile(ey, 2 / 3))
    styles = []
    for v, g, d in zip(cheap_pe & cheap_pb, yoy > 0.2, high_ey & (roe >= np.nanmedian(roe)), strict=True):
        styles.append(tuple(s for s, on in zip(STYLES, (v, g, d), strict=True) if on))
    inst["object_id"] = inst["code"]
    inst["kind"] = "stock"
    inst["industry"] = inst["industry"].fillna("").astype(str)
    inst["styles"] = styles
    inst["risk"] = None  # information about a stock (a brief, an alert) is not a product offer
    return inst.reset_index(drop=True)


def _field(frame: pd.DataFrame, name: str, codes: pd.Series) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(codes), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").reindex(codes).to_numpy(dtype=float)
