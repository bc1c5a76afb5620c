"""A local WeCom server emulator: a FastAPI app served by uvicorn on loopback in a thread.

It implements ``gettoken``, ``message/send``, ``webhook/send`` and the two external-contact calls with WeCom's
documented limits and error codes: tokens expire (42001) or are unknown (40014); application text/markdown over
2,048 bytes and robot markdown over 4,096 bytes are refused with 40058; more than 30 application messages a
minute or 1,000 an hour to one member are *dropped silently* (as WeCom does) and counted in ``dropped``; robots
answer 130101 beyond 20 a minute and then for 10 minutes; ``freq_errors`` makes the next calls answer 45009;
``down`` answers HTTP 503. Customers: ``add_contact`` puts an external contact on a member's list with the
follow relation's ``state``; ``add_msg_template`` delivers a customer mass message only to the sender's own
customers and at most ``mass_allowance`` times per customer per ``month`` (the test sets the calendar month),
listing the others in ``fail_list`` as WeCom does; ``batch/get_by_user`` pages a member's customers with their
follow_info (at most ``limit`` ≤ 100 a page). Time comes from a clock the test controls, so limits are
checked without sleeping.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

CORP_ID, SECRET = "ww-test-corp", "test-secret"


@dataclass
class FakeClock:
    """A settable monotonic clock shared by the emulator and the code under test."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class EmulatorState:
    """What the emulator received and how it should misbehave next."""

    clock: Callable[[], float]
    tokens: dict[str, float] = field(default_factory=dict)
    token_ttl: int = 7200
    delivered: list[dict[str, Any]] = field(default_factory=list)
    robot: list[str] = field(default_factory=list)
    dropped: int = 0
    down: bool = False
    freq_errors: int = 0
    token_calls: int = 0
    app_times: dict[str, list[float]] = field(default_factory=dict)
    robot_times: list[float] = field(default_factory=list)
    contacts: dict[str, list[str]] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    robot_blocked_until: float = 0.0
    month: str = "2026-06"
    mass_allowance: int = 4
    mass: list[dict[str, Any]] = field(default_factory=list)
    mass_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def add_contact(
        self, member: str, external_userid: str, *, state: str = "", unionid: str | None = None, createtime: int = 0
    ) -> None:
        """An external contact who added ``member`` (through a 联系我 link carrying ``state``)."""
        self.contacts.setdefault(member, []).append(external_userid)
        detail = self.details.setdefault(
            external_userid, {"external_contact": {"external_userid": external_userid, "type": 1}, "follow_user": []}
        )
        if unionid:
            detail["external_contact"]["unionid"] = unionid
        detail["follow_user"].append({"userid": member, "createtime": createtime, "state": state, "add_way": 1})

    def remove_contact(self, member: str, external_userid: str) -> None:
        """The customer deleted the member."""
        self.contacts[member].remove(external_userid)
        d = self.details[external_userid]
        d["follow_user"] = [f for f in d["follow_user"] if f["userid"] != member]

    def expire_tokens(self) -> None:
        """Make every issued token expired (the next call answers 42001)."""
        self.tokens = {t: 0.0 for t in self.tokens}


def _err(code: int, msg: str) -> JSONResponse:
    return JSONResponse({"errcode": code, "errmsg": msg})


def build_app(state: EmulatorState) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def outage(request: Request, call_next: Any) -> Any:
        path = request.url.path.removeprefix("/cgi-bin/")
        state.calls[path] = state.calls.get(path, 0) + 1
        if state.down:
            return JSONResponse({"errmsg": "service unavailable"}, status_code=503)
        return await call_next(request)

    def token_error(token: str | None) -> JSONResponse | None:
        if token is None or token not in state.tokens:
            return _err(40014, "invalid access_token")
        if state.tokens[token] <= state.clock():
            return _err(42001, "access_token expired")
        return None

    @app.get("/cgi-bin/gettoken")
    def gettoken(corpid: str, corpsecret: str) -> JSONResponse:
        state.token_calls += 1
        if (corpid, corpsecret) != (CORP_ID, SECRET):
            return _err(40013, "invalid corpid")
        token = uuid.uuid4().hex
        state.tokens[token] = state.clock() + state.token_ttl
        return JSONResponse({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": state.token_ttl})

    @app.post("/cgi-bin/message/send")
    async def message_send(request: Request, access_token: str | None = None) -> JSONResponse:
        bad = token_error(access_token)
        if bad is not None:
            return bad
        if state.freq_errors > 0:
            state.freq_errors -= 1
            return _err(45009, "api freq out of limit")
        body = await request.json()
        kind = body["msgtype"]
        if kind in ("text", "markdown") and len(body[kind]["content"].encode("utf-8")) > 2048:
            return _err(40058, "content size out of limit")
        now = state.clock()
        times = [t for t in state.app_times.get(body["touser"], []) if t > now - 3600]
        per_minute = sum(1 for t in times if t > now - 60)
        times.append(now)
        state.app_times[body["touser"]] = times
        if per_minute >= 30 or len(times) > 1000:
            state.dropped += 1  # WeCom accepts and silently drops
        else:
            state.delivered.append(body)
        return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": uuid.uuid4().hex})

    @app.post("/cgi-bin/webhook/send")
    async def webhook(request: Request, key: str) -> JSONResponse:
        body = await request.json()
        content = body["markdown"]["content"]
        if len(content.encode("utf-8")) > 4096:
            return _err(40058, "markdown.content exceed max length 4096")
        now = state.clock()
        state.robot_times = [t for t in state.robot_times if t > now - 60]
        if now < state.robot_blocked_until:
            return _err(130101, "send to group freq out of limit")
        if len(state.robot_times) >= 20:
            state.robot_blocked_until = now + 600  # the robot is refused for 10 minutes
            return _err(130101, "send to group freq out of limit")
        state.robot_times.append(now)
        state.robot.append(content)
        return _err(0, "ok")

    @app.get("/cgi-bin/externalcontact/list")
    def ext_list(userid: str, access_token: str | None = None) -> JSONResponse:
        bad = token_error(access_token)
        if bad is not None:
            return bad
        return JSONResponse({"errcode": 0, "errmsg": "ok", "external_userid": state.contacts.get(userid, [])})

    @app.get("/cgi-bin/externalcontact/get")
    def ext_get(external_userid: str, access_token: str | None = None) -> JSONResponse:
        bad = token_error(access_token)
        if bad is not None:
            return bad
        if external_userid not in state.details or not any(external_userid in v for v in state.contacts.values()):
            return _err(84061, "not external contact")
        return JSONResponse({"errcode": 0, "errmsg": "ok", **state.details[external_userid]})

    @app.post("/cgi-bin/externalcontact/batch/get_by_user")
    async def ext_batch(request: Request, access_token: str | None = None) -> JSONResponse:
        bad = token_error(access_token)
        if bad is not None:
            return bad
        body = await request.json()
        limit = int(body.get("limit", 50))
        if not 1 <= limit <= 100:
            return _err(40058, "limit must be 1-100")
        rows = []
        for member in body["userid_list"]:
            for ext in state.contacts.get(member, []):
                follow = next(f for f in state.details[ext]["follow_user"] if f["userid"] == member)
                rows.append({"external_contact": state.details[ext]["external_contact"], "follow_info": follow})
        start = int(body.get("cursor") or 0)
        page = rows[start : start + limit]
        nxt = str(start + limit) if start + limit < len(rows) else ""
        return JSONResponse({"errcode": 0, "errmsg": "ok", "external_contact_list": page, "next_cursor": nxt})

    @app.post("/cgi-bin/externalcontact/add_msg_template")
    async def add_msg_template(request: Request, access_token: str | None = None) -> JSONResponse:
        bad = token_error(access_token)
        if bad is not None:
            return bad
        if state.freq_errors > 0:
            state.freq_errors -= 1
            return _err(45009, "api freq out of limit")
        body = await request.json()
        content = body["text"]["content"]
        if len(content.encode("utf-8")) > 4000:
            return _err(40058, "text.content exceed max length 4000")
        mine = state.contacts.get(body["sender"], [])
        fail = []
        for ext in body["external_userid"]:
            key = (ext, state.month)
            if ext not in mine or state.mass_counts.get(key, 0) >= state.mass_allowance:
                fail.append(ext)
                continue
            state.mass_counts[key] = state.mass_counts.get(key, 0) + 1
            state.mass.append({"sender": body["sender"], "external_userid": ext, "content": content})
        return JSONResponse({"errcode": 0, "errmsg": "ok", "fail_list": fail, "msgid": uuid.uuid4().hex})

    return app


@contextmanager
def running_emulator(clock: Callable[[], float]) -> Iterator[tuple[str, EmulatorState]]:
    """Serve the emulator on a free loopback port; yields its base URL and state."""
    state = EmulatorState(clock=clock)
    config = uvicorn.Config(build_app(state), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        server.should_exit = True
        thread.join(timeout=5)
