"""An httpx client for the WeCom (企业微信) server API: tokens, application messages, robots, external contacts.

Configured by ``TANDEM_WECOM_CORP_ID``, ``_SECRET``, ``_AGENT_ID`` and ``_BASE_URL``; :func:`wecom_config`
returns None when they are unset and the composition root then leaves the channel off (and says so). The
access token is cached until shortly before ``expires_in``; a call answered with errcode 42001 (expired) or
40014 / 40001 (invalid) drops the token, fetches a new one and retries exactly once. Every non-zero errcode is
raised as :class:`WeComApiError` with WeCom's code and message, so the channel can tell a rate limit (45009,
130101) from a refusal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from tandem.core.errors import TandemError
from tandem.core.settings import Settings

TOKEN_ERRORS = frozenset({42001, 40014, 40001})
MsgType = Literal["text", "markdown", "textcard", "news"]


class WeComApiError(TandemError):
    """WeCom answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str, *, path: str) -> None:
        super().__init__(f"WeCom {path}: errcode {errcode} ({errmsg})")
        self.errcode = errcode
        self.errmsg = errmsg


@dataclass(frozen=True, slots=True)
class WeComConfig:
    """Where and as whom to call WeCom."""

    corp_id: str
    secret: str
    agent_id: int
    base_url: str = "https://qyapi.weixin.qq.com"


def wecom_config(settings: Settings) -> WeComConfig | None:
    """The configuration from settings, or None when corp id, secret or agent id is missing (channel off)."""
    if not settings.wecom_corp_id or not settings.wecom_secret or settings.wecom_agent_id is None:
        return None
    return WeComConfig(settings.wecom_corp_id, settings.wecom_secret, settings.wecom_agent_id, settings.wecom_base_url)


def off_reason(settings: Settings) -> str:
    """Why the WeCom channel is off (shown by the composition root and the staff pages)."""
    missing = [
        name
        for name, value in (
            ("TANDEM_WECOM_CORP_ID", settings.wecom_corp_id),
            ("TANDEM_WECOM_SECRET", settings.wecom_secret),
            ("TANDEM_WECOM_AGENT_ID", settings.wecom_agent_id),
        )
        if value in (None, "")
    ]
    return f"WeCom channel off: set {', '.join(missing)}" if missing else "WeCom channel configured"


class WeComClient:
    """Typed calls to the WeCom server API over one ``httpx.Client`` (the caller owns and closes it)."""

    def __init__(self, config: WeComConfig, *, http: httpx.Client, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._http = http
        self._clock = clock
        self._token: str | None = None
        self._token_until = 0.0
        self.token_fetches = 0

    def _fetch_token(self) -> str:
        r = self._http.get(
            f"{self._config.base_url}/cgi-bin/gettoken",
            params={"corpid": self._config.corp_id, "corpsecret": self._config.secret},
        )
        data = self._json(r, "gettoken")
        self.token_fetches += 1
        self._token = str(data["access_token"])
        self._token_until = self._clock() + max(0, int(data.get("expires_in", 7200)) - 60)
        return self._token

    def token(self) -> str:
        """The cached access token, fetched again when it is about to expire."""
        if self._token is None or self._clock() >= self._token_until:
            return self._fetch_token()
        return self._token

    @staticmethod
    def _json(r: httpx.Response, path: str) -> dict[str, Any]:
        r.raise_for_status()
        data: dict[str, Any] = r.json()
        code = int(data.get("errcode", 0))
        if code != 0:
            raise WeComApiError(code, str(data.get("errmsg", "")), path=path)
        return data

    def _call(
        self, method: str, path: str, *, body: Mapping[str, Any] | None = None, params: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        def once() -> dict[str, Any]:
            query = {"access_token": self.token(), **(params or {})}
            r = self._http.request(method, f"{self._config.base_url}/cgi-bin/{path}", params=query, json=body)
            return self._json(r, path)

        try:
            return once()
        except WeComApiError as err:
            if err.errcode not in TOKEN_ERRORS:
                raise
            self._token = None  # expired or revoked mid-batch: refresh once and retry; a second failure is raised
            return once()

    def send_app(self, *, touser: str, msgtype: MsgType, content: Mapping[str, Any]) -> dict[str, Any]:
        """``message/send`` of one application message (``content`` is the msgtype's object)."""
        body = {"touser": touser, "msgtype": msgtype, "agentid": self._config.agent_id, msgtype: dict(content)}
        return self._call("POST", "message/send", body=body)

    def send_robot(self, *, key: str, markdown: str) -> dict[str, Any]:
        """A group-robot webhook message (markdown); robots need no access token."""
        r = self._http.post(
            f"{self._config.base_url}/cgi-bin/webhook/send",
            params={"key": key},
            json={"msgtype": "markdown", "markdown": {"content": markdown}},
        )
        return self._json(r, "webhook/send")

    def add_msg_template(self, *, sender: str, external_userid: list[str], text: str) -> list[str]:
        """``externalcontact/add_msg_template``: a customer mass message (客户群发) from member ``sender``.

        Returns WeCom's ``fail_list``: the external_userids it will not deliver to (not the member's customer, or
        over their mass-send allowance).
        """
        body = {
            "chat_type": "single",
            "external_userid": list(external_userid),
            "sender": sender,
            "text": {"content": text},
        }
        data = self._call("POST", "externalcontact/add_msg_template", body=body)
        return [str(x) for x in data.get("fail_list", [])]

    def external_contacts(self, *, userid: str) -> list[str]:
        """External user ids (客户) of one member: ``externalcontact/list``."""
        data = self._call("GET", "externalcontact/list", params={"userid": userid})
        return [str(x) for x in data.get("external_userid", [])]

    def external_contacts_batch(self, *, userid: str, limit: int = 100) -> list[dict[str, Any]]:
        """Every customer of one member with its ``follow_info``: ``externalcontact/batch/get_by_user``, all pages."""
        out: list[dict[str, Any]] = []
        cursor = ""
        while True:
            body = {"userid_list": [userid], "cursor": cursor, "limit": limit}
            data = self._call("POST", "externalcontact/batch/get_by_user", body=body)
            out += [x for x in data.get("external_contact_list", []) if isinstance(x, dict)]
            cursor = str(data.get("next_cursor") or "")
            if not cursor:
                return out

    def external_contact(self, *, external_userid: str) -> dict[str, Any]:
        """One external contact's details: ``externalcontact/get``."""
        return self._call("GET", "externalcontact/get", params={"external_userid": external_userid})
