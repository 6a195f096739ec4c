"""Configuration from environment variables, with safe defaults for the embedded mode.

The embedded default is one process with an SQLite file under ``var/``; the scaled-out mode
sets ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``. A secret key is generated once and kept
in ``var/secret_key`` so that sessions survive restarts without shipping a key in the code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _var_dir() -> Path:
    path = Path(os.environ.get("ATTEST_VAR_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(var: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = var / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def from_environment() -> dict[str, object]:
    var = _var_dir()
    production = os.environ.get("ATTEST_ENV", "embedded") == "production"
    return {
        "SECRET_KEY": _secret_key(var),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{var / 'attest.db'}"),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(var / "uploads")),
        "EVIDENCE_FOLDER": os.environ.get("EVIDENCE_FOLDER", str(var / "evidence")),
        "SOURCES_FOLDER": os.environ.get("SOURCES_FOLDER", str(ROOT.parent / "shared" / "sources")),
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        # failed login posts per address (per server process without Redis); a whole exam hall behind one
        # address logs in at once, so successful logins are not counted
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "30 per minute"),
        # failed logins per account in a sliding window, counted in the audit log (all processes)
        "LOGIN_ACCOUNT_FAILURES": int(os.environ.get("LOGIN_ACCOUNT_FAILURES", "10")),
        "LOGIN_ACCOUNT_WINDOW_MINUTES": int(os.environ.get("LOGIN_ACCOUNT_WINDOW_MINUTES", "15")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "kk"),
        "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        "LANGUAGES": ("kk", "ru", "en"),
        "TIMEZONE": os.environ.get("ATTEST_TIMEZONE", "Asia/Almaty"),
        # §18 fixes 120 minutes; a shorter duration is only for drills and the browser tests.
        "EXAM_DURATION_SECONDS": int(os.environ["EXAM_DURATION_SECONDS"])
        if os.environ.get("EXAM_DURATION_SECONDS")
        else None,
        "EVIDENCE_MARGIN_DAYS": int(os.environ.get("EVIDENCE_MARGIN_DAYS", "30")),
        "PROCTORING_ANALYSIS": os.environ.get("PROCTORING_ANALYSIS", "thread"),
        "EXPIRY_SWEEP_SECONDS": float(os.environ.get("EXPIRY_SWEEP_SECONDS", "5")),
    }
