"""Locust journeys for ``benchmarks/bench_soak.py``: investors and advisors using Tandem like people do.

Run by bench_soak (headless), not by hand: it passes the logins and where to write the samples through the
environment. Each simulated person logs in once (the login limiter allows 20 attempts per address and minute, so
bench_soak spawns slowly) and then browses with 1–3 s between steps. Every request is recorded here
(name, start, duration, ok) and written as JSON when the run stops, so bench_soak computes exact percentiles
and the first error messages itself instead of reading locust's rounded CSV. Any status ≥ 400 counts as an error.

Environment: SOAK_INVESTORS (comma-separated logins, one per investor user), SOAK_ADVISOR, SOAK_PASSWORD,
SOAK_SAMPLES (output path).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from typing import Any

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("SOAK_PASSWORD", "TandemDemo2025")
INVESTORS = [s for s in os.environ.get("SOAK_INVESTORS", "investor@demo.tandem").split(",") if s]
ADVISOR = os.environ.get("SOAK_ADVISOR", "advisor@demo.tandem")
SAMPLES = os.environ.get("SOAK_SAMPLES", "soak-samples.json")
STOCKS = [
    "600519.SH", "000858.SZ", "600036.SH", "601318.SH", "000001.SZ", "601398.SH", "000333.SZ", "600276.SH",
    "000568.SZ", "000063.SZ", "600900.SH", "000002.SZ",
]  # fmt: skip
QUERIES = ["600519", "贵州茅台", "gzmt", "平安", "银行", "000858", "zgpa", "美的"]
BACKTEST = {
    "name": "soak 低估值轮动",
    "universe": ["600036.SH", "601398.SH", "000001.SZ", "600519.SH", "000858.SZ", "601318.SH"],
    "screen": "pe_ttm > 0 and pe_ttm < 30",
    "rank_by": "pe_ttm",
    "max_positions": 3,
    "rebalance": "monthly",
    "start": "2022-01-04",
    "end": "2022-06-30",
    "benchmark": "000300.SH",
}
BACKTEST_EVERY_S = 600
"""One backtest per quant-minded investor (every other one) per 10 minutes: the job queue runs one job per web
worker at a time, so a person clicking 运行回测 every minute would measure the queue, not the soak."""
JOB_TIME_LIMIT_S = 300  # JobLimits.seconds; still queued or running after twice that (a wait + a run) is an error
MAX_ERRORS_KEPT = 50

_lock = threading.Lock()
_samples: list[tuple[str, str, float, float, bool]] = []
_errors: list[dict[str, Any]] = []
_error_count = 0
_investor_seq = itertools.count()


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    response: Any = None,
    context: Any = None,
    exception: BaseException | None = None,
    start_time: float | None = None,
    url: str | None = None,
    **_: Any,
) -> None:
    """Keep every request; the first errors with their status and body (the cause, not just "HTTPError")."""
    global _error_count
    ok = exception is None
    with _lock:
        _samples.append((request_type, name, start_time or time.time(), response_time, ok))
        if not ok:
            _error_count += 1
            if len(_errors) < MAX_ERRORS_KEPT:
                status = getattr(response, "status_code", None)
                body = getattr(response, "text", "") or ""
                _errors.append(
                    {
                        "at": start_time,
                        "method": request_type,
                        "name": name,
                        "url": url,
                        "status": status,
                        "exception": repr(exception)[:300],
                        "body": body[:400],
                    }
                )


@events.quitting.add_listener
def _dump(**_: Any) -> None:
    """Write the samples once, when locust exits."""
    with _lock:
        data = {"samples": _samples, "errors": _errors, "error_count": _error_count}
    tmp = SAMPLES + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, SAMPLES)


class _Person(HttpUser):
    """Shared by both roles: a bearer login at start, 1–3 s of reading between steps."""

    abstract = True
    wait_time = between(1, 3)

    def login(self, username: str) -> None:
        r = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}, name="/api/v1/auth/login"
        )
        r.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"

    def get(self, path: str, name: str | None = None, **kw: Any) -> Any:
        return self.client.get(path, name=name or path, **kw)


class Investor(_Person):
    """Home, search, a stock (quote, K-line, diagnosis), 资讯, watchlist, 财富 and a small backtest."""

    weight = 4

    def on_start(self) -> None:
        n = next(_investor_seq)
        self.username = INVESTORS[n % len(INVESTORS)]
        self.login(self.username)
        self.watch_code = STOCKS[n % len(STOCKS)]
        self.next_backtest = time.monotonic() + random.uniform(30, BACKTEST_EVERY_S) if n % 2 == 0 else float("inf")
        self.get("/", name="page /")
        self.get("/api/v1/me")

    @task(3)
    def home(self) -> None:
        self.get("/market", name="page /market")
        self.get("/api/v1/market/home")

    @task(2)
    def search(self) -> None:
        q = random.choice(QUERIES)
        self.get(f"/api/v1/stocks?q={q}", name="/api/v1/stocks?q=[q]")
        self.get(f"/market/search?q={q}", name="page /market/search?q=[q]")

    @task(5)
    def stock(self) -> None:
        code = random.choice(STOCKS)
        self.get(f"/market/stock/{code}", name="page /market/stock/[code]")
        self.get(f"/api/v1/stocks/{code}/quote", name="/api/v1/stocks/[code]/quote")
        self.get(
            f"/api/v1/stocks/{code}/bars?adjust=qfq&start=2024-04-01",
            name="/api/v1/stocks/[code]/bars (K-line)",
            headers={"Accept-Encoding": "gzip"},
        )
        self.get(f"/api/v1/stocks/{code}/diagnosis", name="/api/v1/stocks/[code]/diagnosis")

    @task(1)
    def diagnosis_page(self) -> None:
        self.get(f"/market/diagnosis/{random.choice(STOCKS)}", name="page /market/diagnosis/[code]")

    @task(3)
    def feed(self) -> None:
        self.get("/api/v1/feed")
        if random.random() < 0.3:
            self.get("/news", name="page /news")

    @task(2)
    def watchlist(self) -> None:
        r = self.client.post("/api/v1/watchlist", json={"code": self.watch_code}, name="/api/v1/watchlist POST")
        self.get("/api/v1/watchlist")
        self.get("/market/watchlist", name="page /market/watchlist")
        if r.ok:
            self.client.delete(f"/api/v1/watchlist/{r.json()['id']}", name="/api/v1/watchlist/[id] DELETE")

    @task(1)
    def wealth(self) -> None:
        q = self.get("/api/v1/wealth/questionnaire").json()
        answers = {item["id"]: random.choice(item["options"])["key"] for item in q["questions"]}
        self.client.post("/api/v1/wealth/assessments", json={"answers": answers}, name="/api/v1/wealth/assessments")
        self.get("/api/v1/wealth/level")
        self.get("/api/v1/wealth/strategies")
        plan = self.client.post(
            "/api/v1/wealth/plans", json={"amount": random.choice([2e5, 5e5, 1e6])}, name="/api/v1/wealth/plans POST"
        )
        self.get("/api/v1/wealth/plans")
        if plan.ok:
            self.get(f"/api/v1/wealth/plans/{plan.json()['id']}", name="/api/v1/wealth/plans/[id]")
        self.get("/wealth", name="page /wealth")

    @task(1)
    def backtest(self) -> None:
        self.get("/quant", name="page /quant")
        if time.monotonic() < self.next_backtest:
            return
        self.next_backtest = time.monotonic() + BACKTEST_EVERY_S
        r = self.client.post("/api/v1/backtests", json=BACKTEST, name="/api/v1/backtests POST")
        if not r.ok:
            return
        job_id = r.json()["id"]
        submitted = time.monotonic()
        status, error = "running", None
        while time.monotonic() < submitted + 2 * JOB_TIME_LIMIT_S:
            time.sleep(2)  # the page polls every 2 s
            poll = self.get(f"/api/v1/backtests/{job_id}", name="/api/v1/backtests/[id] (poll)")
            if not poll.ok:
                return
            status, error = poll.json()["status"], poll.json().get("error")
            if status in ("done", "failed", "cancelled"):
                break
        # submit → seen finished, as one pseudo-request, so the job turnaround gets percentiles too
        events.request.fire(
            request_type="JOB",
            name="backtest submit → done (job turnaround)",
            response_time=(time.monotonic() - submitted) * 1000,
            response_length=0,
            start_time=time.time(),
            exception=None if status == "done" else RuntimeError(f"backtest {job_id} {status}: {error}"),
        )

    @task(2)
    def notifications(self) -> None:
        self.get("/api/v1/notifications?limit=20", name="/api/v1/notifications")

    @task(1)
    def account(self) -> None:
        self.get("/me", name="page /me")


class Advisor(_Person):
    """The workbench: client book, one client's page, tasks and the send form (the approved library items)."""

    weight = 1

    def on_start(self) -> None:
        self.login(ADVISOR)
        self.client_ids: list[int] = []
        self.book()

    @task(3)
    def book(self) -> None:
        self.get("/advisor/clients", name="page /advisor/clients")
        r = self.get("/api/v1/advisor/clients?page_size=50", name="/api/v1/advisor/clients")
        if r.ok:
            self.client_ids = [row["user_id"] for row in r.json()["items"]]

    @task(4)
    def client_page(self) -> None:
        if not self.client_ids:
            return
        cid = random.choice(self.client_ids)
        self.get(f"/advisor/clients/{cid}", name="page /advisor/clients/[id]")
        self.get(f"/api/v1/advisor/clients/{cid}", name="/api/v1/advisor/clients/[id]")

    @task(2)
    def advisor_tasks(self) -> None:
        self.get("/advisor/tasks", name="page /advisor/tasks")
        self.get("/api/v1/advisor/tasks")

    @task(2)
    def send_preview(self) -> None:
        cid = random.choice(self.client_ids) if self.client_ids else None
        path = f"/advisor/send?client_id={cid}" if cid else "/advisor/send"
        self.get(path, name="page /advisor/send?client_id=[id]")
