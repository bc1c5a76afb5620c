"""我的学习 (my courses): the education track an advisor enrolled me in, and each lesson's approved text.

Reading a lesson in the page sends a ``content_read`` event with the time it was on screen (``events.js``); the
events API applies it to the track (:func:`tandem.advisor.education.record_reads`: five seconds or more counts,
once, against the version approved then). Only lessons of my own courses open; any other is not found.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, Response

from tandem.advisor.education import client_lesson, track
from tandem.compliance.disclaimers import footer
from tandem.web.pages.base import MemberPage

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/me/learning")
def learning_page(p: MemberPage) -> Response:
    """My courses with progress and the lesson to read next."""
    return p.render("learning.html", "me", courses=track(p.db, client_user_id=p.user.id))


@router.get("/me/learning/lessons/{item_id}")
def lesson_page(item_id: ItemId, p: MemberPage) -> Response:
    """One lesson's approved text (404 unless it belongs to one of my courses)."""
    page = client_lesson(p.db, client_user_id=p.user.id, lesson_item_id=item_id)
    note = footer(as_of=page.content.approved_at.date(), lang=p.lang, ai_generated=False, kind="fund")
    return p.render("lesson.html", "me", page=page, disclaimer=note)
