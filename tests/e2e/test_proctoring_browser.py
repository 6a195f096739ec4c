"""Proctoring with a real browser and a fake camera: a face gives no incident; an empty room
raises one that reaches the proctor's queue, and two proctors' confirmation annuls the result
that the candidate then sees in the cabinet."""

from __future__ import annotations

import time

import pytest
from browser_setup import CHROMIUM, CHROMIUM_ARGS
from fake_camera import empty_room_clip, face_clip
from sqlalchemy import select
from test_exam_browser import candidate, login, start_test

from attestation.models import Campaign
from exam_app.accounts.models import User
from exam_app.exam.models import Attempt
from proctoring.models import Frame, Incident, ProctoringSession

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fast_frames(server):  # type: ignore[no-untyped-def]
    """Frames every 2 s instead of 10, so that a few seconds of test give several frames."""
    with server.Session() as s:
        for campaign in s.scalars(select(Campaign)):
            campaign.settings = {**campaign.settings, "frame_interval_seconds": 2}
        s.commit()
    return server


def _browser_with_camera(playwright_instance, clip):  # type: ignore[no-untyped-def]
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--use-file-for-fake-video-capture")]
    return playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=[*args, f"--use-file-for-fake-video-capture={clip}"])


@pytest.fixture
def playwright_instance(playwright_session):  # type: ignore[no-untyped-def]
    return playwright_session


def _sit(playwright_instance, server, clip, seconds: float) -> int:  # type: ignore[no-untyped-def]
    browser = _browser_with_camera(playwright_instance, clip)
    try:
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.set_default_timeout(20000)
        attempt_id = start_test(page, server, candidate(server))
        page.keyboard.press("1")
        deadline = time.time() + seconds
        while time.time() < deadline:
            with server.Session() as s:
                ps_id = s.scalar(select(ProctoringSession.id).where(ProctoringSession.attempt_id == attempt_id))
                analysed = s.scalar(select(Frame.id).where(Frame.session_id == ps_id, Frame.status == "analysed",
                                                           Frame.purpose == "periodic").offset(3).limit(1))
            if analysed:
                break
            time.sleep(0.5)
        page.click("#submit-open")
        page.click("#submit-confirm")
        page.wait_for_url("**/result")
    finally:
        browser.close()
    return attempt_id


def _incidents(server, attempt_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with server.Session() as s:
        ps_id = s.scalar(select(ProctoringSession.id).where(ProctoringSession.attempt_id == attempt_id))
        return list(s.scalars(select(Incident.kind).where(Incident.session_id == ps_id, Incident.stale.is_(False))))


def test_face_clip_gives_a_session_without_incidents(playwright_instance, fast_frames, tmp_path):  # type: ignore[no-untyped-def]
    attempt_id = _sit(playwright_instance, fast_frames, face_clip(tmp_path), 30)
    with fast_frames.Session() as s:
        ps = s.scalar(select(ProctoringSession).where(ProctoringSession.attempt_id == attempt_id))
        faces = s.scalars(select(Frame.face_count).where(Frame.session_id == ps.id, Frame.status == "analysed")).all()
        assert len(faces) >= 4 and all(n == 1 for n in faces)
        assert ps.identity_path is not None
    assert [k for k in _incidents(fast_frames, attempt_id) if k not in ("window_blur",)] == []


def test_empty_room_is_flagged_reviewed_and_annulled_by_two_proctors(playwright_instance, fast_frames, tmp_path, chromium):  # type: ignore[no-untyped-def]
    attempt_id = _sit(playwright_instance, fast_frames, empty_room_clip(tmp_path), 30)
    assert "no_face" in _incidents(fast_frames, attempt_id)
    with fast_frames.Session() as s:
        ps_id = s.scalar(select(ProctoringSession.id).where(ProctoringSession.attempt_id == attempt_id))
    context = chromium.new_context()
    page = context.new_page()
    page.goto(fast_frames + "/login?lang=en")
    page.fill("#username", "proctor")
    page.fill("#password", "demo-pass-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/proctor/**")
    row = page.locator(f"tr[data-session='{ps_id}']")
    assert "No face in view" in row.inner_text()
    row.locator("a").click()
    incident = page.locator("tr[data-kind='no_face']").first
    assert incident.locator("img").count() >= 1  # the frames that prove it are kept
    incident.locator("input[name=comment]").fill("the room is empty for the whole sitting")
    incident.locator("button[value=confirmed]").click()
    page.wait_for_load_state()
    incident = page.locator("tr[data-kind='no_face']").first
    incident.locator("input[name=reason]").fill("The candidate left the test: nobody in front of the camera.")
    page.once("dialog", lambda d: d.accept())
    incident.locator("button", has_text="Request annulment").click()
    page.wait_for_load_state()
    assert page.locator(".annulment[data-status=requested]").count() == 1
    context.close()
    second = chromium.new_context()
    page2 = second.new_page()
    page2.goto(fast_frames + "/login?lang=en")
    page2.fill("#username", "proctor2")
    page2.fill("#password", "demo-pass-2026")
    page2.click("button[type=submit]")
    page2.wait_for_url("**/proctor/**")
    page2.goto(fast_frames + f"/proctor/sessions/{ps_id}")
    page2.once("dialog", lambda d: d.accept())
    page2.click("text=Agree: annul the result")
    page2.wait_for_load_state()
    second.close()
    with fast_frames.Session() as s:
        attempt = s.get(Attempt, attempt_id)
        assert attempt.status == "annulled"
        username = s.scalar(select(User.username).where(User.worker_id == attempt.worker_id))
    cabinet_context = chromium.new_context()
    cabinet = cabinet_context.new_page()
    login(cabinet, fast_frames, username)
    cabinet.goto(fast_frames + "/cabinet/?lang=en")
    text = cabinet.content()
    assert "Annulled after a confirmed violation" in text and "nobody in front of the camera" in text
    cabinet_context.close()
