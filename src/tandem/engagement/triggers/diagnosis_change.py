"""Diagnosis composite changes on held or watched stocks after an imported session.

:func:`score_moves` compares two composite series (pure); :func:`score_moves_from_service` reads them from the
:class:`~tandem.diagnosis.service.DiagnosisService` market tables of the new session and the one before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from types import MappingProxyType

import numpy as np
import pandas as pd

from tandem.diagnosis.service import DiagnosisService
from tandem.engagement.delivery.records import PushCandidate
from tandem.engagement.triggers.books import HolderIndex
from tandem.engagement.triggers.records import ScoreMove

RULE = "diagnosis_change.composite/v1"
MIN_DELTA = 10.0
"""Points (of 100) the composite must move to be worth a push."""


def score_moves(
    now: pd.Series,
    prev: pd.Series,
    *,
    day: date,
    prev_day: date,
    names: pd.Series | None = None,
    codes: Iterable[str] | None = None,
    min_delta: float = MIN_DELTA,
) -> list[ScoreMove]:
    """Codes (of ``codes``, default all) whose composite moved by at least ``min_delta`` between the sessions."""
    wanted = now.index if codes is None else now.index.intersection(pd.Index(list(codes)))
    a = now.reindex(wanted).astype(float)
    b = prev.reindex(wanted).astype(float)
    moved = (a - b).abs() >= min_delta
    out = []
    for code in wanted[moved.to_numpy()]:
        name = str(names.get(code, code)) if names is not None else str(code)
        out.append(ScoreMove(str(code), name, day, prev_day, float(a[code]), float(b[code])))
    return out


def score_moves_from_service(
    service: DiagnosisService, *, day: date, codes: Iterable[str], min_delta: float = MIN_DELTA
) -> list[ScoreMove]:
    """Composite moves between ``day``'s session and the previous one, for the followed ``codes``."""
    now = service.table(day)
    sessions = service.store.session_days(sorted(now.composite.index.astype(str)))
    i = int(np.searchsorted(sessions, np.datetime64(now.snapshot.day, "D")))
    if i == 0:
        return []
    prev_day = pd.Timestamp(sessions[i - 1]).date()
    prev = service.table(prev_day)
    return score_moves(
        now.composite["composite"], prev.composite["composite"], day=now.snapshot.day, prev_day=prev_day,
        names=now.snapshot.ref["name"], codes=codes, min_delta=min_delta,
    )  # fmt: skip


def score_candidates(moves: Iterable[ScoreMove], index: HolderIndex, *, channel: str = "inapp") -> list[PushCandidate]:
    """One push per (move, follower), stating old and new composite; never a buy or sell call."""
    out = []
    for m in moves:
        word = "上升" if m.delta > 0 else "下降"
        day = m.day.isoformat()
        body = (
            f"{m.name}（{m.code}）综合评分由 {m.prev_day.isoformat()} 的 {m.prev_composite:.0f} 分"
            f"变为 {day} 的 {m.composite:.0f} 分，点击查看个股三分钟了解原因。"
        )
        shared = {"code": m.code, "composite": m.composite, "prev_composite": m.prev_composite,
                  "prev_day": m.prev_day.isoformat()}  # fmt: skip
        variants = {
            held: (
                f"{'持仓' if held else '自选'} {m.name} 诊断评分{word} {abs(m.delta):.0f} 分",
                MappingProxyType({**shared, "held": held}),
            )
            for held in (True, False)
        }
        key = f"diagnosis_change:{m.code}:{day}"
        events = (f"session:{day}", f"diagnosis:{m.code}:{day}")
        for f in index.followers(m.code):
            title, evidence = variants[f.held]
            out.append(
                PushCandidate(
                    client_id=f.client_id,
                    category="diagnosis_change",
                    channel=channel,
                    title=title,
                    body=body,
                    rule=RULE,
                    dedup_key=key,
                    data_date=m.day,
                    source_events=events,
                    evidence=evidence,
                    priority=1 if f.held else 0,
                )
            )
    return out
