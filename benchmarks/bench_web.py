"""Web serving benchmark: `tandem serve` on loopback, loaded by wrk, with the core budget stated and enforced.

Endpoints: quote, K-line bars (one year, qfq, with MAs) and diagnosis of 600519.SH, and the demo investor's 资讯
feed, authenticated with a bearer token. The core budget is part of every figure: ``--server-cpus`` and
``--client-cpus`` pin the server's workers and wrk with ``taskset`` (e.g. the server on CPU 0, wrk on CPU 1 of this
2-core machine); without them both float over every core and wrk takes CPU from the workers. The budget is printed
first and written with the results.
Right before every row the same client is pointed at ``/healthz`` (no auth, no work): that rate is the ceiling of
client + server plumbing at that moment, printed beside the row so a row near it says "limited by the client", not
"this fast". wrk is installed by ``make bench``; a Python client topped out at 400–550 req/s here and measured
itself, so without wrk the script stops and says how to get it (``--allow-httpx`` runs the slow client anyway).
``--src DIR`` (repeatable) serves another tree's ``src/`` (e.g. a worktree of the commit before a change), and
``--rounds N`` alternates the trees N times, so before and after are measured in one run under the same load.

Usage: python benchmarks/bench_web.py [--seconds 10] [--connections 16] [--workers 2] [--server-cpus 0]
       [--client-cpus 1] [--wrk-threads 2] [--src DIR ...] [--rounds 1] [--only quote,K-line,diagnosis]
       [--write-results] [--allow-httpx]
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
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
_VENV_TANDEM = ROOT / ".venv" / "bin" / "tandem"
TANDEM = str(
    _VENV_TANDEM if _VENV_TANDEM.exists() else Path(sys.executable).parent / "tandem"
)  # a worktree has no .venv
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
        env={**os.environ, "TANDEM_HOME": str(home), "PYTHONPATH": str(ROOT / "src")},
        check=True,
        capture_output=True,
    )
    return home, True


def wrk(
    url: str,
    token: str | None,
    seconds: int,
    connections: int,
    gzip: bool = False,
    threads: int = 2,
    cpus: str | None = None,
) -> dict[str, float]:
    extra = ["-H", "Accept-Encoding: gzip"] if gzip else []
    if token:
        extra += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(
        pinned(cpus, ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url]),
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
    done = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} error responses from {url}")
    worst = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", out, re.M)
    max_ms = float(worst.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[worst.group(2)] if worst else float("nan")
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "max": max_ms, "requests": done}


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


@dataclass
class Budget:
    """Who gets which cores: the server's workers and the load generator, pinned with ``taskset`` when given."""

    workers: int
    server_cpus: str | None
    client_cpus: str | None
    wrk_threads: int

    def describe(self) -> str:
        """One line for the output and RESULTS.md."""
        server = f"CPUs {self.server_cpus}" if self.server_cpus else "any CPU"
        client = f"CPUs {self.client_cpus}" if self.client_cpus else "any CPU"
        shared = (
            "separate cores"
            if self.server_cpus
            and self.client_cpus
            and not set(self.server_cpus.split(",")) & set(self.client_cpus.split(","))
            else "shared cores"
        )
        return (
            f"server: `tandem serve --workers {self.workers}` on {server}; client: wrk -t{self.wrk_threads} on "
            f"{client} ({shared}; {os.cpu_count()} CPUs in the machine)"
        )


def pinned(cpus: str | None, argv: list[str]) -> list[str]:
    """``argv`` under ``taskset -c cpus`` when a CPU list is given."""
    return ["taskset", "-c", cpus, *argv] if cpus else argv


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of process ``root`` and all its descendants (the server and its workers).

    On a machine shared with other jobs the request rate measures the neighbours as much as the server; requests
    per CPU-second of the server itself is what one dedicated core would serve (before the kernel's share).
    """
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(ticks.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def load_avg() -> str:
    """The 1-minute load average (other sessions share the machine)."""
    return f"{os.getloadavg()[0]:.1f}"


def start_server(
    src: Path | None, env: dict[str, str], budget: Budget, home: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """``tandem serve`` of the tree at ``src`` (its PYTHONPATH), once it answers /healthz."""
    port = free_port()
    run_env = {**env, "PYTHONPATH": str(src)}
    log = (home / f"bench-serve-{port}.log").open("w")
    server = subprocess.Popen(
        pinned(
            budget.server_cpus,
            [TANDEM, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(budget.workers)],
        ),
        env=run_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # a loaded shared machine starts slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"tandem serve did not answer /healthz within 300 s; see {log.name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--server-cpus", help="pin the server to these CPUs (taskset list, e.g. 0)")
    ap.add_argument("--client-cpus", help="pin wrk to these CPUs (e.g. 1): the load generator's own core budget")
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument(
        "--src",
        action="append",
        type=Path,
        help="serve the tree at this src/ dir (PYTHONPATH); repeat to compare trees, alternated per round",
    )
    ap.add_argument("--rounds", type=int, default=1, help="measure every tree this many times, alternating")
    ap.add_argument("--only", help="comma-separated endpoint names to measure (default: all)")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--allow-httpx", action="store_true", help="use the slow Python client when wrk is missing")
    args = ap.parse_args()
    if not shutil.which("wrk") and not args.allow_httpx:
        sys.exit(
            "bench_web: wrk is not installed. Run `make bench` (it installs Debian's wrk) or `apt-get install wrk`; "
            "--allow-httpx measures with a Python client that saturates near 500 req/s here."
        )
    budget = Budget(args.workers, args.server_cpus, args.client_cpus, args.wrk_threads)
    wanted = set(args.only.split(",")) if args.only else None
    endpoints = {n: p for n, p in ENDPOINTS.items() if wanted is None or n.split(" ")[0].rstrip(",") in wanted}
    trees: list[Path] = list(args.src) if args.src else [ROOT / "src"]  # default: the tree this script is in
    home, temp = prepare_home()
    env = {**os.environ, "TANDEM_HOME": str(home), "TANDEM_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([TANDEM, "accounts", "seed-demo"], env=env, check=True, capture_output=True)
    tool = "wrk" if shutil.which("wrk") else "httpx-asyncio"
    print(f"budget: {budget.describe()}; {args.connections} connections, {args.seconds} s per row; load {load_avg()}")

    def load(url: str, auth: str | None, gzip: bool = False) -> dict[str, float]:
        if tool == "wrk":
            return wrk(
                url,
                auth,
                args.seconds,
                args.connections,
                gzip=gzip,
                threads=budget.wrk_threads,
                cpus=budget.client_cpus,
            )
        return asyncio.run(httpx_load(url, auth, args.seconds, args.connections))

    rows: list[tuple[str, dict[str, float]]] = []
    try:
        for rnd in range(args.rounds):
            for src in trees:
                label = f"{src.parent.name} r{rnd + 1}"
                server, base = start_server(src, env, budget, home)
                try:
                    token = httpx.post(
                        f"{base}/api/v1/auth/login",
                        json={"username": "investor@demo.tandem", "password": "TandemDemo2025"},
                    ).json()["access_token"]
                    for path in endpoints.values():  # warm every worker (diagnosis builds its table once per worker)
                        for _ in range(6 * budget.workers):
                            httpx.get(
                                base + path, headers={"Authorization": f"Bearer {token}"}, timeout=120
                            ).raise_for_status()
                    for name, path in endpoints.items():
                        cpu0 = tree_cpu_seconds(server.pid)
                        ceiling = load(f"{base}/healthz", None)  # the client's own ceiling, right beside the row
                        cpu1 = tree_cpu_seconds(server.pid)
                        res = load(base + path, token, gzip=name in GZIP)
                        cpu2 = tree_cpu_seconds(server.pid)
                        res["per_cpu_s"] = res.get("requests", 0.0) / max(cpu2 - cpu1, 1e-9)
                        res["ceiling_per_cpu_s"] = ceiling.get("requests", 0.0) / max(cpu1 - cpu0, 1e-9)
                        res["ceiling"] = ceiling["rps"]
                        res["ceiling_p99"] = ceiling["p99"]
                        res["ceiling_share"] = res["rps"] / ceiling["rps"]
                        res["load"] = os.getloadavg()[0]
                        rows.append((f"{label} {name}", res))
                        print(
                            f"{label:14s} {name:34s} {res['rps']:7.0f} req/s  p50 {res['p50']:6.2f}  "
                            f"p99 {res['p99']:6.2f}  max {res['max']:7.2f} ms | /healthz {ceiling['rps']:6.0f} req/s "
                            f"p99 {ceiling['p99']:5.2f} ms ({100 * res['ceiling_share']:3.0f} %) | per server CPU-s "
                            f"{res['per_cpu_s']:5.0f} (/healthz {res['ceiling_per_cpu_s']:5.0f}) | load {load_avg()}",
                            flush=True,
                        )
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    finally:
        if temp:
            shutil.rmtree(home, ignore_errors=True)
    if args.write_results:
        write_results(rows, tool, args, budget)


def write_results(
    rows: list[tuple[str, dict[str, float]]], tool: str, args: argparse.Namespace, budget: Budget
) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text:
        text = f"# Benchmark results\n\nMachine: {os.cpu_count()} cores (`nproc`), shared with other sessions.\n"
    section = [
        "## Web serving",
        "",
        f"Script: `benchmarks/bench_web.py`. Bearer-authenticated GETs for 600519.SH on 127.0.0.1, loaded by {tool} "
        f"({args.connections} connections, {args.seconds} s per row, after warm-up). Core budget: {budget.describe()}. "
        "Before every row the same client is pointed at `/healthz` (no auth, no work): that rate is the ceiling of "
        "client + plumbing at that moment, shown beside the row.",
        "",
        "| tree, round, endpoint | req/s | /healthz req/s | share | p50 ms | p99 ms | worst ms | req per server "
        "CPU-s (/healthz) | load |",
        "|---|---|---|---|---|---|---|---|---|",
        *[
            f"| {n} | {r['rps']:.0f} | {r['ceiling']:.0f} | {100 * r['ceiling_share']:.0f} % | {r['p50']:.2f} | "
            f"{r['p99']:.2f} | {r['max']:.2f} | {r['per_cpu_s']:.0f} ({r['ceiling_per_cpu_s']:.0f}) | {r['load']:.1f} |"
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
