"""Driving an attempt over HTTP the way the test page does."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from attestation.models import AttesteeEntry
from attestation.web import db_session
from exam_app.exam.models import Attempt
from question_bank.models import FormEntry, ItemVersion


def entry_of(app, worker_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db_session.scalar(select(AttesteeEntry.id).where(AttesteeEntry.worker_id == worker_id))


def start_attempt(b, entry_id: int, lang: str = "ru") -> dict:  # type: ignore[no-untyped-def]
    """Prepare (system check, consent, language), read the rules, start; return the page's payload."""
    page = b.get(f"/exam/{entry_id}")
    assert page.status_code == 200, page.text[:500]
    response = b.post(f"/exam/{entry_id}/prepare", {"check_browser": "1", "check_camera": "1",
                                                     "check_connection": "1", "consent": "1", "exam_lang": lang},
                      token_from=f"/exam/{entry_id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/rules")
    response = b.post(f"/exam/{entry_id}/start", {}, token_from=f"/exam/{entry_id}/rules")
    assert response.status_code == 302
    page = b.get(response.headers["Location"])
    return payload_of(page.text)


def payload_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="exam-data">(.*?)</script>', html, re.S)
    assert match, "no exam payload on the page"
    return json.loads(match.group(1))


def csrf_of(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def correct_display(app, attempt_id: int) -> dict[int, list[int]]:  # type: ignore[no-untyped-def]
    """The correct options of each question as display positions (what the page posts)."""
    with app.app_context():
        attempt = db_session.get(Attempt, attempt_id)
        entries = db_session.scalars(select(FormEntry).where(FormEntry.form_id == attempt.form_id)).all()
        out = {}
        for e in entries:
            version = db_session.get(ItemVersion, e.item_version_id)
            out[e.position] = sorted(e.option_order.index(k) for k in version.key)
        return out


def wrong_display(correct: list[int], option_count: int = 4) -> list[int]:
    return [next(i for i in range(option_count) if i not in correct)]


def save(b, attempt_id: int, token: str, steps: list[dict], device: str = "device-0001"):  # type: ignore[no-untyped-def]
    return b.client.post(f"/api/v1/attempts/{attempt_id}/steps", json={"device": device, "steps": steps},
                         headers={"X-CSRFToken": token})
