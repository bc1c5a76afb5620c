"""Screens and backtest jobs over the API: owner isolation, problem+json, a real run, limits and cancellation."""

from __future__ import annotations

import time

from tandem.backtest.jobs.service import JobLimits

PROBLEM = "application/problem+json"
SPEC = {
    "name": "低估值轮动",
    "universe": ["600036.SH", "601398.SH", "000001.SZ", "600519.SH", "000858.SZ", "601318.SH"],
    "screen": "pe_ttm > 0 and pe_ttm < 30",
    "rank_by": "pe_ttm",
    "max_positions": 3,
    "rebalance": "monthly",
    "start": "2022-01-04",
    "end": "2022-06-30",
    "benchmark": "000300.SH",
}


def _wait(client, headers, job_id, timeout=90.0):
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/v1/backtests/{job_id}", headers=headers).json()
        if body["status"] in ("done", "failed", "cancelled") or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_screen_runs_point_in_time_with_names(client, alice) -> None:
    r = client.post(
        "/api/v1/screens/run", headers=alice, json={"expression": "pe_ttm > 0 and pe_ttm < 15", "date": "2023-06-30"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["date"] == "2023-06-30" and body["columns"][:3] == ["code", "name", "pe_ttm"]
    assert body["count"] == len(body["rows"]) > 0
    assert all(0 < row[2] < 15 for row in body["rows"])
    assert any(row[1] == "招商银行" for row in body["rows"])  # 600036 traded at ~5x earnings then
    small = client.post("/api/v1/screens/run", headers=alice, json={"expression": "close > 0", "limit": 5}).json()
    assert small["truncated"] and len(small["rows"]) == 5 and small["count"] > 5


def test_screen_errors_are_400_problems_with_the_column(client, alice) -> None:
    r = client.post("/api/v1/screens/run", headers=alice, json={"expression": "pe_ttm < 20 and and roe > 0.1"})
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["column"] == 17 and "column 17" in r.json()["detail"]
    r = client.post("/api/v1/screens/run", headers=alice, json={"expression": "pe_tm < 20"})
    assert r.status_code == 400 and r.json()["column"] == 1 and "did you mean pe_ttm?" in r.json()["detail"]
    r = client.post("/api/v1/screens/run", headers=alice, json={"expression": "__import__('os').system('id')"})
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM)
    assert client.post("/api/v1/screens/run", json={"expression": "close > 0"}).status_code == 401


def test_saved_screens_are_private(client, alice, bob) -> None:
    r = client.post("/api/v1/screens", headers=alice, json={"name": "低估值", "expression": "pe_ttm < 15"})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert (
        client.post("/api/v1/screens", headers=alice, json={"name": "低估值", "expression": "pe_ttm < 9"}).status_code
        == 409
    )
    bad = client.post("/api/v1/screens", headers=alice, json={"name": "x", "expression": "pe_ttm <"})
    assert bad.status_code == 400 and bad.json()["column"] is not None
    assert client.get("/api/v1/screens", headers=alice).json()["total"] == 1
    assert client.get("/api/v1/screens", headers=bob).json()["total"] == 0
    for method in ("GET", "DELETE"):
        r = client.request(method, f"/api/v1/screens/{sid}", headers=bob)
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM), method
    assert client.get(f"/api/v1/screens/{sid}", headers=alice).json()["expression"] == "pe_ttm < 15"
    assert client.delete(f"/api/v1/screens/{sid}", headers=alice).status_code == 204
    assert client.get(f"/api/v1/screens/{sid}", headers=alice).status_code == 404


def test_backtest_runs_to_completion_and_stays_private(client, alice, bob) -> None:
    r = client.post("/api/v1/backtests", headers=alice, json=SPEC)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.json()["status"] in ("queued", "running") and r.json()["name"] == "低估值轮动"
    job = _wait(client, alice, job_id)
    assert job["status"] == "done", job["error"]
    res = job["result"]
    assert {"total_return", "annual_return", "sharpe", "max_drawdown", "alpha", "beta", "turnover"} <= set(
        res["metrics"]
    )
    assert res["metrics"]["beta"] is not None and res["benchmark"] == "000300.SH"
    assert res["trades"] and {"date", "code", "side", "qty", "price", "fee"} == set(res["trades"][0])
    assert res["equity"][0][0] >= "2022-01-04" and len(res["equity"]) == len(res["benchmark_curve"])
    assert abs(res["equity"][-1][1] - res["final_equity"]) < 1e-6
    report = client.get(f"/api/v1/backtests/{job_id}/report", headers=alice)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "回测报告" in report.text and "data:image/png;base64" in report.text
    trades = client.get(f"/api/v1/backtests/{job_id}/trades.csv", headers=alice)
    assert trades.headers["content-type"].startswith("text/csv")
    lines = trades.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "date,code,side,qty,price,fee" and len(lines) == len(res["trades"]) + 1
    positions = client.get(f"/api/v1/backtests/{job_id}/positions.csv", headers=alice).content.decode("utf-8-sig")
    assert positions.splitlines()[0] == "date,code,shares,close,value,weight" and len(positions.splitlines()) > 10
    listed = client.get("/api/v1/backtests", headers=alice, params={"limit": 1}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == job_id
    assert abs(listed["items"][0]["total_return"] - res["metrics"]["total_return"]) < 1e-12
    # another investor sees nothing of it
    assert client.get("/api/v1/backtests", headers=bob).json()["total"] == 0
    for path in ("", "/report", "/trades.csv", "/positions.csv"):
        r = client.get(f"/api/v1/backtests/{job_id}{path}", headers=bob)
        assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM), path
    assert client.post(f"/api/v1/backtests/{job_id}/cancel", headers=bob).status_code == 404
    assert client.post(f"/api/v1/backtests/{job_id}/cancel", headers=alice).status_code == 409  # already done


def test_only_declarative_specs_are_accepted(client, alice) -> None:
    r = client.post("/api/v1/backtests", headers=alice, json={**SPEC, "code": "import os; os.system('id')"})
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM) and "code" in r.json()["detail"]
    py = "class S(Strategy):\n    def on_bar(self, ctx): ...\n"
    r = client.post("/api/v1/backtests", headers={**alice, "content-type": "text/x-python"}, content=py.encode())
    assert r.status_code == 422
    r = client.post("/api/v1/backtests", headers=alice, json={**SPEC, "screen": "pe_ttm < "})
    assert r.status_code == 422 and "screen" in r.json()["detail"]
    r = client.post("/api/v1/backtests", headers=alice, json={**SPEC, "universe": ["600519", "600518"]})
    assert r.status_code == 404 and "600518" in r.json()["detail"]
    assert client.get("/api/v1/backtests", headers=alice).json()["total"] == 0  # nothing was queued


def test_time_limit_stops_the_job_and_says_so(client, alice, app) -> None:
    app.state.backtest_jobs.limits = JobLimits(seconds=0.5, memory_mb=4096)
    job_id = client.post("/api/v1/backtests", headers=alice, json=SPEC).json()["id"]
    job = _wait(client, alice, job_id)
    assert job["status"] == "failed" and "exceeded its time limit of 0.5 s" in job["error"]
    assert job["result"] is None
    r = client.get(f"/api/v1/backtests/{job_id}/report", headers=alice)
    assert r.status_code == 409 and "failed" in r.json()["detail"]


def test_cancel_and_active_job_cap(client, alice, app) -> None:
    app.state.backtest_jobs.limits = JobLimits(seconds=60, memory_mb=4096)
    ids = [client.post("/api/v1/backtests", headers=alice, json=SPEC).json()["id"] for _ in range(3)]
    r = client.post("/api/v1/backtests", headers=alice, json=SPEC)
    assert r.status_code == 429 and r.headers["retry-after"] == "10" and "at most 3" in r.json()["detail"]
    for i in ids:
        c = client.post(f"/api/v1/backtests/{i}/cancel", headers=alice)
        assert c.status_code == 200 and c.json()["status"] == "cancelled", c.text
    for i in ids:
        job = _wait(client, alice, i)
        assert job["status"] == "cancelled" and "cancelled by the user" in job["error"]
    assert client.post(f"/api/v1/backtests/{ids[0]}/cancel", headers=alice).status_code == 409
    assert client.post("/api/v1/backtests", headers=alice, json=SPEC).status_code == 202  # room again
