"""Fixtures for the web tests: an app on a temp SQLite DB over the bundled sample store, clients, and users.

The browser journeys (marked ``browser``) share a live server, Debian's chromium and a phone-sized context from here.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tandem.core.settings import Settings
from tandem.marketdata.store import MarketStore

with warnings.catch_warnings():  # starlette deprecates httpx-backed TestClient in favour of httpx2 (not installed)
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from fastapi import FastAPI

from tandem.web.app import create_app

PASSWORD = "Correct-horse-42"


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    """Fresh data home with a fixed secret, so tests do not depend on a key file."""
    return Settings(home=tmp_path / "home", secret_key="test-secret-key-0123456789abcdef-0123456789")


@pytest.fixture
def app(web_settings: Settings, sample_store: MarketStore) -> FastAPI:
    """The real app, on a temp SQLite DB, over the bundled real-data sample."""
    return create_app(web_settings, store=sample_store)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous client (errors are returned as responses, never raised)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def pg_schema_url(postgres_url: str) -> Iterator[str]:
    """A throwaway schema in the real PostgreSQL test database (dropped afterwards), so runs cannot collide."""
    schema = f"web_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_user(app: FastAPI) -> Callable[..., dict[str, str]]:
    """Create an account directly through the service and return a bearer header for it."""
    from tandem.identity import issue_token
    from tandem.identity.accounts import create_user

    state = app.state.tandem

    def make(username: str, role: str = "investor") -> dict[str, str]:
        with state.sessions() as db:
            user = create_user(db, state.keys, username=username, password=PASSWORD, role=role)  # type: ignore[arg-type]
            db.commit()
            token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def alice(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    """An investor's bearer header."""
    return make_user("alice@example.com")


@pytest.fixture
def bob(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    """A second investor's bearer header."""
    return make_user("13812345678")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
JOURNEY_PASSWORD = "Journey-pass-2025"


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory, sample_store: MarketStore) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port, lifespan on (the backtest job service runs in it).

    Module-scoped: one server, on its own fresh data home, for all the journeys of a test module.
    """
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: apt-get install -y chromium (make test does this as root)")
    import uvicorn

    home = tmp_path_factory.mktemp("web-live")
    live = create_app(Settings(home=home, secret_key="browser-test-secret-0123456789abcdef"), store=sample_store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(live, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser(live_url: str) -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def new_phone(browser: Any) -> Callable[[], Any]:
    """Open a fresh browser context the size of a phone (390×844 CSS px at 2×), Chinese locale."""

    def make() -> Any:
        return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN")

    return make


@pytest.fixture(scope="module")
def signup(live_url: str) -> Callable[..., None]:
    """Sign a new investor up through the form; waits until the app has moved on from the sign-up page."""

    def sign_up(page: Any, username: str, display_name: str = "测试用户", lands_on: str = r".*/wealth$") -> None:
        page.goto(f"{live_url}/signup")
        page.fill("input[name=username]", username)
        page.fill("input[name=display_name]", display_name)
        page.fill("input[name=password]", JOURNEY_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(lands_on))

    return sign_up


@pytest.fixture
def phone_page(new_phone: Callable[[], Any]) -> Iterator[Any]:
    """A page in its own phone-sized context, closed after the test."""
    ctx = new_phone()
    yield ctx.new_page()
    ctx.close()


@pytest.fixture(scope="session")
def snap(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., None]:
    """Save <name> (one current PNG per tab) into a temp dir once the CJK font has loaded.

    Tests never write into the source tree: ``make screenshots`` sets ``TANDEM_SCREENSHOTS_DIR=docs/screenshots`` to
    refresh the README pictures on purpose.

    The whole page by default (the fixed tab bar placed after the content, so it does not cover the middle of a long
    capture); ``element`` names one card to capture instead. A capture taken before the web font
    arrives shows fallback glyphs, so the font is loaded for ``font_sample`` first.
    """
    target = os.environ.get("TANDEM_SCREENSHOTS_DIR")
    shots = Path(target).resolve() if target else tmp_path_factory.mktemp("screenshots")
    shots.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, font_sample: str, *, element: str | None = None) -> None:
        page.evaluate("""s => document.fonts.load('16px "Tandem CJK"', s)""", font_sample)
        page.evaluate("() => document.fonts.ready")
        if element is None:
            page.add_style_tag(content=".tabbar { position: static; }")  # the tab bar at the end, not mid-page
            page.screenshot(path=str(shots / name), full_page=True)
        else:
            page.locator(element).screenshot(path=str(shots / name))

    return take
