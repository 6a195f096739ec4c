"""Accounts: creating users, checking passwords, granting and revoking roles (all audited)."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from attestation import audit
from attestation.db import DomainError, utcnow
from exam_app.accounts.models import RoleGrant, User
from exam_app.roles import ROLES, SCOPED_TO_LMC, SCOPED_TO_REGION

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~40 ms a check here, where the
# library's default (64 MiB, 3 passes, 4 lanes) took ~310 ms and made a sitting's start peak impossible.
# Older hashes are upgraded at the next login (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# A real hash to verify against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            "password_too_short",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            min=MIN_PASSWORD_LENGTH,
        )
    return _hasher.hash(password)


class LoginThrottled(DomainError):
    """Too many failed logins for one account lately: the password is not even checked."""


def recent_failures(session: Session, username: str, *, since: datetime) -> int:
    return session.scalar(
        select(func.count(audit.AuditEntry.id)).where(
            audit.AuditEntry.action == "login_failed",
            audit.AuditEntry.at >= since,
            func.lower(audit.AuditEntry.actor_label) == username.strip().lower()[:80],
        )
    ) or 0


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    ip: str = "",
    max_failures: int = 10,
    window_minutes: int = 15,
) -> User | None:
    """The user, or None for a wrong login or password (audited).

    An account with ``max_failures`` failed logins in the last ``window_minutes`` is refused
    before the password check (LoginThrottled). The count lives in the audit log, so it holds
    across server processes, and it is per account, so a hall of candidates behind one address
    is not locked out by one of them mistyping.
    """
    username = username.strip()
    if max_failures > 0:
        since = utcnow() - timedelta(minutes=window_minutes)
        if recent_failures(session, username, since=since) >= max_failures:
            raise LoginThrottled("login_throttled", "Too many failed logins.", minutes=window_minutes)
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        audit.record(
            session,
            "login_failed",
            actor_label=username[:80],
            object_type="user",
            object_id=user.id if user else "",
            ip=ip,
        )
        session.commit()
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    audit.record(
        session,
        "login",
        actor_id=user.id,
        actor_label=user.username,
        object_type="user",
        object_id=user.id,
        ip=ip,
    )
    session.commit()
    return user


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str = "",
    worker_id: int | None = None,
    actor: User | None = None,
) -> User:
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise DomainError("username_taken", "This login is already taken.")
    user = User(
        username=username,
        password_hash=hash_password(password),
        display_name=display_name,
        worker_id=worker_id,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user_created",
        actor_id=actor.id if actor else None,
        actor_label=actor.username if actor else "system",
        object_type="user",
        object_id=user.id,
        after={"username": username, "worker_id": worker_id},
    )
    return user


def _grant_key(grant: RoleGrant) -> tuple[str, int | None, int | None]:
    return (grant.role, grant.lmc_id, grant.region_id)


def grant_role(
    session: Session,
    user: User,
    role: str,
    *,
    lmc_id: int | None = None,
    region_id: int | None = None,
    actor: User | None = None,
) -> RoleGrant:
    if role not in ROLES:
        raise DomainError("unknown_role", f"Unknown role: {role}.")
    if role in SCOPED_TO_LMC and lmc_id is None:
        raise DomainError("role_needs_lmc", "An LMC HR role must name its LMC.")
    if role in SCOPED_TO_REGION and region_id is None:
        raise DomainError("role_needs_region", "A regional officer role must name its region.")
    if role not in SCOPED_TO_LMC:
        lmc_id = None
    if role not in SCOPED_TO_REGION:
        region_id = None
    for existing in user.grants:
        if _grant_key(existing) == (role, lmc_id, region_id):
            return existing
    before = sorted(map(str, map(_grant_key, user.grants)))
    grant = RoleGrant(role=role, lmc_id=lmc_id, region_id=region_id)
    user.grants.append(grant)
    session.flush()
    audit.record(
        session,
        "role_granted",
        actor_id=actor.id if actor else None,
        actor_label=actor.username if actor else "system",
        object_type="user",
        object_id=user.id,
        before=before,
        after=sorted(map(str, map(_grant_key, user.grants))),
    )
    return grant


def revoke_grant(session: Session, user: User, grant_id: int, *, actor: User) -> None:
    grant = next((g for g in user.grants if g.id == grant_id), None)
    if grant is None:
        raise DomainError("grant_not_found", "This role grant does not exist.")
    if user.id == actor.id and grant.role == "sysadmin":
        raise DomainError("cannot_revoke_own_admin", "You cannot revoke your own administrator role.")
    before = sorted(map(str, map(_grant_key, user.grants)))
    user.grants.remove(grant)
    session.flush()
    audit.record(
        session,
        "role_revoked",
        actor_id=actor.id,
        actor_label=actor.username,
        object_type="user",
        object_id=user.id,
        before=before,
        after=sorted(map(str, map(_grant_key, user.grants))),
    )
