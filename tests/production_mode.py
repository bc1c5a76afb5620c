"""Production mode for the test suite: ``TANDEM_TEST_MODE=production`` puts every app a test builds on PostgreSQL,
Redis and a two-node Ray cluster, through the same ``TANDEM_*`` variables a deployment sets (docs/deploy.md).

Nothing in a test changes: ``Settings(home=...)`` reads ``TANDEM_DATABASE_URL``, ``TANDEM_REDIS_URL``,
``TANDEM_COMPUTE`` and ``TANDEM_RAY_ADDRESS`` from the environment, and these fixtures set them.

Isolation mirrors the embedded run, where every fresh data home is a fresh SQLite file:

- each test module gets its own PostgreSQL schema (its module-scoped apps and live servers keep their state across
  the module's tests, as they keep one data home);
- each test gets one session-wide schema, migrated once and truncated before every test (0.05 s against 0.25 s for
  a fresh schema with the migrations, measured on the 2-core test machine);
- the Redis database is flushed before every module and every test (streams are keyed by user id, and ids restart
  with every truncated schema);
- the Ray cluster (a head and a second node on loopback, one CPU each) is started once for the session.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

MODE_VARIABLE = "TANDEM_TEST_MODE"
REPO = Path(__file__).resolve().parents[1]
RAY_NODES = 2
RAY_START_TIMEOUT = 120.0
RAY_START_ATTEMPTS = 3


def production_mode() -> bool:
    """Whether this run is the production pass (``TANDEM_TEST_MODE=production``); anything else but unset refuses."""
    mode = os.environ.get(MODE_VARIABLE, "embedded").strip().lower() or "embedded"
    if mode not in ("embedded", "production"):
        raise pytest.UsageError(f"{MODE_VARIABLE}={mode!r}: use 'production' or leave it unset (embedded)")
    return mode == "production"


def require_production_services() -> None:
    """In production mode both service URLs and Ray must be there: a missing service fails the run, never skips."""
    if not production_mode():
        return
    missing = [v for v in ("TANDEM_TEST_DATABASE_URL", "TANDEM_TEST_REDIS_URL") if not os.environ.get(v)]
    if missing:
        raise pytest.UsageError(
            f"{MODE_VARIABLE}=production needs {' and '.join(missing)} (PostgreSQL and Redis to run the app on)"
        )
    if not _ray_cli().exists():
        raise pytest.UsageError(f"{MODE_VARIABLE}=production needs Ray: {_ray_cli()} is missing (.[ray] extra)")


def _ray_cli() -> Path:
    return Path(sys.executable).with_name("ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _schema_url(base: str, schema: str) -> str:
    """``base`` with ``search_path`` set to ``schema``, which is also the application name (to find its backends)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}"


class Schemas:
    """Throwaway schemas in the PostgreSQL test database, each named after this run so runs cannot collide."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.run = uuid.uuid4().hex[:8]
        self.admin: Engine = create_engine(base_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")

    def create(self, label: str) -> tuple[str, str]:
        """A new empty schema: its name and the URL whose connections use it."""
        schema = f"pm_{self.run}_{label}_{uuid.uuid4().hex[:6]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        return schema, _schema_url(self.base_url, schema)

    def _disconnect(self, conn: Connection, schema: str) -> None:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = :s AND pid <> pg_backend_pid()"
            ),
            {"s": schema},
        )

    def truncate(self, schema: str) -> None:
        """Empty every table but Alembic's, ids restarting at 1 like a fresh DB; apps of earlier tests lose their
        pooled connections first (an idle-in-transaction one would otherwise block the truncate)."""
        with self.admin.connect() as conn:
            self._disconnect(conn, schema)
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename <> 'alembic_version'"),
                {"s": schema},
            ).scalars()
            names = ", ".join(f'"{schema}"."{t}"' for t in tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def drop(self, schema: str) -> None:
        with self.admin.connect() as conn:
            self._disconnect(conn, schema)
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    def drop_all(self) -> None:
        """Drop whatever this run left (a module whose teardown was interrupted)."""
        with self.admin.connect() as conn:
            left = conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": f"pm_{self.run}_%"}
            ).scalars()
            for schema in list(left):
                self._disconnect(conn, schema)
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.admin.dispose()


class RayCluster:
    """A head and a worker node started with ``ray start`` on loopback, files under a private temp dir.

    Each ``ray start --block`` runs in its own process group, so teardown signals exactly the processes this
    fixture started (``ray stop`` would also stop any other Ray on the machine); leftovers whose command line names
    the private temp dir are killed by pid.
    """

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="tray", dir="/tmp"))  # short: Ray's socket paths must fit 107 bytes
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen[bytes]] = []
        self.names: list[str] = []

    def _start_node(self, name: str, role: list[str]) -> None:
        ports = ["--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
                 "--dashboard-agent-grpc-port", "--runtime-env-agent-port", "--metrics-export-port"]  # fmt: skip
        cmd = [str(_ray_cli()), "start", *role, "--num-cpus", "1", "--object-store-memory", str(100 * 2**20),
               "--node-ip-address", "127.0.0.1", "--disable-usage-stats", "--block"]  # fmt: skip
        for flag in ports:
            cmd += [flag, str(_free_port())]
        src = str(REPO / "src")
        env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
        env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])])
        self.names.append(name)
        with (self.tmp / f"{name}.log").open("wb") as log:
            self.procs.append(
                subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            )

    def _log_tail(self) -> str:
        return " | ".join(
            f"{p.name}: {p.read_text(errors='replace').strip().splitlines()[-3:]}" for p in self.tmp.glob("*.log")
        )

    def start(self) -> None:
        """Start both nodes and wait until the cluster reports two live nodes."""
        head = ["--head", "--port", str(self.port), "--temp-dir", str(self.tmp), "--include-dashboard", "false",
                "--ray-client-server-port", str(_free_port())]  # fmt: skip
        self._start_node("head", head)
        deadline = time.monotonic() + RAY_START_TIMEOUT
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                break
            self._check(deadline, "the head's GCS to listen")
            time.sleep(0.2)
        self._start_node("worker", ["--address", self.address])
        probe = (
            "import ray, sys; ray.init(address=sys.argv[1], log_to_driver=False); "
            "print(sum(1 for n in ray.nodes() if n['Alive']))"
        )
        while True:
            out = subprocess.run(
                [sys.executable, "-c", probe, self.address], capture_output=True, text=True, timeout=120, check=False
            )
            if out.stdout.strip().splitlines()[-1:] == [str(RAY_NODES)]:
                return
            self._check(deadline, f"{RAY_NODES} live Ray nodes")
            time.sleep(1.0)

    def _check(self, deadline: float, what: str) -> None:
        dead = [name for name, p in zip(self.names, self.procs, strict=True) if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            reason = f"ray start exited ({dead})" if dead else f"timed out after {RAY_START_TIMEOUT:.0f} s"
            raise RuntimeError(f"waiting for {what}: {reason}; logs under {self.tmp}: {self._log_tail()}")

    def stop(self) -> None:
        """SIGTERM both process groups, SIGKILL what is left after 5 s and any stray process of this cluster."""
        for p in reversed(self.procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for p in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        stray = subprocess.run(["pgrep", "-f", str(self.tmp)], capture_output=True, text=True, check=False)
        for pid in stray.stdout.split():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def start_ray_cluster(first: RayCluster, attempts: int = RAY_START_ATTEMPTS) -> RayCluster:
    """Start ``first``, or fresh clusters on fresh ports after a failed start (a port taken between choosing and
    binding it by another Ray on a shared machine made a worker join a stranger's cluster); the last error raises."""
    cluster = first
    for attempt in range(1, attempts + 1):
        try:
            cluster.start()
            return cluster
        except RuntimeError as exc:
            sys.stderr.write(f"Ray cluster start {attempt}/{attempts} failed: {exc}\n")
            cluster.stop()
            if attempt == attempts:
                raise
            cluster = RayCluster()
    return cluster


class Environment:
    """Set ``TANDEM_*`` variables for a scope and put the previous values back afterwards."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def set(self, name: str, value: str) -> None:
        self._saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved.clear()


class Production:
    """What the session fixture hands the narrower ones: the schemas, the per-test schema, Redis."""

    def __init__(self, schemas: Schemas, test_schema: str, test_url: str, redis_url: str) -> None:
        self.schemas = schemas
        self.test_schema = test_schema
        self.test_url = test_url
        self.redis_url = redis_url

    def flush_redis(self) -> None:
        from redis import Redis

        client = Redis.from_url(self.redis_url)
        try:
            client.flushdb()
        finally:
            client.close()


@pytest.fixture(scope="session", autouse=True)
def production_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production | None]:
    """Production mode: the Ray cluster up, ``TANDEM_REDIS_URL``/``TANDEM_COMPUTE``/``TANDEM_RAY_ADDRESS`` set, the
    per-test schema migrated; all stopped and dropped at the end, also after failures. Embedded: nothing."""
    if not production_mode():
        yield None
        return
    from tandem.core.settings import Settings
    from tandem.migrations.migrate import migrate_app_db

    env = Environment()
    # Token auth for the nodes and every driver: a private cluster, and a ~/.ray/auth_token another Ray user of the
    # machine generated can no longer make the second node fail to join (it did, with auth disabled).
    env.set("RAY_AUTH_MODE", "token")
    env.set("RAY_AUTH_TOKEN", secrets.token_hex(32))
    schemas = Schemas(os.environ["TANDEM_TEST_DATABASE_URL"])
    cluster = RayCluster()
    try:
        cluster = start_ray_cluster(cluster)
        test_schema, test_url = schemas.create("test")
        migrate_app_db(Settings(home=tmp_path_factory.mktemp("migrate-home"), database_url=test_url))
        redis_url = os.environ["TANDEM_TEST_REDIS_URL"]
        env.set("TANDEM_REDIS_URL", redis_url)
        env.set("TANDEM_COMPUTE", "ray")
        env.set("TANDEM_RAY_ADDRESS", cluster.address)
        yield Production(schemas, test_schema, test_url, redis_url)
    finally:
        env.restore()
        with contextlib.suppress(ImportError):
            import ray

            if ray.is_initialized():
                ray.shutdown()
        cluster.stop()
        schemas.drop_all()


@pytest.fixture(scope="module", autouse=True)
def production_database_per_module(production_services: Production | None) -> Iterator[None]:
    """Production mode: ``TANDEM_DATABASE_URL`` is this module's own schema while its module-scoped apps start."""
    if production_services is None:
        yield
        return
    schema, url = production_services.schemas.create("module")
    production_services.flush_redis()
    env = Environment()
    env.set("TANDEM_DATABASE_URL", url)
    try:
        yield
    finally:
        env.restore()
        production_services.schemas.drop(schema)


@pytest.fixture(autouse=True)
def production_database_per_test(production_services: Production | None) -> Iterator[None]:
    """Production mode: ``TANDEM_DATABASE_URL`` is the emptied per-test schema during each test, Redis flushed."""
    if production_services is None:
        yield
        return
    production_services.schemas.truncate(production_services.test_schema)
    production_services.flush_redis()
    env = Environment()
    env.set("TANDEM_DATABASE_URL", production_services.test_url)
    try:
        yield
    finally:
        env.restore()
