"""The diagnosis words (dimensions, evidence labels, verdicts, missing reasons, the brief, the report renderers).

Zh-CN first, merged into :mod:`tandem.core.i18n`. Scorers and the brief name these keys in :class:`Message` values;
the renderers (web, Markdown, PDF, video) show them in the reader's language. Figures arrive as ``{name}`` fields
already formatted by the diagnosis (``display`` strings), so both languages print the same digits.
"""

from __future__ import annotations

from typing import Final

DIAGNOSIS_WORDS: Final[dict[str, tuple[str, str]]] = {
    # separators and the report title
    "sep.list": ("、", ", "),
    "sep.comma": ("，", ", "),
    "sep.clause": ("，", "; "),
    "sep.line": ("\n", "\n"),
    "diag.stock_title": ("{name}（{code}）", "{name} ({code})"),
    "diag.when.report": ("报告期 {period}", "report {period}"),
    "diag.when.day_report": ("{day}，报告期 {period}", "{day}, report {period}"),
    # dimensions
    "diag.dim.technical": ("技术趋势", "Technical trend"),
    "diag.dim.relative_strength": ("相对强弱", "Relative strength"),
    "diag.dim.capital_flow": ("资金流向", "Capital flow"),
    "diag.dim.profitability": ("盈利能力", "Profitability"),
    "diag.dim.growth": ("成长性", "Growth"),
    "diag.dim.health": ("财务健康", "Financial health"),
    "diag.dim.valuation": ("估值", "Valuation"),
    "diag.dim.risk": ("风险", "Risk"),
    "diag.dim.industry": ("行业地位", "Industry standing"),
    "diag.proxy": ("代理指标", "proxy"),
    "diag.not_scored": ("缺少数据，未评分", "not scored: data missing"),
    # evidence labels
    "diag.ev.close": ("收盘价(前复权)", "close (qfq)"),
    "diag.ev.ma": ("{p}日均线", "MA{p}"),
    "diag.ev.range60": ("60日支撑/压力", "60-day support / resistance"),
    "diag.ev.excess": ("近{n}日超额收益(对沪深300)", "{n}-day excess return vs CSI 300"),
    "diag.ev.ind_excess60": ("近60日超额收益(对行业中位数)", "60-day excess return vs industry median"),
    "diag.ev.l2_net": ("主力净流入(亿元，Level-2)", "main-force net inflow (100m CNY, Level-2)"),
    "diag.ev.l2_net_ratio": ("主力净流入占成交比(Level-2)", "main-force net / turnover (Level-2)"),
    "diag.ev.l2_days": ("Level-2数据交易日数", "Level-2 sessions"),
    "diag.ev.up_share": ("近20日上涨日成交额占比(代理指标)", "20-day up-day amount share (proxy)"),
    "diag.ev.amount20": ("近20日日均成交额(亿元)", "20-day average amount (100m CNY)"),
    "diag.ev.roe_avg": ("净资产收益率(报告期)", "ROE (period)"),
    "diag.ev.roe_ann": ("年化净资产收益率", "ROE annualised"),
    "diag.ev.np_margin": ("销售净利率", "net margin"),
    "diag.ev.gp_margin": ("销售毛利率", "gross margin"),
    "diag.ev.yoy_ni": ("净利润同比", "net profit YoY"),
    "diag.ev.accel": ("净利润增速变化(较上期)", "change in profit YoY vs previous report"),
    "diag.ev.rev_yoy": ("营业收入同比", "revenue YoY"),
    "diag.ev.debt_ratio": ("资产负债率", "debt ratio"),
    "diag.ev.cfo_to_np": ("经营现金流/净利润", "operating cash flow / profit"),
    "diag.ev.pe": ("市盈率TTM", "PE TTM"),
    "diag.ev.pb": ("市净率MRQ", "PB MRQ"),
    "diag.ev.pe_own_pct": ("市盈率TTM近5年分位", "PE TTM 5-year percentile"),
    "diag.ev.pb_own_pct": ("市净率MRQ近5年分位", "PB MRQ 5-year percentile"),
    "diag.ev.pe_ind_pct": ("市盈率行业分位", "PE percentile in industry"),
    "diag.ev.vol120": ("近120日年化波动率", "120-day annualised volatility"),
    "diag.ev.mdd250": ("近一年最大回撤", "1-year max drawdown"),
    "diag.ev.beta250": ("贝塔(对沪深300,一年)", "beta vs CSI 300 (1 year)"),
    "diag.ev.limit_down": ("近一年跌停天数", "limit-down days (1 year)"),
    "diag.ev.st": ("风险警示(ST/*ST)起始日", "under risk warning (ST/*ST) since"),
    "diag.ev.mcap": ("总市值(亿元)", "market value (100m CNY)"),
    "diag.ev.mcap_rank": ("行业内市值排名", "market-value rank in industry"),
    "diag.ev.peers": ("行业内股票数(本库)", "industry peers in the store"),
    # verdicts: technical
    "diag.tech.verdict": ("{trend}，{macd}", "{trend}; {macd}"),
    "diag.tech.up": ("均线多头排列", "moving averages aligned upward"),
    "diag.tech.mixed": ("均线交织", "moving averages mixed"),
    "diag.tech.down": ("均线空头排列", "moving averages aligned downward"),
    "diag.tech.breakout": ("{trend}，突破60日高点", "{trend}, breaking out above the 60-day high"),
    "diag.tech.macd_neg": ("MACD绿柱", "MACD negative"),
    "diag.tech.macd_pos": ("MACD红柱", "MACD histogram positive"),
    # relative strength
    "diag.rs.strong": ("强于大盘", "outperforming"),
    "diag.rs.even": ("与大盘相当", "in line"),
    "diag.rs.weak": ("弱于大盘", "underperforming"),
    # capital flow
    "diag.flow.l2_out": ("Level-2逐笔：主力资金净流出", "Level-2: net main-force outflow"),
    "diag.flow.l2_in": ("Level-2逐笔：主力资金净流入", "Level-2: net main-force inflow"),
    "diag.flow.proxy_neutral": ("量价代理：资金中性", "proxy: neutral"),
    "diag.flow.proxy_in": ("量价代理：资金偏流入", "proxy: money leaning in"),
    "diag.flow.proxy_out": ("量价代理：资金偏流出", "proxy: money leaning out"),
    # fundamentals
    "diag.note.stale": ("（最新报告较旧）", " (latest report is old)"),
    "diag.note.no_cashflow": ("；缺少本期现金流数据", "; missing: no cash-flow data for this period"),
    "diag.prof.average": ("盈利能力一般{note}", "average{note}"),
    "diag.prof.strong": ("盈利能力较强{note}", "strong{note}"),
    "diag.prof.weak": ("盈利能力偏弱{note}", "weak{note}"),
    "diag.growth.fast": ("成长较快{note}", "growing fast{note}"),
    "diag.growth.steady": ("成长平稳{note}", "steady{note}"),
    "diag.growth.slowing": ("成长放缓{note}", "slowing{note}"),
    "diag.health.sound": ("财务稳健{note}", "sound{note}"),
    "diag.health.average": ("财务一般{note}", "average{note}"),
    # valuation
    "diag.val.cheap": ("估值偏低", "cheap"),
    "diag.val.fair": ("估值适中", "fairly valued"),
    "diag.val.rich": ("估值偏高", "expensive"),
    # risk and industry standing
    "diag.risk.low": ("风险较低", "lower risk"),
    "diag.risk.moderate": ("风险中等", "moderate risk"),
    "diag.risk.high": ("风险较高", "higher risk"),
    "diag.risk.st": ("ST/*ST风险警示", "ST/*ST risk warning"),
    "diag.risk.suspended": ("近60日停牌{days}天", "suspended {days} days in 60"),
    "diag.ind.leader": ("行业龙头", "industry leader"),
    "diag.ind.mid": ("行业中游", "mid-pack"),
    "diag.ind.behind": ("行业靠后", "behind its peers"),
    # the composite's weights note
    "diag.weights": ("权重：{weights}", "Weights: {weights}"),
    "diag.weights.item": ("{label}{weight:.0%}", "{label} {weight:.0%}"),
    "diag.weights.missing": (
        "权重：{weights}；缺失{missing}，已按可用维度重新加权",
        "Weights: {weights}; missing {missing}, re-weighted over the available ones",
    ),
    # why a dimension is missing (English is the scorer's own reason, kept for the API and logs)
    "diag.missing.no_roe": (
        "截至当日没有已公告的净资产收益率或销售净利率",
        "no ROE or net margin in fundamentals announced by this day",
    ),
    "diag.missing.no_yoy": ("截至当日没有已公告的净利润同比数据", "no profit YoY (yoy_ni) in fundamentals by this day"),
    "diag.missing.no_health": (
        "本期没有现金流数据，且当日前{days}天内没有已公告的资产负债率",
        "no cash-flow data for this period, and no balance-sheet debt ratio (debt_ratio) announced within {days} "
        "days before this day",
    ),
    "diag.missing.suspended": (
        "当日停牌：价格信号只能反映停牌前的行情，暂不评分",
        "suspended on the snapshot day: price signals would describe an earlier day",
    ),
    "diag.missing.few_days_before": ("当日前的交易日不足{n}天", "fewer than {n} traded days before the snapshot day"),
    "diag.missing.few_days": ("交易日不足{n}天", "fewer than {n} traded days"),
    "diag.missing.few_days_vol": (
        "交易日不足{n}天，无法计算波动率和回撤",
        "fewer than {n} traded days: volatility and drawdown undefined",
    ),
    "diag.missing.no_index": (
        "本库缺少这些交易日的{index_name}指数行情",
        "no {index} index bars in the store for these days",
    ),
    "diag.missing.no_amount": ("近{n}日没有成交额", "no traded amount in the last {n} days"),
    "diag.missing.no_shares": (
        "基本面数据中没有总股本，无法计算市值",
        "no total_share in fundamentals: market value unknown",
    ),
    "diag.missing.no_industry": (
        "没有行业分类，无法做同业比较",
        "fewer than {n} stocks of its industry in the store: no industry",
    ),
    "diag.missing.few_peers": (
        "本库中同行业（{industry}）股票不足{n}只",
        "fewer than {n} stocks of its industry in the store: {industry}",
    ),
    "diag.missing.no_ratios": (
        "日线数据中没有为正的市盈率、市净率或市销率（亏损或无数据）",
        "no positive PE/PB/PS in daily_bars (loss maker or no data)",
    ),
    "diag.missing.no_score": ("现有数据无法计算得分", "score could not be computed from the available data"),
    "diag.missing.no_data": ("当日数据不足，无法计算该维度", "not enough data to compute this dimension on this day"),
    "diag.missing.other": ("数据缺失（{reason}）", "{reason}"),
    # the three-minute brief
    "brief.company": (
        "【{title}三分钟速览】{name}属于{industry}行业，在{board}上市。",
        "[{title} in three minutes] {name} is in the {industry} industry, listed on {board}.",
    ),
    "brief.unclassified": ("未分类", "unclassified"),
    "brief.board.SSE_MAIN": ("上交所主板", "the Shanghai main board"),
    "brief.board.SZSE_MAIN": ("深交所主板", "the Shenzhen main board"),
    "brief.board.CHINEXT": ("创业板", "ChiNext"),
    "brief.board.STAR": ("科创板", "the STAR Market"),
    "brief.board.BSE": ("北交所", "the Beijing Stock Exchange"),
    "brief.standing": (
        "总市值约{mcap}亿元，在本库{peers}家同业中排第{rank}位（{verdict}）。",
        "Market value is about {mcap} hundred-million CNY, number {rank} of {peers} industry peers in the store "
        "({verdict}).",
    ),
    "brief.no_composite": ("可用数据不足，暂不给出综合评分。", "Too little data for a composite score."),
    "brief.overall": (
        "综合评分{score}分，在本库{universe}只股票中排第{rank}名；相对较强的是{strong}，相对较弱的是{weak}。",
        "Composite score {score}, rank {rank} of {universe} stocks in the store; strongest: {strong}; weakest: {weak}.",
    ),
    "brief.dim_score": ("{label}（{score}分）", "{label} ({score})"),
    "brief.no_valuation": ("估值：缺少可比的正市盈率数据，暂不评价。", "Valuation: no positive PE to compare."),
    "brief.valuation": ("估值方面，市盈率TTM为{pe}倍", "Valuation: PE TTM is {pe}"),
    "brief.valuation.pct": ("，处于近5年{pct}分位", ", at the {pct} percentile of its 5-year history"),
    "brief.valuation.pb": ("，市净率{pb}倍", "; PB is {pb}"),
    "brief.valuation.end": ("{text}，{verdict}（{score}分）。", "{text} — {verdict} ({score})."),
    "brief.recent": (
        "近期变化：近20日相对沪深300超额收益{ex20}，近60日{ex60}，{verdict}。",
        "Recently: excess return vs CSI 300 of {ex20} over 20 days and {ex60} over 60 days ({verdict}).",
    ),
    "brief.technical": ("技术面{verdict}{extra}。", "Technically: {verdict}{extra}."),
    "brief.technical.ma20": ("，20日均线{ma20}", ", MA20 at {ma20}"),
    "brief.growth": (
        "最新报告期（{period}）净利润同比{yoy}{extra}。",
        "In the latest report ({period}) net profit changed {yoy} year on year{extra}.",
    ),
    "brief.growth.accel": ("，增速较上期变化{accel}", ", {accel} versus the previous report's growth rate"),
    "brief.roe": ("年化净资产收益率{roe}（报告期{period}）。", "Annualised ROE is {roe} (report {period})."),
    "brief.no_risk": ("风险：历史数据不足，无法评估波动与回撤。", "Risk: too little history to measure."),
    "brief.risk": ("主要风险：{parts}；{verdict}。", "Main risks: {parts}; {verdict}."),
    "brief.risk.vol": (
        "近120日年化波动率{vol}，近一年最大回撤{mdd}",
        "120-day annualised volatility {vol}, 1-year max drawdown {mdd}",
    ),
    "brief.risk.beta": ("，贝塔{beta}", ", beta {beta}"),
    "brief.risk.limit_down": ("，近一年跌停{days}天", ", {days} limit-down days in the past year"),
    "brief.watch.range": (
        "值得关注：股价在60日支撑/压力区间{range}中的位置变化，",
        "What to watch: the price within its 60-day support/resistance range {range},",
    ),
    "brief.watch.growth_after_range": (
        "以及下一期财报的利润增速能否延续。",
        "and whether profit growth holds in the next report.",
    ),
    "brief.watch.growth": (
        "值得关注：下一期财报的利润增速能否延续。",
        "What to watch: whether profit growth holds in the next report.",
    ),
    "brief.flow_proxy": (
        "资金面为量价代理指标（非交易所逐笔资金流数据），{verdict}。",
        "Capital flow is a volume/amount proxy (not tick-by-tick flow data): {verdict}.",
    ),
    "brief.flow_l2": (
        "资金面（Level-2逐笔数据，截至{last}的{days}个交易日）：主力净流入{net}亿元，占成交额{ratio}。",
        "Capital flow (Level-2 tick data, {days} session(s) to {last}): main-force net inflow {net} (100m CNY), "
        "{ratio} of turnover.",
    ),
    "brief.missing": (
        "未评分维度：{labels}（所需数据缺失，原因见各维度说明），综合分已按其余维度重新加权。",
        "Not scored: {labels} (data missing; see each dimension), and the composite was re-weighted over the rest.",
    ),
    "brief.method": (
        "说明：各维度按百分制评分，综合分按文档所列权重加权，缺失维度按可用维度重新归一；"
        "所有数字均可在报告的证据表中找到出处与日期。",
        "Method: each dimension is scored out of a hundred, the composite is a documented weighted mean re-weighted "
        "over the available dimensions, and every number can be found with its source and date in the evidence table.",
    ),
    # the Markdown report (WeCom) and the charts
    "industry.basis.dated": ("{system} {snapshot}{backfilled}", "{system} {snapshot}{backfilled}"),
    "industry.basis.undated": ("{system}{backfilled}", "{system}{backfilled}"),
    "report.md.title": ("# {title}个股诊断", "# {title} stock diagnosis"),
    "report.md.composite": (
        "**综合评分 {score} 分**，本库 {universe} 只中排第 {rank} 名",
        "**Composite {score}**, rank {rank} of {universe}",
    ),
    "report.md.no_composite": ("综合评分：数据不足", "Composite: not enough data"),
    "report.md.brief": ("## 三分钟速览", "## Three-minute brief"),
    "report.md.dimensions": ("## 各维度", "## Dimensions"),
    "report.md.table_head": ("| 维度 | 得分 | 结论 |", "| Dimension | Score | Verdict |"),
    "report.md.evidence": ("## 证据", "## Evidence"),
    "report.missing": ("缺失：{reason}", "missing: {reason}"),
    # the video: frames and narration lines the brief does not speak
    "video.score": ("{score}分", "{score}"),
    "video.unscored": ("未评分", "not scored"),
    "video.rank": ("本库{u}只股票中排第{r}名", "rank {r} of {u} stocks in the store"),
    "video.composite": ("综合评分", "Composite"),
    "video.brief": ("个股三分钟", "Stock in three minutes"),
    "video.missing": ("未评分维度及原因", "Not scored, and why"),
    "video.closing": ("风险提示", "Risk notice"),
    "video.suspended": ("当日停牌", "Suspended on the data date"),
    "video.nol2": (
        "无Level-2逐笔数据：以下为量价代理指标，非交易所逐笔资金流",
        "No Level-2 tick data: volume/amount proxies below, not exchange tick flow",
    ),
    "video.l2": ("主力净流入（Level-2逐笔）", "Main-force net inflow (Level-2 ticks)"),
    "video.code": ("代码", "Code"),
    "video.board": ("板块", "Board"),
    "video.date": ("数据日期", "Data date"),
    "video.industry": ("行业", "Industry"),
    "video.ref": ("仅供参考，不构成投资建议", "For reference only, not investment advice"),
    "video.ma": ("{p}日均线 {display}", "MA{p} {display}"),
    "video.not_scored_line": ("{label}未评分：{reason}。", "{label} not scored: {reason}."),
    "video.verdict_line": ("{label}：{verdict}（{score}分）。", "{label}: {verdict} ({score})."),
    "video.label_line": ("{label}。", "{label}."),
    "chart.no_prices": ("无价格数据", "no prices"),
    "chart.close_qfq": ("收盘价（前复权）", "Close (qfq)"),
}
