"""The candidate's test in a real browser: answers survive reloads, lost networks, closed browsers
and a change of computer, and the result is right."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from attestation.models import AttesteeEntry
from attestation.rules import decide
from exam_app.accounts.models import User
from exam_app.exam.models import AnswerStep, Attempt
from question_bank.models import FormEntry, ItemVersion

PASSWORD = "demo-pass-2026"
pytestmark = pytest.mark.e2e
_taken: set[str] = set()


def candidate(server) -> str:  # type: ignore[no-untyped-def]
    """A listed candidate who has not been used by another test."""
    with server.Session() as s:
        rows = s.execute(select(User.username).join(AttesteeEntry, AttesteeEntry.worker_id == User.worker_id)
                         .where(AttesteeEntry.status == "listed").order_by(User.id)).scalars().all()
    for username in rows:
        key = f"{server.base}:{username}"
        if key not in _taken:
            _taken.add(key)
            return username
    raise AssertionError("no candidate left")


def login(page, server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/login?lang=ru")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/cabinet/**")


def start_test(page, server, username: str) -> int:  # type: ignore[no-untyped-def]
    login(page, server, username)
    page.click("text=Тестке өту" if "lang=kk" in page.url else "a.button.primary")
    page.wait_for_selector("#c-camera[data-state=ok]")
    page.wait_for_selector("#c-connection[data-state=ok]")
    page.check("#consent")
    page.check("#lang-ru")
    page.click("#to-rules")
    page.wait_for_url("**/rules")
    page.once("dialog", lambda d: d.accept())
    page.click("#start-test")
    page.wait_for_url("**/exam/attempt/*")
    page.wait_for_selector("#q-options input")
    return int(page.url.rstrip("/").split("/")[-1])


def correct(server, attempt_id: int, page=None) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """Correct display positions of each question, in the order the page shows them."""
    with server.Session() as s:
        form_id = s.scalar(select(Attempt.form_id).where(Attempt.id == attempt_id))
        entries = s.scalars(select(FormEntry).where(FormEntry.form_id == form_id).order_by(FormEntry.position)).all()
        by_position = {}
        for e in entries:
            key = s.scalar(select(ItemVersion.key).where(ItemVersion.id == e.item_version_id))
            by_position[e.position] = sorted(e.option_order.index(k) for k in key)
    shown = page.evaluate("JSON.parse(document.getElementById('exam-data').textContent).questions.map(q => q.position)")
    return [by_position[p] for p in shown]


def answer_current(page, positions: list[int]) -> None:  # type: ignore[no-untyped-def]
    for p in positions:
        page.keyboard.press(str(p + 1))


def stored_steps(server, attempt_id: int) -> int:  # type: ignore[no-untyped-def]
    with server.Session() as s:
        return s.scalar(select(func.count()).select_from(AnswerStep).where(AnswerStep.attempt_id == attempt_id))


def wait_saved(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function("() => !JSON.parse(localStorage.getItem(`exam:${document.getElementById('exam').dataset.attempt}:queue`) || '[]').length")


def test_whole_test_answered_and_submitted_with_the_right_score(page, server):  # type: ignore[no-untyped-def]
    attempt_id = start_test(page, server, candidate(server))
    keys = correct(server, attempt_id, page)
    assert page.locator(".palette .cells button").count() == 100
    assert "object Object" not in page.inner_text("#q-options")
    assert page.locator("#palette-legal .cells button").first.inner_text() == "1"
    assert page.locator("#palette-functional .cells button").first.inner_text() == "51"
    for n, key in enumerate(keys):
        wrong = n >= 75  # 75 right, 25 wrong
        answer_current(page, [next(i for i in range(4) if i not in key)] if wrong else key)
        if n < 99:
            page.keyboard.press("ArrowRight")
    wait_saved(page)
    page.click("#submit-open")
    assert "100" in page.inner_text("#submit-summary")
    page.click("#submit-confirm")
    page.wait_for_url("**/result")
    assert page.inner_text("#score").startswith("75.00")
    with server.Session() as s:
        attempt = s.get(Attempt, attempt_id)
        entry = s.get(AttesteeEntry, attempt.entry_id)
        expected = decide(procedure=entry.procedure, position=entry.position, score=75.0,
                          current_category=entry.current_category, applied_category=entry.applied_category,
                          reattestation=entry.reattestation)
        assert attempt.status == "scored" and attempt.score_percent == 75.0
        assert (attempt.threshold, attempt.outcome) == (expected.threshold, expected.outcome)
    assert f"{expected.threshold}%" in page.inner_text("#threshold")


def test_reload_mid_test_keeps_answers_and_time(page, server):  # type: ignore[no-untyped-def]
    attempt_id = start_test(page, server, candidate(server))
    for _ in range(5):
        page.keyboard.press("2")
        page.keyboard.press("ArrowRight")
    page.keyboard.press("f")
    wait_saved(page)
    timer_before = page.inner_text("#timer")
    time.sleep(1.5)
    page.reload()
    page.wait_for_selector("#q-options input")
    assert page.locator(".palette .cells button.answered").count() == 5
    assert page.locator(".palette .cells button.flagged").count() == 1
    assert page.locator("#flag").get_attribute("aria-pressed") == "true"
    assert page.inner_text("#timer") <= timer_before
    assert stored_steps(server, attempt_id) == 6


def test_offline_answers_are_kept_and_sent_when_the_network_returns(page, server):  # type: ignore[no-untyped-def]
    attempt_id = start_test(page, server, candidate(server))
    page.context.set_offline(True)
    for _ in range(3):
        page.keyboard.press("1")
        page.keyboard.press("ArrowRight")
    page.wait_for_selector("#offline-banner:not([hidden])")
    assert stored_steps(server, attempt_id) == 0
    queued = page.evaluate(f"JSON.parse(localStorage.getItem('exam:{attempt_id}:queue')).length")
    assert queued == 3
    page.context.set_offline(False)
    wait_saved(page)
    page.wait_for_selector("#offline-banner[hidden]", state="attached")
    assert stored_steps(server, attempt_id) == 3


def test_queue_survives_a_crash_while_offline(page, server):  # type: ignore[no-untyped-def]
    attempt_id = start_test(page, server, candidate(server))
    context = page.context
    context.set_offline(True)
    page.keyboard.press("3")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("4")
    page.wait_for_selector("#offline-banner:not([hidden])")
    assert stored_steps(server, attempt_id) == 0
    page.close()  # the browser tab dies with two answers only in this computer's storage
    context.set_offline(False)
    again = context.new_page()
    again.goto(server + f"/exam/attempt/{attempt_id}")
    again.wait_for_selector("#q-options input")
    wait_saved(again)
    assert stored_steps(server, attempt_id) == 2
    assert again.locator(".palette .cells button.answered").count() == 2


def seconds_left(text: str) -> int:
    parts = [int(p) for p in text.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def test_second_device_resumes_the_same_attempt(chromium, server):  # type: ignore[no-untyped-def]
    username = candidate(server)
    first = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = first.new_page()
    attempt_id = start_test(page, server, username)
    for _ in range(4):
        page.keyboard.press("1")
        page.keyboard.press("ArrowRight")
    wait_saved(page)
    questions_first = page.evaluate("JSON.parse(document.getElementById('exam-data').textContent).questions.map(q => q.stem)")
    first.close()  # the first computer breaks
    second = chromium.new_context(viewport={"width": 1280, "height": 720})
    page2 = second.new_page()
    login(page2, server, username)
    page2.click("a.button.primary")
    page2.wait_for_url(f"**/exam/attempt/{attempt_id}")
    page2.wait_for_selector("#q-options input")
    assert page2.evaluate("JSON.parse(document.getElementById('exam-data').textContent).questions.map(q => q.stem)") == questions_first
    assert page2.locator(".palette .cells button.answered").count() == 4
    assert 110 * 60 < seconds_left(page2.inner_text("#timer")) < 120 * 60
    page2.keyboard.press("2")
    wait_saved(page2)
    assert stored_steps(server, attempt_id) == 5
    second.close()


def test_expiry_closes_the_attempt_after_the_browser_is_gone(chromium, short_server):  # type: ignore[no-untyped-def]
    context = chromium.new_context()
    page = context.new_page()
    attempt_id = start_test(page, short_server, candidate(short_server))
    keys = correct(short_server, attempt_id, page)
    answer_current(page, keys[0])
    page.keyboard.press("ArrowRight")
    answer_current(page, keys[1])
    wait_saved(page)
    context.close()  # nobody is left to submit
    deadline = time.time() + 60
    status = None
    while time.time() < deadline:
        with short_server.Session() as s:
            attempt = s.get(Attempt, attempt_id)
            status = attempt.status
            if status == "scored":
                break
        time.sleep(1)
    assert status == "scored"
    assert attempt.closed_by == "server" and attempt.points == 2.0 and attempt.score_percent == 2.0
