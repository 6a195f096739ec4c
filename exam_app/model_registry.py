"""Imports every package's models so that one metadata knows all tables (Alembic, tests)."""

from __future__ import annotations

import appeals.models  # noqa: F401
import attestation.audit  # noqa: F401
import attestation.models  # noqa: F401
import exam_app.accounts.models  # noqa: F401
import exam_app.exam.models  # noqa: F401
import proctoring.models  # noqa: F401
import question_bank.models  # noqa: F401
from attestation.db import Base

metadata = Base.metadata
