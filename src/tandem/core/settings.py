"""The one configuration object: every knob is a ``TANDEM_*`` environment variable.

Nothing here is read at import time; composition roots call :func:`load_settings` once and pass the
object down, so tests can build their own settings without touching the process environment.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration for Tandem (data home, databases, compute backend, web)."""

    model_config = SettingsConfigDict(env_prefix="TANDEM_", extra="ignore")

    home: Path = Field(default=Path("var"), description="Data home; everything Tandem writes lives here.")
    database_url: str | None = Field(
        default=None, description="Application DB (SQLAlchemy URL). Default: SQLite under the data home."
    )
    redis_url: str | None = Field(default=None, description="Redis for event streams and push; unset = in-process.")
    compute: Literal["local", "ray"] = Field(default="local", description="Batch compute backend.")
    compute_workers: int = Field(default=2, ge=1, le=64)
    ray_address: str | None = Field(default=None, description="Ray cluster to join (compute=ray); unset = local Ray.")
    secret_key: str | None = Field(default=None, description="Signing/encryption key; generated under home if unset.")
    host: str = "127.0.0.1"
    public_url: str | None = Field(
        default=None,
        description="Base URL clients reach the app at (referral links, QR codes); unset = http://<host>:<port>.",
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
    )
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=2, ge=1, le=32)
    worker_healthcheck_timeout: int = Field(
        default=30,
        ge=1,
        le=600,
        description=(
            "Seconds a web worker may take to answer the supervisor's health check before it is replaced. "
            "uvicorn's 5 s default replaced a worker that was still loading the app on a busy 2-core machine."
        ),
    )
    keep_alive_timeout: int = Field(
        default=75,
        ge=1,
        le=3600,
        description=(
            "Seconds an idle keep-alive connection stays open. Longer than the reverse proxy's upstream idle "
            "timeout (deploy/nginx: 60 s) so the server never closes a connection the proxy, or a client after a "
            "pause, is reusing at that moment; uvicorn's 5 s reset requests under the soak benchmark."
        ),
    )
    metrics_scrape_hosts: list[str] = Field(
        default=["127.0.0.1", "::1"],
        description="Client addresses allowed to read /metrics without logging in (a local Prometheus scraper).",
    )
    public_rate_limit: int = Field(
        default=120,
        ge=1,
        le=100_000,
        description="Requests per minute and client address to the public market pages and endpoints without login.",
    )
    log_level: str = "INFO"
    fund_master: Path | None = Field(
        default=None,
        description="Tushare fund_basic CSV (plain or .gz) whose min_amount (万元) gives off-exchange funds their "
        "minimum purchase in wealth plans; unset = the documented ¥10 default for every off-exchange fund.",
    )
    commission_rate: float = Field(default=0.00025, ge=0, le=0.003, description="Broker commission rate.")
    llm_base_url: str | None = Field(default=None, description="Optional OpenAI-compatible endpoint for rewriting.")
    llm_api_key: str | None = None
    llm_model: str | None = None
    push_timezone: str = Field(default="Asia/Shanghai", description="Clock of quiet hours and daily push caps.")
    push_quiet_start: time = Field(default=time(22, 0), description="Quiet hours start (no push delivered).")
    push_quiet_end: time = Field(default=time(8, 0), description="Quiet hours end (deferred pushes go out).")
    push_cap_per_client_day: int = Field(default=6, ge=0, description="Pushes per client per local day, all channels.")
    push_cap_per_channel_day: dict[str, int] = Field(
        default={"inapp": 5, "email": 2}, description="Pushes per client per local day and channel (JSON object)."
    )
    smtp_host: str | None = Field(default=None, description="SMTP relay for e-mail pushes; unset = no e-mail channel.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "noreply@tandem.local"
    advisor_archive_retention_years: int = Field(
        default=20, ge=5, le=50, description="Years the advisor send archive (留痕) is kept before purging."
    )
    wecom_corp_id: str | None = Field(default=None, description="WeCom corp id; unset = the WeCom channel is off.")
    wecom_secret: str | None = Field(default=None, description="WeCom application secret (with corp id).")
    wecom_agent_id: int | None = Field(default=None, description="WeCom application agent id for message/send.")
    wecom_base_url: str = Field(default="https://qyapi.weixin.qq.com", description="WeCom server API base URL.")
    wecom_robots: dict[str, str] = Field(
        default={}, description="Group robots by name → webhook key (JSON object); unset = no robot channel."
    )
    schedule: str = Field(
        default="diagnosis@16:30,triggers@17:00,education-reads@23:30",
        description="Daily jobs `tandem scheduler` runs, as job@HH:MM in Beijing time, comma-separated "
        "(jobs: diagnosis, triggers, videos, education-reads); each runs once per day however many schedulers run.",
    )
    wecom_mass_send_rule: str = Field(
        default="four-per-month",
        pattern="^(four-per-month|month-days|seven-per-week|one-per-day)$",
        description="WeCom customer mass-send allowance the sender counts (advisor/wecom/allowance.py).",
    )

    @property
    def market_dir(self) -> Path:
        """Root of the versioned Parquet market-data store."""
        return self.home / "market"

    @property
    def sqlalchemy_url(self) -> str:
        """The application DB URL, defaulting to SQLite inside the data home."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'tandem.db').resolve()}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit keyword overrides winning."""
    return Settings(**overrides)  # type: ignore[arg-type]
