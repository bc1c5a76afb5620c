"""A client's tags as 我的 and the API show them: each tag with its kind and its why-line, in either language.

The words come from the catalogue (``core/i18n.py``) with the record's numbers and names filled in, so the same
evidence reads in either language.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.core.i18n import Lang, translate
from tandem.engagement.profile_service import ClientProfile
from tandem.engagement.profile_why import TagEvidence


@dataclass(frozen=True, slots=True)
class TagRow:
    """One tag on 我的: ``key`` for the delete button, its words, its kind's words, its share and why-line."""

    key: str
    label: str
    kind: str
    share: float
    why: str


def why_line(evidence: TagEvidence | None, lang: Lang) -> str:
    """``依据：浏览 3 次、加自选 1 次，如 贵州茅台、五粮液`` from the acts behind a tag."""
    if evidence is None or not evidence.acts:
        return translate(lang, "tags.why.none")
    sep = translate(lang, "list.sep")
    acts = sep.join(translate(lang, f"tags.act.{t}").format(n=n) for t, n in evidence.acts)
    return translate(lang, "tags.why").format(acts=acts, names=sep.join(evidence.examples))


def tag_rows(profile: ClientProfile, evidence: dict[str, TagEvidence], lang: Lang) -> list[TagRow]:
    """The client's tags, strongest first, each with its why-line."""
    return [
        TagRow(
            t.key,
            t.label,
            translate(lang, f"tags.kind.{t.key.partition(':')[0]}"),
            t.share,
            why_line(evidence.get(t.key), lang),
        )
        for t in profile.tags
    ]
