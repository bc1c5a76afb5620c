"""Soak (issue 14 item 4): mixed investor and advisor journeys against `tandem serve` for ≥ 10 minutes.

`tandem serve` (2 workers) runs on loopback on a fresh TANDEM_HOME with the bundled sample and the demo accounts,
in one of two modes:

* ``embedded``: SQLite, in-process job queue and event bus, local compute;
* ``production``: PostgreSQL (``--database-url``, recreated empty first), Redis (``--redis-url``, that db index
  flushed first) and ``TANDEM_COMPUTE=ray`` against a Ray head this script starts on 127.0.0.1 and stops after.

locust (headless, ``benchmarks/soak_locustfile.py``) plays ``--users`` people (4 investors : 1 advisor) who log
in once and browse with 1–3 s between steps: a soak, not a flood. Each investor has a login of their own (extra
``soak-investor-NN`` accounts assigned to the demo advisor), so watchlist and backtest limits are per person as
in real use. Every 10 s the server's resident memory is read from /proc: the uvicorn master plus its workers (the
figure judged for growth) and, separately, any other descendants (backtest job processes come and go).
Printed: requests/s, p50/p99 per endpoint, the error count with the first messages (status and body), RSS at the
end of warm-up vs the end and the least-squares slope after warm-up. ``--out`` gets all of it as JSON, the RSS
series included; ``--write-results`` puts the mode's section into benchmarks/RESULTS.md.

The load generator runs on the same 2 cores as the server (and, here, beside other sessions): the load average
at start and end is recorded, and latencies are those of a shared machine.

Usage: .venv/bin/python benchmarks/bench_soak.py [--mode embedded|production] [--users 30] [--spawn-rate 0.25]
       [--run-time 600] [--warmup 180] [--out soak.json] [--write-results]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "benchmarks" / "soak_locustfile.py"
PASSWORD = "TandemDemo2025"
SOAK_LOGIN = "soak-investor-{:02d}@bench.tandem"
SAMPLE_EVERY_S = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tandem_cmd(*args: str) -> list[str]:
    """The CLI of this checkout (``src`` first on PYTHONPATH), whichever venv runs the script."""
    return [sys.executable, "-c", "from tandem.cli.main import main; main()", *args]


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# --- the server's memory, from /proc ---------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name in parentheses may hold spaces
        kids.setdefault(ppid, []).append(int(p.name))
    return kids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (a stalled worker that burns CPU is computing, an idle one waits)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_sample(master: int, t0: float) -> dict[str, Any]:
    """Master + uvicorn workers (spawned children, not multiprocessing's resource tracker) and everything else."""
    kids = _children_map()
    workers = [c for c in kids.get(master, []) if "spawn_main" in _cmdline(c) and "resource_tracker" not in _cmdline(c)]
    seen = {master, *workers}
    stack = list(kids.get(master, []))
    others: list[int] = []
    while stack:
        pid = stack.pop()
        stack.extend(kids.get(pid, []))
        if pid not in seen:
            others.append(pid)
    master_kb = _rss_kb(master)
    workers_kb = [_rss_kb(w) for w in workers]
    return {
        "t": round(time.monotonic() - t0, 1),
        "server_mb": round((master_kb + sum(workers_kb)) / 1024, 1),
        "master_mb": round(master_kb / 1024, 1),
        "workers_mb": [round(k / 1024, 1) for k in workers_kb],
        "workers_cpu_s": [round(_cpu_s(w), 1) for w in workers],
        "other_descendants_mb": round(sum(_rss_kb(p) for p in others) / 1024, 1),
        "other_descendants": len(others),
        "load": loadavg(),
    }


@dataclass
class Sampler:
    """Reads the server's RSS every SAMPLE_EVERY_S seconds on a thread until stopped."""

    master: int
    t0: float
    series: list[dict[str, Any]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.series.append(rss_sample(self.master, self.t0))
            self._stop.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        self._stop.set()
        self.series.append(rss_sample(self.master, self.t0))


# --- the two modes ---------------------------------------------------------------------------------------------


def reset_postgres(url: str) -> None:
    """An empty public schema in the soak's own database, so each run starts from a fresh install."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def reset_redis(url: str) -> None:
    """Flush only the db index named in the URL (the soak's own)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def start_ray(temp_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A one-node Ray head on loopback, in its own process group (stopped by :func:`stop_group`).

    Every port is a free one picked here, so the head never collides with other Ray clusters on the machine
    (test fixtures of other sessions use the defaults), and no `ray stop` is needed: that would stop theirs too.
    """
    port = free_port()
    ray = Path(sys.executable).with_name("ray")
    proc = subprocess.Popen(
        [
            str(ray),
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--node-ip-address=127.0.0.1",
            "--num-cpus=2",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={temp_dir}",
            f"--ray-client-server-port={free_port()}",
            f"--node-manager-port={free_port()}",
            f"--object-manager-port={free_port()}",
            f"--dashboard-port={free_port()}",
            f"--dashboard-agent-listen-port={free_port()}",
            f"--dashboard-agent-grpc-port={free_port()}",
            f"--metrics-export-port={free_port()}",
            f"--runtime-env-agent-port={free_port()}",
            f"--min-worker-port={free_port()}",
            "--max-worker-port=0",
        ],
        stdout=(temp_dir.parent / "ray-head.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"ray start --head exited with {proc.returncode}; see {temp_dir.parent / 'ray-head.log'}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(3)  # the GCS answers before the raylet has registered
            return proc, address
        except OSError:
            time.sleep(1)
    stop_group(proc)
    raise RuntimeError("the Ray head did not listen within 120 s")


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM to the process group this script started, SIGKILL after ``timeout``."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def seed_soak_investors(env: dict[str, str], n: int) -> list[str]:
    """``n`` investor logins of the soak's own, assigned to the demo advisor (after ``tandem accounts seed-demo``)."""
    os.environ.update(env)  # the settings below read TANDEM_* like the server does
    from tandem.advisor.access import Staff
    from tandem.advisor.assignments import assign_clients
    from tandem.core.db import make_engine, make_sessionmaker
    from tandem.core.settings import load_settings
    from tandem.identity import accounts, keys_for

    s = load_settings()
    engine = make_engine(s.sqlalchemy_url)
    logins = [SOAK_LOGIN.format(i) for i in range(1, n + 1)]
    try:
        keys = keys_for(s)
        with make_sessionmaker(engine)() as db:
            ops, adv = (accounts.find_user(db, keys, username=u) for u in ("ops@demo.tandem", "advisor@demo.tandem"))
            if ops is None or adv is None:
                raise RuntimeError("the demo accounts are missing: run `tandem accounts seed-demo` first")
            ids = []
            for i, login in enumerate(logins, 1):
                user = accounts.find_user(db, keys, username=login)
                if user is None:
                    user = accounts.create_user(
                        db, keys, username=login, password=PASSWORD, display_name=f"压测客户{i:02d}"
                    )
                ids.append(user.id)
            db.flush()
            assign_clients(
                db, Staff(user_id=ops.id, role="operations"), client_user_ids=ids, advisor_id=adv.id, reason="压测客户"
            )
            db.commit()
    finally:
        engine.dispose()
    return logins


# --- figures -----------------------------------------------------------------------------------------------------


def pct(sorted_ms: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    return sorted_ms[min(len(sorted_ms) - 1, max(0, math.ceil(q * len(sorted_ms)) - 1))]


def endpoint_table(samples: list[list[Any]], seconds: float, warm_until: float) -> list[dict[str, Any]]:
    """Per endpoint over the whole run, and the p99 of the requests that started after warm-up (epoch seconds)."""
    by: dict[str, list[tuple[float, bool, bool]]] = {}
    for method, name, start, ms, ok in samples:
        key = name if method in ("GET", "JOB") or " " in name else f"{name} {method}"
        by.setdefault(key, []).append((ms, ok, start >= warm_until))
    rows = []
    for name, rs in sorted(by.items(), key=lambda kv: -len(kv[1])):
        ms = sorted(m for m, _, _ in rs)
        late = sorted(m for m, _, after in rs if after)
        rows.append(
            {
                "endpoint": name,
                "requests": len(rs),
                "rps": round(len(rs) / seconds, 2),
                "p50_ms": round(pct(ms, 0.50), 1),
                "p99_ms": round(pct(ms, 0.99), 1),
                "max_ms": round(ms[-1], 1),
                "p99_after_warmup_ms": round(pct(late, 0.99), 1) if late else None,
                "errors": sum(1 for _, ok, _ in rs if not ok),
            }
        )
    return rows


def slope_per_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) in MB per minute."""
    if len(points) < 2:
        return float("nan")
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else float("nan")


def rss_summary(series: list[dict[str, Any]], locust_start: float, warmup: float) -> dict[str, Any]:
    after = [p for p in series if p["t"] >= locust_start + warmup]
    if not after:
        return {"note": "no sample after warm-up"}
    mb = [p["server_mb"] for p in after]
    return {
        "at_load_start_mb": next((p["server_mb"] for p in series if p["t"] >= locust_start), series[0]["server_mb"]),
        "warmup_end_mb": after[0]["server_mb"],
        "end_mb": after[-1]["server_mb"],
        "min_after_warmup_mb": min(mb),
        "max_after_warmup_mb": max(mb),
        "slope_mb_per_min_after_warmup": round(slope_per_min([(p["t"], p["server_mb"]) for p in after]), 3),
        "other_descendants_max_mb": max(p["other_descendants_mb"] for p in series),
        "samples_after_warmup": len(after),
    }


# --- the run -----------------------------------------------------------------------------------------------------


def wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"tandem serve exited with {server.returncode}; see {log}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"tandem serve did not answer /healthz within {timeout:.0f} s; see {log}")


def warm(base: str, investor: str, advisor: str) -> None:
    """The heavy first-use paths, 8 at a time so both workers build their caches before the load starts."""

    def token(username: str) -> dict[str, str]:
        r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=120)
        r.raise_for_status()
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    inv, adv = token(investor), token(advisor)
    investor_paths = (
        "/market", "/api/v1/market/home", "/market/stock/600519.SH", "/api/v1/stocks/600519.SH/diagnosis",
        "/api/v1/feed", "/news", "/wealth", "/quant", "/api/v1/notifications",
    )  # fmt: skip
    advisor_paths = ("/advisor/clients", "/api/v1/advisor/clients", "/advisor/tasks", "/advisor/send")
    paths = [(inv, p) for p in investor_paths] + [(adv, p) for p in advisor_paths]

    def get(item: tuple[dict[str, str], str]) -> None:
        httpx.get(base + item[1], headers=item[0], timeout=300).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, paths * 6))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("embedded", "production"), default="embedded")
    ap.add_argument("--users", type=int, default=30)
    ap.add_argument("--spawn-rate", type=float, default=0.25, help="users per second (the login limit is 20/min)")
    ap.add_argument("--run-time", type=int, default=600, help="seconds of load, ramp-up included (≥ 600 for a soak)")
    ap.add_argument("--warmup", type=int, default=180, help="seconds from load start not judged for RSS growth")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--database-url",
        default=os.environ.get("TANDEM_SOAK_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_soak"),
        help="production mode: a database of the soak's own; its public schema is dropped and recreated",
    )
    ap.add_argument(
        "--redis-url",
        default=os.environ.get("TANDEM_SOAK_REDIS_URL", "redis://127.0.0.1:6379/8"),
        help="production mode: a Redis db index of the soak's own; it is flushed first",
    )
    ap.add_argument("--out", type=Path, default=None, help="JSON with every figure and the RSS series")
    ap.add_argument("--write-results", action="store_true")
    ap.add_argument("--keep-home", action="store_true")
    ap.add_argument("--results-from", type=Path, default=None, help="write RESULTS.md from a saved --out JSON, no run")
    ap.add_argument("--results-label", default=None, help="the RESULTS.md subsection title (default: the mode)")
    args = ap.parse_args()
    if args.results_from:
        write_results(json.loads(args.results_from.read_text(encoding="utf-8")), args.results_label)
        return 0

    home = Path(tempfile.mkdtemp(prefix=f"tandem-soak-{args.mode}-"))
    env = {
        **os.environ,
        "TANDEM_HOME": str(home),
        "TANDEM_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    for k in ("TANDEM_DATABASE_URL", "TANDEM_REDIS_URL", "TANDEM_COMPUTE", "TANDEM_RAY_ADDRESS"):
        env.pop(k, None)
    ray_proc: subprocess.Popen[bytes] | None = None
    server: subprocess.Popen[bytes] | None = None
    result: dict[str, Any] = {
        "mode": args.mode,
        "machine": {
            "cpus": os.cpu_count(),
            "cpu": _cpu_model(),
            "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
        },
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "run_time_s": args.run_time,
        "warmup_s": args.warmup,
        "workers": args.workers,
        "commit": _commit(),
    }
    try:
        if args.mode == "production":
            reset_postgres(args.database_url)
            reset_redis(args.redis_url)
            ray_proc, ray_address = start_ray(home / "ray")
            env |= {
                "TANDEM_DATABASE_URL": args.database_url,
                "TANDEM_REDIS_URL": args.redis_url,
                "TANDEM_COMPUTE": "ray",
                "TANDEM_RAY_ADDRESS": ray_address,
            }
            result["ray_address"] = ray_address
        print(f"soak [{args.mode}]: home {home}; importing the bundled sample, seeding accounts", flush=True)
        subprocess.run(
            tandem_cmd("data", "import", str(ROOT / "src" / "tandem" / "sample_data")),
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(tandem_cmd("accounts", "seed-demo"), env=env, check=True, capture_output=True)
        investors = max(1, round(args.users * 4 / 5))
        logins = seed_soak_investors(env, investors)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = home / "soak-serve.log"
        server = subprocess.Popen(
            tandem_cmd("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)),
            env=env,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        t0 = time.monotonic()
        wait_healthy(base, server, log_path)
        warm(base, logins[0], "advisor@demo.tandem")
        sampler = Sampler(server.pid, t0)
        sampler.start()
        time.sleep(SAMPLE_EVERY_S)  # one sample of the idle, warmed server before load
        samples_path = home / "locust-samples.json"
        result["load_start"] = loadavg()
        locust_start = time.monotonic() - t0
        locust_epoch = time.time()
        print(
            f"soak [{args.mode}]: {args.users} users at {args.spawn_rate}/s for {args.run_time} s against {base} "
            f"(load average {result['load_start']})",
            flush=True,
        )
        locust = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--host",
                base,
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{args.run_time}s",
                "--stop-timeout",
                "10",
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            env=env
            | {
                "SOAK_INVESTORS": ",".join(logins),
                "SOAK_ADVISOR": "advisor@demo.tandem",
                "SOAK_PASSWORD": PASSWORD,
                "SOAK_SAMPLES": str(samples_path),
            },
            capture_output=True,
            text=True,
        )
        locust_seconds = time.monotonic() - t0 - locust_start
        sampler.stop()
        result["load_end"] = loadavg()
        if locust.returncode != 0 or not samples_path.exists():
            raise RuntimeError(f"locust failed ({locust.returncode}):\n{locust.stderr[-4000:]}")
        data = json.loads(samples_path.read_text())
        samples = data["samples"]
        result["duration_s"] = round(locust_seconds, 1)
        result["requests"] = len(samples)
        result["rps"] = round(len(samples) / locust_seconds, 2)
        result["error_count"] = data["error_count"]
        result["first_errors"] = data["errors"][:10]
        result["endpoints"] = endpoint_table(samples, locust_seconds, locust_epoch + args.warmup)
        result["rss_series"] = sampler.series
        result["rss"] = rss_summary(sampler.series, locust_start, args.warmup)
        result["server_log_tail"] = log_path.read_text(errors="replace")[-3000:]
        report(result)
    finally:
        if server is not None:
            stop_group(server)
        if ray_proc is not None:
            stop_group(ray_proc)
        if not args.keep_home:
            shutil.rmtree(home, ignore_errors=True)
    if args.out:
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {args.out}")
    if args.write_results:
        write_results(result)
    return 0


def _commit() -> str:
    """The checkout's commit (with ``+dirty`` when src/ has uncommitted changes): which code the figures are of."""
    git = ["git", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def report(r: dict[str, Any]) -> None:
    print(
        f"\n{r['mode']}: {r['requests']} requests in {r['duration_s']} s = {r['rps']} req/s, "
        f"{r['error_count']} errors; load average {r['load_start']} → {r['load_end']}"
    )
    print(
        f"{'endpoint':52s} {'n':>6s} {'req/s':>7s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} "
        f"{'p99 warm':>8s} {'err':>4s}"
    )
    for e in r["endpoints"]:
        print(
            f"{e['endpoint'][:52]:52s} {e['requests']:6d} {e['rps']:7.2f} {e['p50_ms']:8.1f} {e['p99_ms']:8.1f} "
            f"{e['max_ms']:8.1f} {e['p99_after_warmup_ms'] or float('nan'):8.1f} {e['errors']:4d}"
        )
    for err in r["first_errors"]:
        print(f"  error: {err['method']} {err['name']} → {err['status']} {err['exception']} {err['body'][:200]!r}")
    rss = r["rss"]
    print(
        f"server RSS (master + workers): {rss.get('at_load_start_mb')} MB at load start, {rss.get('warmup_end_mb')} MB "
        f"at warm-up end, {rss.get('end_mb')} MB at the end (min {rss.get('min_after_warmup_mb')}, max "
        f"{rss.get('max_after_warmup_mb')}); slope after warm-up {rss.get('slope_mb_per_min_after_warmup')} MB/min"
    )


def write_results(r: dict[str, Any], label: str | None = None) -> None:
    """Replace this mode's (or ``label``'s) part of the "Soak (issue 14 item 4)" section of RESULTS.md."""
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    head = "## Soak (issue 14 item 4)"
    if head not in text:
        text = text.rstrip("\n") + f"\n\n{head}\n\n" + _intro() + "\n"
    m, rss = r["machine"], r["rss"]
    series = ", ".join(f"{p['server_mb']:.0f}" for p in r["rss_series"][:: max(1, len(r["rss_series"]) // 30)])
    lines = [
        f"### {label or r['mode']}",
        "",
        f"{m['cpus']}-core {m['cpu']}, {m['mem_gib']} GiB, Python {m['python']}; load average "
        f"{' / '.join(map(str, r['load_start']))} at start, {' / '.join(map(str, r['load_end']))} at the end "
        f"(shared with other sessions). {r['users']} users (4 investors : 1 advisor), spawned at "
        f"{r['spawn_rate']}/s, "
        f"{r['duration_s']:.0f} s of load, {r['workers']} workers"
        + (f", Ray head at {r['ray_address']}" if r["mode"] == "production" else "")
        + f", code at {r.get('commit', 'unknown')}: "
        f"**{r['requests']} requests, {r['rps']} req/s, {r['error_count']} errors**.",
        "",
        "| endpoint | requests | req/s | p50 ms | p99 ms | max ms | p99 ms after warm-up | errors |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| `{e['endpoint']}` | {e['requests']} | {e['rps']} | {e['p50_ms']} | {e['p99_ms']} | {e['max_ms']} | "
            f"{e['p99_after_warmup_ms']} | {e['errors']} |"
            for e in r["endpoints"]
        ],
        "",
        f"Server RSS (uvicorn master + {r['workers']} workers, every 10 s): {rss.get('at_load_start_mb')} MB "
        f"when the load started, {rss.get('warmup_end_mb')} MB at the end of the {r['warmup_s']} s warm-up, "
        f"{rss.get('end_mb')} MB at the end; after warm-up min {rss.get('min_after_warmup_mb')}, max "
        f"{rss.get('max_after_warmup_mb')} MB, least-squares slope {rss.get('slope_mb_per_min_after_warmup')} "
        f"MB/min. Other descendants (backtest job processes) peaked at {rss.get('other_descendants_max_mb')} MB. "
        f"Series (MB, every ~{SAMPLE_EVERY_S * max(1, len(r['rss_series']) // 30):.0f} s): {series}.",
        "",
    ]
    if r["first_errors"]:
        lines += ["First errors:", ""]
        lines += [
            f"- {e['method']} `{e['name']}` → {e['status']}: {(e['body'] or e['exception'])[:160]!r}"
            for e in r["first_errors"]
        ]
        lines.append("")
    block = "\n".join(lines)
    start = text.index(head)
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else len(text)]
    sub = f"\n### {label or r['mode']}\n"  # the whole heading line: "### embedded" is not "### embedded, run 1"
    if sub in section:
        s0 = section.index(sub) + 1
        s1 = section.find("\n### ", s0)
        section = section[:s0] + block + (section[s1 + 1 :] if s1 != -1 else "")
    else:
        section = section.rstrip("\n") + "\n\n" + block
    text = text[:start] + section.rstrip("\n") + "\n" + (text[end:] if end != -1 else "")
    path.write_text(text, encoding="utf-8")
    print(f"wrote the {r['mode']} part of the soak section of {path}")


def _intro() -> str:
    return (
        "Script: `benchmarks/bench_soak.py` with `benchmarks/soak_locustfile.py` (locust, headless). `tandem serve` "
        "on 127.0.0.1 on a fresh home with the bundled sample and the demo accounts; simulated people log in once "
        "and browse with 1–3 s between steps. Investors: home, search, a stock page with quote, K-line and "
        "diagnosis, the diagnosis page, 资讯 feed, watchlist add/list/remove, the 财富 questionnaire → plan, a small "
        "backtest submitted and polled every 2 s, notifications, 我的. Advisors: client book, one client's page, "
        "tasks, the send form (approved library items, preview for one client). Every status ≥ 400 counts as an "
        "error. Percentiles are nearest-rank over every request of the run (ramp-up included). locust shares the "
        "2 cores with the server."
    )


if __name__ == "__main__":
    sys.exit(main())
