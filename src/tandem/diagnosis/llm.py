"""Optional rewriting of the Chinese brief by an OpenAI-compatible chat model, accepted only if it is safe.

The model may rephrase for readability; it may not change a number. A rewrite is accepted only when its number
tokens equal the deterministic brief's (none lost, none invented), it stays within the length bounds, and the
phrase guard finds no promise of returns. Otherwise — and on any network or protocol error — the deterministic
text is kept. Accepted text is marked ``ai_generated`` so every output carries the AI-content label.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import structlog

from tandem.compliance.phrase_guard import find_forbidden_phrases
from tandem.diagnosis.models import Brief, Diagnosis
from tandem.diagnosis.numbers import same_numbers

log = structlog.get_logger(__name__)

SYSTEM_PROMPT = (
    "你是证券投资顾问的文字编辑。请把用户给出的个股简报改写得更通俗流畅，面向普通投资者。"
    "必须原样保留每一个数字、百分号和日期，不得增加任何新数字，不得做任何收益承诺或买卖建议，"
    "长度保持在300到600字之间。只输出改写后的正文。"
)


@dataclass(frozen=True, slots=True)
class LLMConfig:
    """Where the model lives (``settings.llm_base_url`` / ``llm_api_key`` / ``llm_model``)."""

    base_url: str
    api_key: str | None
    model: str
    timeout_s: float = 20.0


class BriefRewriter:
    """Rewrites the zh brief through ``POST {base_url}/chat/completions``; falls back to the input when unsafe."""

    def __init__(self, config: LLMConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.transport = transport

    def rewrite(self, brief: Brief, diag: Diagnosis) -> Brief:
        """The model's rewrite of ``brief.zh`` if it passes every check, else ``brief`` unchanged."""
        try:
            text = self._call(brief.zh)
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            log.warning("diagnosis.llm_failed", code=diag.code, error=str(exc))
            return brief
        problem = self.check(brief.zh, text)
        if problem:
            log.warning("diagnosis.llm_rejected", code=diag.code, reason=problem)
            return brief
        return Brief(zh=text, en=brief.en, ai_generated=True)

    @staticmethod
    def check(reference: str, candidate: str) -> str | None:
        """Why ``candidate`` is not an acceptable rewrite of ``reference`` (None when acceptable)."""
        if not same_numbers(reference, candidate):
            return "numbers changed, lost or invented"
        if not 300 <= len(candidate) <= 600:
            return f"length {len(candidate)} outside 300–600"
        hits = find_forbidden_phrases(candidate)
        if hits:
            return f"forbidden phrases {hits}"
        return None

    def _call(self, text: str) -> str:
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        payload = {
            "model": self.config.model,
            "temperature": 0.2,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}],
        }
        with httpx.Client(transport=self.transport, timeout=self.config.timeout_s) as client:
            resp = client.post(self.config.base_url.rstrip("/") + "/chat/completions", json=payload, headers=headers)
            resp.raise_for_status()
            content = resp.json()["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise TypeError("chat completion content is not text")
        return content.strip()


def rewriter_from_settings(base_url: str | None, api_key: str | None, model: str | None) -> BriefRewriter | None:
    """A rewriter when both the endpoint and the model are configured, else None (deterministic text only)."""
    if not base_url or not model:
        return None
    return BriefRewriter(LLMConfig(base_url=base_url, api_key=api_key, model=model))
