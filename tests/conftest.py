"""Suite-wide settings: every test run gets its own var/ folder, never the developer's database."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("ATTEST_VAR_DIR", tempfile.mkdtemp(prefix="attest-test-var-"))
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
