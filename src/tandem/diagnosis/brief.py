"""The three-minute brief (个股三分钟): a deterministic narrative built only from scores and evidence displays.

Sections: what the company is (industry, standing), the overall verdict, valuation, what changed recently,
main risks, what to watch, and which dimensions are missing. Every number is an evidence ``display`` string
or a score, so :func:`tandem.diagnosis.numbers.untraceable` finds nothing. The Chinese text is kept within
300–600 characters by dropping optional sentences (lowest priority first) or adding a digit-free method note.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.compliance.phrase_guard import ensure_no_forbidden_phrases
from tandem.core.models import BOARD_LABELS_ZH, Board
from tandem.diagnosis.models import Brief, Diagnosis, DimensionScore, Evidence

MIN_ZH, MAX_ZH = 300, 600
BOARD_EN = {
    "SSE_MAIN": "the Shanghai main board",
    "SZSE_MAIN": "the Shenzhen main board",
    "CHINEXT": "ChiNext",
    "STAR": "the STAR Market",
    "BSE": "the Beijing Stock Exchange",
}
_METHOD_ZH = (
    "说明：各维度按百分制评分，综合分按文档所列权重加权，缺失维度按可用维度重新归一；"
    "所有数字均可在报告的证据表中找到出处与日期。"
)
_METHOD_EN = (
    "Method: each dimension is scored out of a hundred, the composite is a documented weighted mean re-weighted "
    "over the available dimensions, and every number can be found with its source and date in the evidence table."
)


@dataclass(frozen=True, slots=True)
class _Sentence:
    zh: str
    en: str
    priority: int  # 0 = always kept; higher = dropped first when too long


def _ev(d: DimensionScore | None, key: str) -> Evidence | None:
    if d is None:
        return None
    return next((e for e in d.evidence if e.key == key), None)


def _dims(diag: Diagnosis) -> dict[str, DimensionScore]:
    return {d.key: d for d in diag.dimensions}


def _company(diag: Diagnosis, dims: dict[str, DimensionScore]) -> list[_Sentence]:
    board_zh = BOARD_LABELS_ZH.get(Board(diag.board), diag.board) if diag.board in Board.__members__ else diag.board
    ind = diag.industry or "未分类"
    out = [
        _Sentence(
            f"【{diag.title()}三分钟速览】{diag.name}属于{ind}行业，在{board_zh}上市。",
            f"[{diag.title('en')} in three minutes] {diag.name} is in the {diag.industry or 'unclassified'} "
            f"industry, listed on {BOARD_EN.get(diag.board, diag.board)}.",
            0,
        )
    ]
    mcap, rank, peers = (_ev(dims.get("industry"), k) for k in ("mcap", "mcap_rank", "peers"))
    if mcap and rank and peers:
        out.append(
            _Sentence(
                f"总市值约{mcap.display}亿元，在本库{peers.display}家同业中排第{rank.display}位"
                f"（{dims['industry'].verdict_zh}）。",
                f"Market value is about {mcap.display} hundred-million CNY, number {rank.display} of "
                f"{peers.display} industry peers in the store ({dims['industry'].verdict_en}).",
                2,
            )
        )
    return out


def _overall(diag: Diagnosis) -> list[_Sentence]:
    c = diag.composite
    scored = sorted((d for d in diag.dimensions if d.score is not None), key=lambda d: (-(d.score or 0), d.key))
    if c.score is None or not scored:
        return [_Sentence("可用数据不足，暂不给出综合评分。", "Too little data for a composite score.", 0)]
    strong, weak = scored[:2], scored[-2:][::-1]
    return [
        _Sentence(
            f"综合评分{c.score}分，在本库{c.universe}只股票中排第{c.rank}名；"
            f"相对较强的是{'、'.join(f'{d.label_zh}（{d.score}分）' for d in strong)}，"
            f"相对较弱的是{'、'.join(f'{d.label_zh}（{d.score}分）' for d in weak)}。",
            f"Composite score {c.score}, rank {c.rank} of {c.universe} stocks in the store; strongest: "
            f"{', '.join(f'{d.label_en} ({d.score})' for d in strong)}; weakest: "
            f"{', '.join(f'{d.label_en} ({d.score})' for d in weak)}.",
            0,
        )
    ]


def _valuation(dims: dict[str, DimensionScore]) -> list[_Sentence]:
    v = dims.get("valuation")
    pe, pe_pct, pb = _ev(v, "pe"), _ev(v, "pe_own_pct"), _ev(v, "pb")
    if v is None or v.score is None or pe is None:
        return [_Sentence("估值：缺少可比的正市盈率数据，暂不评价。", "Valuation: no positive PE to compare.", 1)]
    zh = f"估值方面，市盈率TTM为{pe.display}倍"
    en = f"Valuation: PE TTM is {pe.display}"
    if pe_pct:
        zh += f"，处于近5年{pe_pct.display}分位"
        en += f", at the {pe_pct.display} percentile of its 5-year history"
    if pb:
        zh += f"，市净率{pb.display}倍"
        en += f"; PB is {pb.display}"
    return [_Sentence(f"{zh}，{v.verdict_zh}（{v.score}分）。", f"{en} — {v.verdict_en} ({v.score}).", 0)]


def _recent(dims: dict[str, DimensionScore]) -> list[_Sentence]:
    out: list[_Sentence] = []
    rs, tech, growth = dims.get("relative_strength"), dims.get("technical"), dims.get("growth")
    ex20, ex60 = _ev(rs, "excess20"), _ev(rs, "excess60")
    if ex20 and ex60:
        out.append(
            _Sentence(
                f"近期变化：近20日相对沪深300超额收益{ex20.display}，"
                f"近60日{ex60.display}，{rs.verdict_zh if rs else ''}。",
                f"Recently: excess return vs CSI 300 of {ex20.display} over 20 days and {ex60.display} over 60 days "
                f"({rs.verdict_en if rs else ''}).",
                1,
            )
        )
    if tech and tech.score is not None:
        ma20 = _ev(tech, "ma20")
        extra_zh = f"，20日均线{ma20.display}" if ma20 else ""
        extra_en = f", MA20 at {ma20.display}" if ma20 else ""
        out.append(_Sentence(f"技术面{tech.verdict_zh}{extra_zh}。", f"Technically: {tech.verdict_en}{extra_en}.", 2))
    yoy, accel = _ev(growth, "yoy_ni"), _ev(growth, "accel")
    if yoy:
        zh = f"最新报告期（{yoy.as_of.isoformat()}）净利润同比{yoy.display}"
        en = f"In the latest report ({yoy.as_of.isoformat()}) net profit changed {yoy.display} year on year"
        if accel:
            zh += f"，增速较上期变化{accel.display}"
            en += f", {accel.display} versus the previous report's growth rate"
        out.append(_Sentence(zh + "。", en + ".", 1))
    roe = _ev(dims.get("profitability"), "roe_ann")
    if roe:
        out.append(
            _Sentence(
                f"年化净资产收益率{roe.display}（报告期{roe.as_of.isoformat()}）。",
                f"Annualised ROE is {roe.display} (report {roe.as_of.isoformat()}).",
                3,
            ),
        )
    return out


def _risks(dims: dict[str, DimensionScore]) -> list[_Sentence]:
    r = dims.get("risk")
    if r is None or r.score is None:
        return [_Sentence("风险：历史数据不足，无法评估波动与回撤。", "Risk: too little history to measure.", 1)]
    vol, mdd, beta, ld = (_ev(r, k) for k in ("vol120", "mdd250", "beta250", "limit_down"))
    zh = "主要风险："
    en = "Main risks: "
    if vol and mdd:
        zh += f"近120日年化波动率{vol.display}，近一年最大回撤{mdd.display}"
        en += f"120-day annualised volatility {vol.display}, 1-year max drawdown {mdd.display}"
    if beta:
        zh += f"，贝塔{beta.display}"
        en += f", beta {beta.display}"
    if ld:
        zh += f"，近一年跌停{ld.display}天"
        en += f", {ld.display} limit-down days in the past year"
    return [_Sentence(f"{zh}；{r.verdict_zh}。", f"{en}; {r.verdict_en}.", 0)]


def _watch(diag: Diagnosis, dims: dict[str, DimensionScore]) -> list[_Sentence]:
    out: list[_Sentence] = []
    rng = _ev(dims.get("technical"), "range60")
    if rng:
        out.append(
            _Sentence(
                f"值得关注：股价在60日支撑/压力区间{rng.display}中的位置变化，",
                f"What to watch: the price within its 60-day support/resistance range {rng.display},",
                1,
            )
        )
    out.append(
        _Sentence(
            ("以及" if rng else "值得关注：") + "下一期财报的利润增速能否延续。",
            ("and " if rng else "What to watch: ") + "whether profit growth holds in the next report.",
            1,
        )
    )
    flow = dims.get("capital_flow")
    if flow and flow.is_proxy and flow.score is not None:
        out.append(
            _Sentence(
                f"资金面为量价代理指标（非交易所逐笔资金流数据），{flow.verdict_zh}。",
                f"Capital flow is a volume/amount proxy (not tick-by-tick flow data): {flow.verdict_en}.",
                3,
            )
        )
    net, ratio, days = _ev(flow, "l2_net"), _ev(flow, "l2_net_ratio"), _ev(flow, "l2_days")
    if flow and not flow.is_proxy and net and ratio and days:
        out.append(
            _Sentence(
                f"资金面（Level-2逐笔数据，截至{net.as_of.isoformat()}的{days.display}个交易日）："
                f"主力净流入{net.display}亿元，占成交额{ratio.display}。",
                f"Capital flow (Level-2 tick data, {days.display} session(s) to {net.as_of.isoformat()}): "
                f"main-force net inflow {net.display} (100m CNY), {ratio.display} of turnover.",
                2,
            )
        )
    missing = [d for d in diag.dimensions if d.score is None]
    if missing:
        out.append(
            _Sentence(
                f"未评分维度：{'、'.join(d.label_zh for d in missing)}（所需数据缺失，原因见各维度说明），"
                "综合分已按其余维度重新加权。",
                f"Not scored: {', '.join(d.label_en for d in missing)} (data missing; see each dimension), and the "
                "composite was re-weighted over the rest.",
                0,
            )
        )
    return out


def compose_brief(diag: Diagnosis) -> Brief:
    """The deterministic zh/en brief of ``diag`` (its current brief is ignored); phrase-guarded."""
    dims = _dims(diag)
    sentences = [
        *_company(diag, dims),
        *_overall(diag),
        *_valuation(dims),
        *_recent(dims),
        *_risks(dims),
        *_watch(diag, dims),
    ]
    kept = list(sentences)
    while sum(len(s.zh) for s in kept) > MAX_ZH and any(s.priority > 0 for s in kept):
        worst = max(s.priority for s in kept)
        drop = max(i for i, s in enumerate(kept) if s.priority == worst)
        kept.pop(drop)
    zh = "".join(s.zh for s in kept)
    en = " ".join(s.en for s in kept)
    if len(zh) < MIN_ZH:
        zh += _METHOD_ZH
        en += " " + _METHOD_EN
    ensure_no_forbidden_phrases(zh, where=f"brief of {diag.code}")
    ensure_no_forbidden_phrases(en, where=f"brief of {diag.code}")
    return Brief(zh=zh, en=en)
