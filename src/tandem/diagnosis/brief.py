"""The three-minute brief (个股三分钟): a deterministic narrative built only from scores and evidence displays.

Sections: what the company is (industry, standing), the overall verdict, valuation, what changed recently,
main risks, what to watch, and which dimensions are missing. Every number is an evidence ``display`` string
or a score, so :func:`tandem.diagnosis.numbers.untraceable` finds nothing. The Chinese text is kept within
300–600 characters by dropping optional sentences (lowest priority first) or adding a digit-free method note.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.compliance.phrase_guard import ensure_no_forbidden_phrases
from tandem.core.i18n import Joined, Message
from tandem.diagnosis.models import Brief, Diagnosis, DimensionScore, Evidence

MIN_ZH, MAX_ZH = 300, 600
BOARDS = ("SSE_MAIN", "SZSE_MAIN", "CHINEXT", "STAR", "BSE")
"""Boards the brief names in words (``brief.board.*``); any other board is shown by its code."""


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: Message
    priority: int  # 0 = always kept; higher = dropped first when too long

    @property
    def zh(self) -> str:
        return self.text.render("zh")

    @property
    def en(self) -> str:
        return self.text.render("en")


def _ev(d: DimensionScore | None, key: str) -> Evidence | None:
    if d is None:
        return None
    return next((e for e in d.evidence if e.key == key), None)


def _dims(diag: Diagnosis) -> dict[str, DimensionScore]:
    return {d.key: d for d in diag.dimensions}


def _company(diag: Diagnosis, dims: dict[str, DimensionScore]) -> list[_Sentence]:
    board: Message | str = Message(f"brief.board.{diag.board}") if diag.board in BOARDS else diag.board
    industry: Message | str = diag.industry or Message("brief.unclassified")
    title = (
        Message("diag.stock_title", {"name": diag.name, "code": diag.code})
        if diag.name and diag.name != diag.code
        else diag.code
    )
    params = {"title": title, "name": diag.name, "industry": industry, "board": board}
    out = [_Sentence(Message("brief.company", params), 0)]
    mcap, rank, peers = (_ev(dims.get("industry"), k) for k in ("mcap", "mcap_rank", "peers"))
    if mcap and rank and peers:
        verdict = dims["industry"].verdict
        standing = {"mcap": mcap.display, "peers": peers.display, "rank": rank.display, "verdict": verdict}
        out.append(_Sentence(Message("brief.standing", standing), 2))
    return out


def _scores(dims: list[DimensionScore]) -> Joined:
    return Joined(tuple(Message("brief.dim_score", {"label": d.label, "score": d.score}) for d in dims))


def _overall(diag: Diagnosis) -> list[_Sentence]:
    c = diag.composite
    scored = sorted((d for d in diag.dimensions if d.score is not None), key=lambda d: (-(d.score or 0), d.key))
    if c.score is None or not scored:
        return [_Sentence(Message("brief.no_composite"), 0)]
    strong, weak = scored[:2], scored[-2:][::-1]
    params = {
        "score": c.score,
        "universe": c.universe,
        "rank": c.rank,
        "strong": _scores(strong),
        "weak": _scores(weak),
    }
    return [_Sentence(Message("brief.overall", params), 0)]


def _valuation(dims: dict[str, DimensionScore]) -> list[_Sentence]:
    v = dims.get("valuation")
    pe, pe_pct, pb = _ev(v, "pe"), _ev(v, "pe_own_pct"), _ev(v, "pb")
    if v is None or v.score is None or pe is None:
        return [_Sentence(Message("brief.no_valuation"), 1)]
    parts: list[Message] = [Message("brief.valuation", {"pe": pe.display})]
    if pe_pct:
        parts.append(Message("brief.valuation.pct", {"pct": pe_pct.display}))
    if pb:
        parts.append(Message("brief.valuation.pb", {"pb": pb.display}))
    text = Joined(tuple(parts), "")
    return [_Sentence(Message("brief.valuation.end", {"text": text, "verdict": v.verdict, "score": v.score}), 0)]


def _recent(dims: dict[str, DimensionScore]) -> list[_Sentence]:
    out: list[_Sentence] = []
    rs, tech, growth = dims.get("relative_strength"), dims.get("technical"), dims.get("growth")
    ex20, ex60 = _ev(rs, "excess20"), _ev(rs, "excess60")
    if ex20 and ex60:
        verdict: Message | Joined | str = rs.verdict if rs else ""
        out.append(
            _Sentence(Message("brief.recent", {"ex20": ex20.display, "ex60": ex60.display, "verdict": verdict}), 1)
        )
    if tech and tech.score is not None:
        ma20 = _ev(tech, "ma20")
        extra: Message | str = Message("brief.technical.ma20", {"ma20": ma20.display}) if ma20 else ""
        out.append(_Sentence(Message("brief.technical", {"verdict": tech.verdict, "extra": extra}), 2))
    yoy, accel = _ev(growth, "yoy_ni"), _ev(growth, "accel")
    if yoy:
        more: Message | str = Message("brief.growth.accel", {"accel": accel.display}) if accel else ""
        params = {"period": yoy.as_of.isoformat(), "yoy": yoy.display, "extra": more}
        out.append(_Sentence(Message("brief.growth", params), 1))
    roe = _ev(dims.get("profitability"), "roe_ann")
    if roe:
        out.append(_Sentence(Message("brief.roe", {"roe": roe.display, "period": roe.as_of.isoformat()}), 3))
    return out


def _risks(dims: dict[str, DimensionScore]) -> list[_Sentence]:
    r = dims.get("risk")
    if r is None or r.score is None:
        return [_Sentence(Message("brief.no_risk"), 1)]
    vol, mdd, beta, ld = (_ev(r, k) for k in ("vol120", "mdd250", "beta250", "limit_down"))
    parts: list[Message] = []
    if vol and mdd:
        parts.append(Message("brief.risk.vol", {"vol": vol.display, "mdd": mdd.display}))
    if beta:
        parts.append(Message("brief.risk.beta", {"beta": beta.display}))
    if ld:
        parts.append(Message("brief.risk.limit_down", {"days": ld.display}))
    return [_Sentence(Message("brief.risk", {"parts": Joined(tuple(parts), ""), "verdict": r.verdict}), 0)]


def _watch(diag: Diagnosis, dims: dict[str, DimensionScore]) -> list[_Sentence]:
    out: list[_Sentence] = []
    rng = _ev(dims.get("technical"), "range60")
    if rng:
        out.append(_Sentence(Message("brief.watch.range", {"range": rng.display}), 1))
    out.append(_Sentence(Message("brief.watch.growth_after_range" if rng else "brief.watch.growth"), 1))
    flow = dims.get("capital_flow")
    if flow and flow.is_proxy and flow.score is not None:
        out.append(_Sentence(Message("brief.flow_proxy", {"verdict": flow.verdict}), 3))
    net, ratio, days = _ev(flow, "l2_net"), _ev(flow, "l2_net_ratio"), _ev(flow, "l2_days")
    if flow and not flow.is_proxy and net and ratio and days:
        params = {"last": net.as_of.isoformat(), "days": days.display, "net": net.display, "ratio": ratio.display}
        out.append(_Sentence(Message("brief.flow_l2", params), 2))
    missing = [d for d in diag.dimensions if d.score is None]
    if missing:
        out.append(_Sentence(Message("brief.missing", {"labels": Joined(tuple(d.label for d in missing))}), 0))
    return out


def compose_brief(diag: Diagnosis) -> Brief:
    """The deterministic zh/en brief of ``diag`` (its current brief is ignored); phrase-guarded.

    Both languages are kept because a model may rewrite the Chinese text (``ai_generated``): the brief is content
    produced per language, not a sentence rendered from a key at the edge.
    """
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
    if sum(len(s.zh) for s in kept) < MIN_ZH:
        kept.append(_Sentence(Message("brief.method"), 0))
    zh = "".join(s.zh for s in kept)  # Chinese sentences run on; English ones are spaced
    en = " ".join(s.en for s in kept)
    ensure_no_forbidden_phrases(zh, where=f"brief of {diag.code}")
    ensure_no_forbidden_phrases(en, where=f"brief of {diag.code}")
    return Brief(zh=zh, en=en)
