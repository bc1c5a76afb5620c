"""``/api/v1/users``: staff views of accounts (masked), role changes (admin) and unlocking (operations, admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from tandem.identity import Keys, Role, User, accounts
from tandem.web.deps import AdminUser, SessionDep, StaffUser, StateDep, require_role
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.schemas import Page, UserPublic

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=PROBLEM_RESPONSES)
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _public(keys: Keys, user: User) -> UserPublic:
    return UserPublic.model_validate(accounts.account_view(keys, user))


@router.get("", summary="List accounts (staff)")
def list_users(
    staff: StaffUser,
    state: StateDep,
    db: SessionDep,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[UserPublic]:
    """Accounts with personal data masked; for operations, compliance and admin roles."""
    rows, total = accounts.list_accounts(db, offset=offset, limit=limit)
    return Page(items=[_public(state.keys, u) for u in rows], total=total, offset=offset, limit=limit)


@router.put("/{user_id}/role", summary="Set an account's role (admin)")
def set_role(
    user_id: UserId, role: Annotated[Role, Query()], admin: AdminUser, state: StateDep, db: SessionDep
) -> UserPublic:
    """Change the role and revoke the account's tokens so the new role applies at once."""
    user = accounts.set_role(db, user_id=user_id, role=role)
    db.commit()
    return _public(state.keys, user)


@router.post(
    "/{user_id}/unlock",
    summary="Unlock an account after too many wrong passwords",
    dependencies=[Depends(require_role("operations", "admin"))],
)
def unlock(user_id: UserId, state: StateDep, db: SessionDep) -> UserPublic:
    """Clear the lockout and the failure count."""
    user = accounts.unlock(db, user_id=user_id)
    db.commit()
    return _public(state.keys, user)
