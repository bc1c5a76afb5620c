"""A listed fund's product type (bond, gold, cross-border, money-market, equity ETF) for the dated rulebook.

One rule for the backtester and ``MarketStore.rules_for``: the fund list's category (天天基金 基金类型) where it is
decisive, checked before the short name, which can hide the type (海富通中证短融ETF is a bond fund whose name has
no 债; 易方达中概互联50ETF is a QDII fund).
"""

from __future__ import annotations

from tandem.core.models import FundType, fund_type_of_name

_CATEGORY_TYPES: tuple[tuple[str, FundType], ...] = (
    ("货币", FundType.MONEY_MARKET),
    ("QDII", FundType.CROSS_BORDER),
    ("债券", FundType.BOND),
)


def fund_type_of(category: str | None, name: str | None) -> FundType:
    """Product type from the fund-list category, else from the name (default: equity ETF)."""
    for word, kind in _CATEGORY_TYPES:
        if category and word in category:
            return kind
    return fund_type_of_name(name)
