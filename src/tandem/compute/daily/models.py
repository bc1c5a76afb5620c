"""The ``daily_runs`` table: one row per (daily job, day), inserted by the scheduler that won the day's run."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base


class RunStatus(StrEnum):
    """running (leased by ``owner``, renewed by its heartbeat) → done | failed."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class DailyRun(Base):
    """A daily job's run for one day; the primary key (job, day) is what makes a second claim fail."""

    __tablename__ = "daily_runs"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
