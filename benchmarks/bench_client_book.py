"""The client book *page*: ``GET /advisor/clients`` rendered by the real app for an advisor with 2,000 clients.

SYNTHETIC book (the seeded generator of ``bench_advisor.py``: simulated clients with assessments, accepted plans,
simulated holdings, two watched stocks each, contacts), the app on a SQLite file database under a temporary home,
over the bundled real-data market sample (so today's diagnosis moves of the watched stocks are real). Measures the
whole request through the ASGI stack — authentication, the book service, the page's watchlist changes, Jinja
rendering of 50 rows, gzip — after one warm-up request. Goal: median < 300 ms.
Run: ``PYTHONPATH=src python benchmarks/bench_client_book.py [runs]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_advisor import populate
from tandem.advisor.access import Staff
from tandem.advisor.book import BookQuery, client_book
from tandem.core.settings import Settings
from tandem.identity import User, issue_token
from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore
from tandem.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "tandem" / "sample_data"
CLIENTS = 2_000


def main(runs: int = 40) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        import_paths(root / "market", [SAMPLE])
        settings = Settings(home=root / "home", secret_key="bench-client-book-secret-0123456789abcdef")
        app = create_app(settings, store=MarketStore.open(root / "market"))
        state = app.state.tandem
        with state.sessions() as db:
            (advisor_id,) = populate(db, advisors=1, per_advisor=CLIENTS)
            user = db.get(User, advisor_id)
            assert user is not None
            token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
        staff = Staff(user_id=advisor_id, role="advisor")
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/html", "Accept-Encoding": "gzip"}
        with TestClient(app) as client:
            first = client.get("/advisor/clients", headers=headers)
            if first.status_code != 200 or first.text.count("<tr data-client=") != 50:
                raise SystemExit(f"the book page did not render 50 rows: HTTP {first.status_code}")
            service = []
            for i in range(runs // 2):  # the book service alone, same pages: what the page adds on top of it
                start = time.perf_counter()
                with state.sessions() as db:
                    client_book(db, staff, query=BookQuery(page=1 + i % 40), changes=state.changes)
                service.append((time.perf_counter() - start) * 1000)
            times = []
            for i in range(runs):
                params = {"page": str(1 + i % 40)}  # walk the 40 pages of the book: each a different slice
                start = time.perf_counter()
                r = client.get("/advisor/clients", params=params, headers=headers)
                times.append((time.perf_counter() - start) * 1000)
                if r.status_code != 200:
                    raise SystemExit(f"page {params['page']}: HTTP {r.status_code}")
    times.sort()
    service.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    print(
        f"client book page, {CLIENTS:,} clients, 50 rows: median {statistics.median(times):.0f} ms, "
        f"p99 {p99:.0f} ms over {runs} requests (goal: median < 300 ms)"
    )
    print(f"  the book service alone (same pages, no HTTP, no template): median {statistics.median(service):.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
