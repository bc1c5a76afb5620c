"""The wealth words (model strategies, investor categories, plan explanations, advisory messages), zh-CN first.

Merged into :mod:`tandem.core.i18n`. Figures arrive as ``{name}`` fields with their format spec in the text
(``{annual:.1%}``, ``{amount:,.0f}``), so both languages print the same digits.
"""

from __future__ import annotations

from typing import Final

WEALTH_WORDS: Final[dict[str, tuple[str, str]]] = {
    # the model strategies (tandem.wealth.strategies.STRATEGIES)
    "wealth.strategy.cash.name": ("现金管理", "Cash management"),
    "wealth.strategy.cash.description": (
        "只投资货币市场基金，追求流动性和本金波动最小。",
        "Money-market funds only: liquidity and minimal swings.",
    ),
    "wealth.strategy.steady.name": ("稳健理财", "Steady income"),
    "wealth.strategy.steady.description": (
        "以债券基金为主、货币基金为辅，追求低波动。",
        "Mostly bond funds plus cash, aiming for low volatility.",
    ),
    "wealth.strategy.balanced.name": ("均衡配置", "Balanced"),
    "wealth.strategy.balanced.description": (
        "债券与混合基金按风险均衡配置，各类资产承担相近的风险。",
        "Bond and mixed funds weighted so each carries a similar share of risk.",
    ),
    "wealth.strategy.growth.name": ("积极进取", "Growth"),
    "wealth.strategy.growth.description": (
        "在股票、债券、海外与黄金基金间分散配置，追求风险调整后收益。",
        "Diversified across equity, bond, overseas and gold funds for risk-adjusted return.",
    ),
    # investor categories (tandem.compliance.suitability)
    "wealth.category.C1": ("保守型（最低风险承受能力）", "conservative (lowest risk tolerance)"),
    "wealth.category.C2": ("谨慎型", "cautious"),
    "wealth.category.C3": ("稳健型", "balanced"),
    "wealth.category.C4": ("积极型", "growth"),
    "wealth.category.C5": ("激进型", "aggressive"),
    # the plan explanation (tandem.wealth.explain)
    "wealth.explain.mix_item": ("{label}{weight:.0%}", "{asset_class} {weight:.0%}"),
    "wealth.explain": (
        "您的风险承受能力为{category}（{category_label}），我们为您匹配了「{strategy}」策略（风险等级{risk}）："
        "{description}组合包含{funds}只基金，资产分布为：{mix}。按{start} 至 {end}的真实净值计算，"
        "这一组合的历史年化收益约{annual:.1%}，年化波动约{volatility:.1%}，期间最大回撤约{drawdown:.1%}。"
        "历史表现不代表未来，市场下跌时组合同样可能亏损。",
        "Your risk category is {category} ({category_label}), so we matched the {strategy} strategy (grade {risk}): "
        "{description} It holds {funds} funds: {mix}. On real NAVs from {start} to {end} this portfolio returned "
        "about {annual:.1%} a year with {volatility:.1%} annual volatility and a worst fall of {drawdown:.1%}. Past "
        "results do not predict the future; the portfolio can lose money when markets fall.",
    ),
    "wealth.lowest_note": (
        "您属于最低风险承受能力类别，只能购买R1级（低风险）产品。",
        "You are in the lowest risk category and may only buy R1 (low-risk) products.",
    ),
    "wealth.holdings_note": (
        "模拟申购：仅用于演示与学习，没有发生真实资金划转。",
        "Simulated subscription for demonstration; no real money moved.",
    ),
    "wealth.below_minimum_note": ("低于起购金额，未纳入", "below its minimum purchase, left out"),
    "wealth.too_small.headline": ("金额不足：该方案至少需要投入 ¥{need}", "Amount too small: this plan needs ¥{need}"),
    "wealth.amount_invalid": ("请输入大于0的投资金额（元）", "Enter an amount in CNY greater than 0"),
    "wealth.class.cash": ("货币", "Cash"),
    "wealth.class.bond": ("债券", "Bonds"),
    "wealth.class.mixed": ("混合", "Mixed"),
    "wealth.class.equity": ("股票", "Equity"),
    "wealth.class.qdii": ("海外", "Overseas"),
    "wealth.class.commodity": ("黄金", "Gold"),
    "wealth.notes_sep": ("；", "; "),
    # advisory messages (tandem.wealth.advisory, tandem.wealth.client)
    "wealth.too_small": (
        "投资金额 ¥{amount:,.0f} 不足{need}。原因：{detail}",
        "amount ¥{amount:,.0f} is too small{need}. Reason: {detail}",
    ),
    "wealth.too_small.need": (
        "：「{strategy}」方案至少需要投入 ¥{minimum:,}",
        "; {strategy} needs at least ¥{minimum:,}",
    ),
    "wealth.above_level": (
        "{decision} 投顾组合策略只能与您的风险等级相匹配，「{strategy}」（{risk}）不能为您生成方案；"
        "可选策略：{allowed}。",
        "{decision} Advisory plans must match your level; {code} ({risk}) cannot be planned for {category}. Matching "
        "strategies: {allowed}.",
    ),
    "wealth.no_assessment": ("您还没有完成风险测评", "no risk assessment yet"),
    "wealth.assessment_expired": ("您的风险测评已过期", "your risk assessment expired"),
    "wealth.assessment_first": (
        "{what}：请先完成风险承受能力问卷（POST /api/v1/wealth/assessments）",
        "{what}: complete the risk questionnaire first (POST /api/v1/wealth/assessments)",
    ),
}
