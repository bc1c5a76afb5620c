"""Schemas of the real news items (``GET /api/v1/news``), validated from ``marketdata.news.query`` records."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NewsStockPublic(BaseModel):
    """A stock the item names (recognised in its text)."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str


class NewsItemPublic(BaseModel):
    """One real news item with its publisher, link and Beijing publication time (ISO 8601 with +08:00)."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="East Money article number")
    published_at: datetime
    title: str
    content: str
    publisher: str = Field(description="who published it, e.g. 东方财富快讯")
    url: str | None = Field(description="the source's page; null when the source gave no link")
    stocks: list[NewsStockPublic]
    industries: list[str]
