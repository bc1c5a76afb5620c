"""The demo accounts: one login per staff and client role, seeded by ``tandem accounts seed-demo`` and ``make run``.

The password is documented (README) because these accounts exist only for demonstrations; seeding resets and
unlocks them, so a demo can always log in.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tandem.identity.accounts import create_user, find_user
from tandem.identity.credentials import check_password_policy, hash_password
from tandem.identity.keys import Keys
from tandem.identity.models import Role

DEMO_PASSWORD = "TandemDemo2025"
DEMO_ACCOUNTS: tuple[tuple[str, Role, str], ...] = (
    ("investor@demo.tandem", "investor", "演示投资者"),
    ("advisor@demo.tandem", "advisor", "演示投顾"),
    ("ops@demo.tandem", "operations", "演示运营"),
    ("compliance@demo.tandem", "compliance", "演示合规"),
)


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One seeded demo login."""

    username: str
    role: Role
    display_name: str


def seed_demo_accounts(db: Session, keys: Keys, *, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Create (or reset to ``password`` and unlock) the four demo accounts; idempotent."""
    check_password_policy(password)
    out = []
    for username, role, name in DEMO_ACCOUNTS:
        user = find_user(db, keys, username=username)
        if user is None:
            create_user(db, keys, username=username, password=password, role=role, display_name=name)
        else:
            user.password_hash = hash_password(password)
            user.role = role
            user.failed_logins = 0
            user.locked_until = None
            user.token_version += 1
        out.append(DemoAccount(username=username, role=role, display_name=name))
    db.flush()
    return out
