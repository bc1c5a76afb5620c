"""Plain-language explanation of a plan in Chinese and English (template text, not model-generated)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from tandem.compliance.suitability import CATEGORY_LABELS_EN, CATEGORY_LABELS_ZH, InvestorCategory
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.product_rules import ASSET_CLASS_LABELS_ZH, AssetClass
from tandem.wealth.strategies import ModelStrategy


class _Holding(Protocol):
    @property
    def asset_class(self) -> str: ...
    @property
    def weight(self) -> float: ...


class _Expected(Protocol):
    @property
    def annual_return(self) -> float: ...
    @property
    def volatility(self) -> float: ...
    @property
    def max_drawdown(self) -> float: ...
    @property
    def start(self) -> str: ...
    @property
    def end(self) -> str: ...


def explain(
    *,
    strategy: ModelStrategy,
    category: InvestorCategory,
    holdings: Sequence[_Holding],
    expected: _Expected,
    catalogue: Catalogue,
) -> tuple[str, str]:
    """Return (Chinese, English) explanations of why this plan fits and what its history looks like."""
    by_class: dict[str, float] = defaultdict(float)
    for h in holdings:
        by_class[h.asset_class] += h.weight
    mix_zh = "，".join(f"{ASSET_CLASS_LABELS_ZH[AssetClass(k)]}{v:.0%}" for k, v in sorted(by_class.items()))
    mix_en = ", ".join(f"{k} {v:.0%}" for k, v in sorted(by_class.items()))
    start, end = expected.start or catalogue.start, expected.end or catalogue.end  # the window the figures used
    span = f"{start} 至 {end}"
    zh = (
        f"您的风险承受能力为{category.value}（{CATEGORY_LABELS_ZH[category]}），我们为您匹配了「{strategy.name_zh}」"
        f"策略（风险等级{strategy.risk.value}）：{strategy.description_zh}"
        f"组合包含{len(holdings)}只基金，资产分布为：{mix_zh}。"
        f"按{span}的真实净值计算，这一组合的历史年化收益约{expected.annual_return:.1%}，年化波动约"
        f"{expected.volatility:.1%}，期间最大回撤约{abs(expected.max_drawdown):.1%}。"
        "历史表现不代表未来，市场下跌时组合同样可能亏损。"
    )
    en = (
        f"Your risk category is {category.value} ({CATEGORY_LABELS_EN[category]}), so we matched the "
        f"{strategy.name_en} strategy (grade {strategy.risk.value}): {strategy.description_en} "
        f"It holds {len(holdings)} funds: {mix_en}. On real NAVs from {start} to {end} this "
        f"portfolio returned about {expected.annual_return:.1%} a year with {expected.volatility:.1%} annual "
        f"volatility and a worst fall of {abs(expected.max_drawdown):.1%}. Past results do not predict the future; "
        "the portfolio can lose money when markets fall."
    )
    return zh, en
