"""Pydantic schemas of the public API (``XCreate / XPublic`` naming); handlers return these, never ORM rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tandem.core.models import Instrument
from tandem.identity import Role
from tandem.web.money import Fen, FenList, FenListOptional

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` plus what the client needs to ask for the next page."""

    items: list[T]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class InstrumentPublic(BaseModel):
    """A search hit."""

    code: str
    name: str
    kind: str
    board: str
    industry: str | None = None

    @classmethod
    def of(cls, inst: Instrument) -> InstrumentPublic:
        """The API shape of an instrument (enums as their values)."""
        return cls(code=inst.code, name=inst.name, kind=inst.kind.value, board=inst.board.value, industry=inst.industry)


class QuotePublic(BaseModel):
    """The latest daily bar of a stock, summarised (raw prices; volume in shares, amount in CNY).

    Mapped field for field from :class:`tandem.marketdata.quote.Quote`.
    """

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    board: str
    industry: str | None
    date: date
    close: Fen
    preclose: Fen
    change: Fen
    change_pct: float
    open: Fen
    high: Fen
    low: Fen
    volume: float
    amount: Fen
    turnover: float | None
    pe_ttm: float | None
    pb_mrq: float | None
    high_52w: Fen
    low_52w: Fen
    suspended: bool
    is_st: bool


class BarsPublic(BaseModel):
    """Daily bars as parallel arrays (compact for charts); MAs are of the adjusted close over the full history.

    Mapped field for field from :class:`tandem.diagnosis.chart.ChartBars`.
    """

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    adjust: Literal["qfq", "hfq", "none"]
    dates: list[date]
    open: FenList
    high: FenList
    low: FenList
    close: FenList
    volume: list[float]
    ma5: FenListOptional
    ma20: FenListOptional
    ma60: FenListOptional


class LoginRequest(BaseModel):
    """Credentials for ``POST /api/v1/auth/login``."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=254, description="Phone number or e-mail")
    password: str = Field(min_length=1, max_length=256)


class TokenPublic(BaseModel):
    """A bearer token for the API."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")


class UserCreate(BaseModel):
    """Sign-up form: phone or e-mail plus a password."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=254, description="Phone number (11 digits) or e-mail")
    password: str = Field(min_length=10, max_length=256)
    display_name: str | None = Field(default=None, max_length=40)


class UserPublic(BaseModel):
    """The caller's own account; personal data masked (mapped from :class:`tandem.identity.accounts.AccountView`)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str | None
    role: Role
    phone: str | None = Field(default=None, description="Masked, e.g. 138****5678")
    id_number: str | None = Field(default=None, description="Masked, e.g. 1101**********1234")
    non_personalised: bool
    created_at: datetime


class ProfileUpdate(BaseModel):
    """Personal data the user may set (stored encrypted, shown masked)."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=40)
    phone: str | None = Field(default=None, max_length=20)
    id_number: str | None = Field(default=None, max_length=18)


class PasswordChange(BaseModel):
    """Change the password; every other session and token of the user stops working."""

    model_config = ConfigDict(extra="forbid")

    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=10, max_length=256)


class WatchItemCreate(BaseModel):
    """Add a stock to the watchlist."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=20)
    note: str | None = Field(default=None, max_length=200)


class WatchItemUpdate(BaseModel):
    """Change a watchlist item's note."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=200)


class WatchItemPublic(BaseModel):
    """One watched stock."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    note: str | None
    created_at: datetime


class FeedSettings(BaseModel):
    """The feed's personalisation switch."""

    model_config = ConfigDict(extra="forbid")

    non_personalised: bool


class FeedItemPublic(BaseModel):
    """One entry of the client's feed (plain chronological order), from :class:`tandem.engagement.feed.FeedItem`."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    title: str
    body: str
    code: str | None = None
    at: datetime


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[str] | None = None
    """Every problem of a failed validation (``field: what is wrong, how to fix``), when there are several."""
