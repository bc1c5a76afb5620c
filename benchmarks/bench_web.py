"""Web serving benchmark: `tandem serve` (2 workers) on loopback, loaded by wrk.

Endpoints: quote, K-line bars (one year, qfq, with MAs) and diagnosis of 600519.SH, and the demo investor's 资讯
feed, authenticated with a bearer token. The server and the load generator share the machine's 2 cores, so figures
are a floor, not a ceiling.
Before the endpoints, the same client is pointed at ``/healthz`` (no auth, no work): that rate is the ceiling of
client + server plumbing on this machine, printed beside every row so a row near it says "limited by the client",
not "this fast". wrk is installed by ``make bench``; a Python client topped out at 400–550 req/s here and measured
itself, so without wrk the script stops and says how to get it (``--allow-httpx`` runs the slow client anyway,
with its ceiling printed).

Usage: .venv/bin/python benchmarks/bench_web.py [--seconds 10] [--connections 16] [--write-results] [--allow-httpx]
Uses TANDEM_HOME if it holds a store, else a temp home loaded from the bundled sample.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TANDEM = str(ROOT / ".venv" / "bin" / "tandem")
ENDPOINTS = {
    "quote": "/api/v1/stocks/600519.SH/quote",
    "K-line (bars, 1y qfq + MAs)": "/api/v1/stocks/600519.SH/bars?adjust=qfq&start=2024-04-01",
    "K-line, gzip (as a browser asks)": "/api/v1/stocks/600519.SH/bars?adjust=qfq&start=2024-04-01",
    "diagnosis": "/api/v1/stocks/600519.SH/diagnosis",
    "feed (资讯, issue 12: p99 < 50 ms)": "/api/v1/feed",
}
GZIP = {"K-line, gzip (as a browser asks)"}  # wrk sends no Accept-Encoding; browsers do, and the JSON is ~22 KB


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_home() -> tuple[Path, bool]:
    env_home = os.environ.get("TANDEM_HOME")
    if env_home and (Path(env_home) / "market").is_dir():
        return Path(env_home), False
    home = Path(tempfile.mkdtemp(prefix="tandem-bench-web-"))
    subprocess.run(
        [TANDEM, "data", "import", str(ROOT / "src" / "tandem" / "sample_data")],
        env={**os.environ, "TANDEM_HOME": str(home)},
        check=True,
        capture_output=True,
    )
    return home, True


def wrk(url: str, token: str | None, seconds: int, connections: int, gzip: bool = False) -> dict[str, float]:
    extra = ["-H", "Accept-Encoding: gzip"] if gzip else []
    if token:
        extra += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *extra,
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            raise RuntimeError(f"wrk output lacks the {label}% latency:\n{out}")
        return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} error responses from {url}")
    worst = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", out, re.M)
    max_ms = float(worst.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[worst.group(2)] if worst else float("nan")
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "max": max_ms}


async def httpx_load(
    url: str, token: str | None, seconds: int, connections: int, max_requests: int = 200_000
) -> dict[str, float]:
    """Fallback load loop: `connections` workers, stops at `seconds` or `max_requests`, whichever comes first."""
    lat: list[float] = []
    stop = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:

        async def worker() -> None:
            while time.perf_counter() < stop and len(lat) < max_requests:
                t = time.perf_counter()
                r = await client.get(url)
                r.raise_for_status()
                lat.append((time.perf_counter() - t) * 1e3)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.perf_counter() - t0
    lat.sort()
    return {
        "rps": len(lat) / wall,
        "p50": statistics.median(lat),
        "p99": lat[int(0.99 * (len(lat) - 1))],
        "max": lat[-1],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--allow-httpx", action="store_true", help="use the slow Python client when wrk is missing")
    args = ap.parse_args()
    if not shutil.which("wrk") and not args.allow_httpx:
        sys.exit(
            "bench_web: wrk is not installed. Run `make bench` (it installs Debian's wrk) or `apt-get install wrk`; "
            "--allow-httpx measures with a Python client that saturates near 500 req/s here."
        )
    home, temp = prepare_home()
    env = {**os.environ, "TANDEM_HOME": str(home), "TANDEM_LOG_LEVEL": "WARNING"}
    subprocess.run([TANDEM, "accounts", "seed-demo"], env=env, check=True, capture_output=True)
    port = free_port()
    log = (home / "bench-serve.log").open("w")
    server = subprocess.Popen(
        [TANDEM, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"tandem serve did not answer /healthz within 60 s; see {home / 'bench-serve.log'}")
        token = httpx.post(
            f"{base}/api/v1/auth/login", json={"username": "investor@demo.tandem", "password": "TandemDemo2025"}
        ).json()["access_token"]
        for path in ENDPOINTS.values():  # warm both workers (diagnosis builds its market table once per worker)
            for _ in range(6):
                httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=120).raise_for_status()
        tool = "wrk" if shutil.which("wrk") else "httpx-asyncio"

        def load(url: str, auth: str | None, gzip: bool = False) -> dict[str, float]:
            if tool == "wrk":
                return wrk(url, auth, args.seconds, args.connections, gzip=gzip)
            return asyncio.run(httpx_load(url, auth, args.seconds, args.connections))

        ceiling = load(f"{base}/healthz", None)
        print(f"{'client ceiling (/healthz)':30s} {ceiling['rps']:8.0f} req/s   p99 {ceiling['p99']:7.2f} ms ({tool})")
        rows = []
        for name, path in ENDPOINTS.items():
            res = load(base + path, token, gzip=name in GZIP)
            res["ceiling_share"] = res["rps"] / ceiling["rps"]
            rows.append((name, res))
            print(
                f"{name:30s} {res['rps']:8.0f} req/s   p50 {res['p50']:7.2f} ms   p99 {res['p99']:7.2f} ms   "
                f"max {res['max']:8.2f} ms   {100 * res['ceiling_share']:3.0f} % of the ceiling"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        if temp:
            shutil.rmtree(home, ignore_errors=True)
    if args.write_results:
        write_results(rows, tool, args, ceiling)


def write_results(
    rows: list[tuple[str, dict[str, float]]], tool: str, args: argparse.Namespace, ceiling: dict[str, float]
) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text:
        text = f"# Benchmark results\n\nMachine: {os.cpu_count()} cores (`nproc`), shared with other sessions.\n"
    section = [
        "## Web serving",
        "",
        f"Script: `benchmarks/bench_web.py`. `tandem serve` with 2 uvicorn workers on 127.0.0.1, bearer-authenticated "
        f"GETs for 600519.SH, loaded by {tool} ({args.connections} connections, {args.seconds} s per endpoint, "
        "after warm-up) on the same 2 cores as the server — the load generator takes CPU from the workers. "
        f"The same client against `/healthz` (no auth, no work) reached {ceiling['rps']:.0f} req/s (p99 "
        f"{ceiling['p99']:.2f} ms): the ceiling of client + plumbing here, shown as a share per row.",
        "",
        "| endpoint | requests/s | share of the /healthz ceiling | p50 ms | p99 ms | worst ms |",
        "|---|---|---|---|---|---|",
        *[
            f"| {n} | {r['rps']:.0f} | {100 * r['ceiling_share']:.0f} % | {r['p50']:.2f} | {r['p99']:.2f} | "
            f"{r['max']:.2f} |"
            for n, r in rows
        ],
        "",
    ]
    block = "\n".join(section)
    if "## Web serving" in text:
        start = text.index("## Web serving")
        nxt = text.find("\n## ", start + 1)
        text = text[:start] + block + (text[nxt + 1 :] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")
    print(f"wrote the Web serving section of {path}")


if __name__ == "__main__":
    sys.exit(main())
