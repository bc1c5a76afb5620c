"""Object-level authorisation: which clients a staff member may open.

Every advisor route and service that takes a client id calls :func:`require_client_access` first. An advisor
reaches only the clients currently assigned to them; another advisor's client is reported as *not found* (404),
not *forbidden*, so an advisor cannot even learn that the client exists. Operations, compliance and admin
staff see every client (they assign and review); investors see none through the workbench.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.models import ClientAssignment
from tandem.core.errors import NotFoundError, UserError

SUPERVISING_ROLES = frozenset({"operations", "compliance", "admin"})
STAFF_ROLES = SUPERVISING_ROLES | {"advisor"}


class StaffOnlyError(UserError):
    """The caller's role has no access to the advisor workbench."""


@dataclass(frozen=True, slots=True)
class Staff:
    """The caller as the workbench sees them: user id and role."""

    user_id: int
    role: str

    @property
    def actor(self) -> str:
        """How the caller is named in audit rows and histories."""
        return f"user:{self.user_id}"

    @property
    def supervises(self) -> bool:
        """Operations, compliance and admin see every client."""
        return self.role in SUPERVISING_ROLES


def require_staff(*, user_id: int, role: str) -> Staff:
    """The caller as :class:`Staff`, or :class:`StaffOnlyError` for an investor (or an unknown role)."""
    if role not in STAFF_ROLES:
        raise StaffOnlyError(
            f"the advisor workbench is for staff (advisor, operations, compliance, admin), not role {role!r}"
        )
    return Staff(user_id=user_id, role=role)


def require_role(staff: Staff, *roles: str) -> None:
    """Refuse an action reserved to ``roles`` (admin may always act)."""
    if staff.role not in roles and staff.role != "admin":
        raise StaffOnlyError(f"this action needs role {' or '.join(roles)}; you are signed in as {staff.role}")


def require_client_access(db: Session, staff: Staff, *, client_user_id: int) -> ClientAssignment | None:
    """The client's assignment when ``staff`` may open the client, else :class:`NotFoundError`.

    Supervising roles get the assignment (or None for an unassigned client); an advisor gets it only when the
    client is theirs.
    """
    row = db.get(ClientAssignment, client_user_id)
    if staff.supervises:
        return row
    if row is None or row.advisor_id != staff.user_id:
        raise NotFoundError(f"no client {client_user_id} in your client book")
    return row


def own_client_ids(db: Session, staff: Staff, *, client_user_ids: list[int]) -> set[int]:
    """Those of ``client_user_ids`` the advisor may reach (all of them for supervising roles)."""
    if staff.supervises:
        return set(client_user_ids)
    rows = db.scalars(
        select(ClientAssignment.client_user_id).where(
            ClientAssignment.advisor_id == staff.user_id, ClientAssignment.client_user_id.in_(client_user_ids)
        )
    )
    return set(rows)
