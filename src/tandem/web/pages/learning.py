"""我的学习 (my courses): the education track an advisor enrolled me in, and each lesson's approved text.

Reading a lesson in the page sends a ``content_read`` event with the time it was on screen (``events.js``); the
events API applies it to the track (:func:`tandem.advisor.education.record_reads`: five seconds or more counts,
once, against the version approved then). Only lessons of my own courses open; any other is not found.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from tandem.advisor.education import client_lesson, track
from tandem.compliance.disclaimers import footer
from tandem.web.deps import CurrentUser, LangDep, SessionDep, StateDep
from tandem.web.pages.base import base_context, templates
from tandem.web.templating import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/me/learning")
def learning_page(request: Request, user: CurrentUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """My courses with progress and the lesson to read next."""
    ctx = base_context(request, state, user, "me")
    return render(templates, request, "learning.html", lang, courses=track(db, client_user_id=user.id), **ctx)


@router.get("/me/learning/lessons/{item_id}")
def lesson_page(
    item_id: ItemId, request: Request, user: CurrentUser, state: StateDep, db: SessionDep, lang: LangDep
) -> Response:
    """One lesson's approved text (404 unless it belongs to one of my courses)."""
    page = client_lesson(db, client_user_id=user.id, lesson_item_id=item_id)
    ctx = base_context(request, state, user, "me")
    note = footer(as_of=page.content.approved_at.date(), lang=lang, ai_generated=False, kind="fund")
    return render(templates, request, "lesson.html", lang, page=page, disclaimer=note, **ctx)
