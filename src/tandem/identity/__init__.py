"""Identity: users, roles, sessions, credentials and the personal-data vault (the layer beside marketdata).

Callers outside the package use the names below; the account services are the module :mod:`tandem.identity.accounts`
(``from tandem.identity import accounts``), whose functions take the DB session and keys explicitly.
"""

from tandem.identity.addresses import VaultAddressBook
from tandem.identity.authcache import BearerMemo, Caller, redis_announcer, revocation_listener, watch_revocations
from tandem.identity.credentials import SESSION_TTL, VerifiedTokens, csrf_token, issue_token, verify_token
from tandem.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount, seed_demo_accounts
from tandem.identity.errors import AccountLockedError, AuthRequiredError
from tandem.identity.keyring import KEYRING_FILE
from tandem.identity.keys import SECRET_FILE, Keys, derived_pii_key, keyring_path, keys_for, load_secret, make_keys
from tandem.identity.models import ROLES, Role, User, WebSession

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "KEYRING_FILE",
    "ROLES",
    "SECRET_FILE",
    "SESSION_TTL",
    "AccountLockedError",
    "AuthRequiredError",
    "BearerMemo",
    "Caller",
    "DemoAccount",
    "Keys",
    "Role",
    "User",
    "VaultAddressBook",
    "VerifiedTokens",
    "WebSession",
    "csrf_token",
    "derived_pii_key",
    "issue_token",
    "keyring_path",
    "keys_for",
    "load_secret",
    "make_keys",
    "redis_announcer",
    "revocation_listener",
    "seed_demo_accounts",
    "verify_token",
    "watch_revocations",
]
