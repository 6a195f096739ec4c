"""Exam delivery over HTTP: start, saves (ordered, idempotent, late), submit and expiry, scoring, refusals."""

from __future__ import annotations

import threading
from datetime import timedelta

from exam_helpers import correct_display, csrf_of, entry_of, payload_of, save, start_attempt, wrong_display
from helpers import user_login_of, worker_by_surname
from sqlalchemy import func, select, update

from attestation import audit
from attestation.db import utcnow
from attestation.models import AttesteeEntry, Campaign, Worker
from attestation.web import db_session
from exam_app.exam import services
from exam_app.exam.models import AnswerStep, Attempt, Grading


def _candidate(app, login_as, surname: str = "Ахметов"):  # type: ignore[no-untyped-def]
    worker = worker_by_surname(app, surname)
    return worker, login_as(user_login_of(app, worker.id)), entry_of(app, worker.id)


def _attempt(app, attempt_id: int) -> Attempt:  # type: ignore[no-untyped-def]
    with app.app_context():
        attempt = db_session.get(Attempt, attempt_id)
        db_session.expunge(attempt)
        return attempt


def test_whole_test_answered_and_submitted_gives_the_right_score(app, login_as):  # type: ignore[no-untyped-def]
    worker, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id = payload["attempt"]
    questions = payload["questions"]
    assert len(questions) == 100
    assert sum(q["section"] == "legal" for q in questions) == 50
    assert all("key" not in q for q in questions)
    assert all(isinstance(o, str) and o for q in questions for o in q["options"])
    assert [q["section"] for q in questions] == ["legal"] * 50 + ["functional"] * 50
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}").text)
    correct = correct_display(app, attempt_id)
    steps = []
    for seq, q in enumerate(questions, start=1):  # 80 right, 20 wrong
        right = correct[q["position"]]
        steps.append({"position": q["position"], "seq": seq,
                      "response": right if seq <= 80 else wrong_display(right)})
    response = save(b, attempt_id, token, steps)
    assert response.json["ok"] and sorted(response.json["accepted"]) == list(range(1, 101))
    result = b.client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token})
    assert result.json["ok"]
    attempt = _attempt(app, attempt_id)
    assert attempt.status == "scored" and attempt.closed_by == "candidate"
    assert attempt.score_percent == 80.0 and attempt.threshold == 70 and attempt.passed
    assert attempt.outcome == "fits_position"
    page = b.get(f"/exam/attempt/{attempt_id}/result?lang=en").text
    assert "80.00%" in page and "70%" in page and "Fits the position held" in page
    cabinet = b.get("/cabinet/?lang=en").text
    assert "80.00%" in cabinet


def test_out_of_order_and_duplicate_saves(app, login_as):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id = payload["attempt"]
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}").text)
    position = payload["questions"][0]["position"]
    newer = {"position": position, "seq": 7, "response": [1]}
    older = {"position": position, "seq": 6, "response": [2]}
    assert save(b, attempt_id, token, [newer]).json["accepted"] == [7]
    assert save(b, attempt_id, token, [older]).json["accepted"] == [6]  # arrives late, stored, but older
    assert save(b, attempt_id, token, [newer]).json["accepted"] == [7]  # duplicate: acknowledged once
    with app.app_context():
        rows = db_session.scalar(select(func.count()).select_from(AnswerStep).where(AnswerStep.attempt_id == attempt_id))
        assert rows == 2
    state = b.get(f"/api/v1/attempts/{attempt_id}/state?answers=1").json
    assert state["answers"][str(position)]["response"] == [1] and state["max_seq"] == 7
    # a reload shows the same answer
    assert payload_of(b.get(f"/exam/attempt/{attempt_id}").text)["answers"][str(position)]["response"] == [1]


def test_malformed_saves_are_refused_with_a_reason(app, login_as):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id = payload["attempt"]
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}").text)
    single = next(q for q in payload["questions"] if not q["multiple"])
    bad = save(b, attempt_id, token, [{"position": single["position"], "seq": 1, "response": [0, 1]},
                                      {"position": 999, "seq": 2, "response": [0]},
                                      {"position": single["position"], "seq": 3, "response": [9]}])
    assert not bad.json["ok"] and {r["seq"] for r in bad.json["refused"]} == {1, 2, 3}
    assert bad.json["accepted"] == []
    garbage = b.client.post(f"/api/v1/attempts/{attempt_id}/steps", json={"steps": "x"}, headers={"X-CSRFToken": token})
    assert garbage.status_code == 400 and garbage.json["code"] == "bad_request"
    no_token = b.client.post(f"/api/v1/attempts/{attempt_id}/steps", json={"device": "device-0001", "steps": []})
    assert no_token.status_code == 400


def test_late_save_is_refused_and_logged_and_the_attempt_expires(app, login_as):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id = payload["attempt"]
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}").text)
    q = payload["questions"][0]
    assert save(b, attempt_id, token, [{"position": q["position"], "seq": 1, "response": [0]}]).json["ok"]
    with app.app_context():  # within the grace: still accepted
        db_session.execute(update(Attempt).where(Attempt.id == attempt_id)
                           .values(deadline_at=utcnow() - timedelta(seconds=services.GRACE_SECONDS - 5)))
        db_session.commit()
    assert save(b, attempt_id, token, [{"position": q["position"], "seq": 2, "response": [1]}]).json["ok"]
    with app.app_context():
        db_session.execute(update(Attempt).where(Attempt.id == attempt_id)
                           .values(deadline_at=utcnow() - timedelta(seconds=services.GRACE_SECONDS + 5)))
        db_session.commit()
    late = save(b, attempt_id, token, [{"position": q["position"], "seq": 3, "response": [2]}])
    assert late.json["refused"] == [{"seq": 3, "code": "deadline_passed"}]
    with app.app_context():
        logged = db_session.scalar(select(audit.AuditEntry).where(audit.AuditEntry.action == "exam.save_refused"))
        assert logged.after["steps"][0]["response"] == [2]
    attempt = _attempt(app, attempt_id)
    assert attempt.status == "scored" and attempt.closed_by == "server"
    state = b.get(f"/api/v1/attempts/{attempt_id}/state?answers=1").json
    assert state["answers"][str(q["position"])]["seq"] == 2


def test_server_expires_attempts_without_a_browser(app, login_as):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    attempt_id = start_attempt(b, entry_id)["attempt"]
    with app.app_context():
        db_session.execute(update(Attempt).where(Attempt.id == attempt_id)
                           .values(deadline_at=utcnow() - timedelta(minutes=1)))
        db_session.commit()
        assert services.expire_due(db_session, utcnow()) == 1
        assert services.expire_due(db_session, utcnow()) == 0
    attempt = _attempt(app, attempt_id)
    assert attempt.status == "scored" and attempt.score_percent == 0.0 and attempt.outcome == "does_not_fit_position"


def test_concurrent_submit_and_expiry_close_once(app, login_as, db_url):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    attempt_id = start_attempt(b, entry_id)["attempt"]
    from sqlalchemy.orm import sessionmaker

    engine = app.extensions["engine"]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(kind: str) -> None:
        session = sessionmaker(bind=engine)()
        try:
            attempt = session.get(Attempt, attempt_id)
            barrier.wait()
            if kind == "submit":
                services.submit(session, attempt, now=utcnow(), actor_id=1)
            else:
                services.expire(session, attempt, now=utcnow())
            session.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            session.rollback()
        finally:
            session.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in ("submit", "expire")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with app.app_context():
        closings = db_session.scalars(select(audit.AuditEntry.action).where(
            audit.AuditEntry.object_id == str(attempt_id),
            audit.AuditEntry.action.in_(["exam.submitted", "exam.expired"]))).all()
        assert len(closings) == 1
        assert db_session.scalar(select(func.count()).select_from(Grading).where(Grading.attempt_id == attempt_id)) == 1
        assert db_session.get(Attempt, attempt_id).status == "scored"


def test_refusals_not_admitted_outside_window_already_tested(app, login_as):  # type: ignore[no-untyped-def]
    worker, b, entry_id = _candidate(app, login_as)
    with app.app_context():
        db_session.execute(update(Worker).where(Worker.id == worker.id).values(training_hours_completed=10))
        db_session.commit()
    page = b.get(f"/exam/{entry_id}?lang=en")
    assert page.status_code == 403 and "You are not admitted to testing." in page.text
    with app.app_context():
        db_session.execute(update(Worker).where(Worker.id == worker.id).values(training_hours_completed=72))
        campaign_id = db_session.scalar(select(AttesteeEntry.campaign_id).where(AttesteeEntry.id == entry_id))
        campaign = db_session.get(Campaign, campaign_id)
        original = campaign.testing_from
        campaign.testing_from = original + timedelta(days=3)
        db_session.commit()
    page = b.get(f"/exam/{entry_id}?lang=en")
    assert page.status_code == 403 and "The testing window is not open yet." in page.text
    refused = b.post(f"/exam/{entry_id}/prepare", {"consent": "1", "exam_lang": "ru", "check_browser": "1",
                                                    "check_camera": "1"}, token_from="/cabinet/")
    assert refused.status_code == 403
    with app.app_context():
        campaign = db_session.get(Campaign, campaign_id)
        campaign.testing_from = original
        db_session.commit()
    payload = start_attempt(b, entry_id)
    token = csrf_of(b.get(f"/exam/attempt/{payload['attempt']}").text)
    b.client.post(f"/api/v1/attempts/{payload['attempt']}/submit", headers={"X-CSRFToken": token})
    again = b.client.post(f"/api/v1/attempts/{payload['attempt']}/submit", headers={"X-CSRFToken": token})
    assert again.json["ok"]  # a double submit changes nothing
    assert b.get(f"/exam/{entry_id}").headers["Location"].endswith("/result")


def test_preparation_requires_consent_and_a_camera(app, login_as):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    b.get(f"/exam/{entry_id}")
    page = b.post(f"/exam/{entry_id}/prepare?lang=en", {"check_browser": "1", "check_camera": "1", "exam_lang": "ru"},
                  token_from=f"/exam/{entry_id}", follow_redirects=True)
    assert "Consent to proctoring" in page.text
    page = b.post(f"/exam/{entry_id}/prepare?lang=en", {"check_browser": "1", "consent": "1", "exam_lang": "ru"},
                  token_from=f"/exam/{entry_id}", follow_redirects=True)
    assert "allow the camera" in page.text
    assert b.post(f"/exam/{entry_id}/start", {}, token_from=f"/exam/{entry_id}").status_code == 302
    with app.app_context():
        assert db_session.scalar(select(Attempt.status).where(Attempt.entry_id == entry_id)) in (None, "not_started")


def test_another_candidate_cannot_touch_the_attempt(app, login_as):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    attempt_id = start_attempt(b, entry_id)["attempt"]
    _, other, other_entry = _candidate(app, login_as, "Ким")
    token = csrf_of(other.get("/cabinet/").text) if "csrf-token" in other.get("/cabinet/").text else other.token("/me")
    assert other.get(f"/exam/attempt/{attempt_id}").status_code == 404
    assert other.get(f"/api/v1/attempts/{attempt_id}/state").status_code == 404
    assert save(other, attempt_id, token, [{"position": 1, "seq": 1, "response": [0]}]).status_code == 404
    assert other.get(f"/exam/{entry_id}").status_code == 404
    assert login_as("hr").get(f"/exam/attempt/{attempt_id}").status_code == 403


def test_extra_time_extends_the_deadline_and_is_audited(app, login_as):  # type: ignore[no-untyped-def]
    _, b, entry_id = _candidate(app, login_as)
    attempt_id = start_attempt(b, entry_id)["attempt"]
    before = _attempt(app, attempt_id).deadline_at
    with app.app_context():
        entry = db_session.get(AttesteeEntry, entry_id)
        services.grant_extra_time(db_session, entry, minutes=30, reason="visual impairment", actor_id=2,
                                  actor_label="pdo")
        db_session.commit()
    after = _attempt(app, attempt_id)
    assert after.deadline_at - before == timedelta(minutes=30) and after.extra_minutes == 30
    remaining = b.get(f"/api/v1/attempts/{attempt_id}/state").json["remaining"]
    assert 149 * 60 < remaining <= 150 * 60


def test_pdo_assembles_forms_ahead_and_the_start_uses_them(app, login_as):  # type: ignore[no-untyped-def]
    from question_bank.models import AssembledFormRecord

    pdo = login_as("pdo")
    response = pdo.post("/exam/campaigns/1/prepare-forms?lang=en", {}, token_from="/pdo/campaigns/1",
                        follow_redirects=True)
    assert "forms were assembled ahead of the sitting" in response.text
    worker, b, entry_id = _candidate(app, login_as)
    with app.app_context():
        listed = db_session.scalar(select(func.count()).select_from(AttesteeEntry).where(AttesteeEntry.status == "listed"))
        forms = db_session.scalar(select(func.count()).select_from(AssembledFormRecord))
        ahead = db_session.scalar(select(AssembledFormRecord.id).where(AssembledFormRecord.worker_id == worker.id))
    assert forms == listed
    attempt_id = start_attempt(b, entry_id)["attempt"]
    assert _attempt(app, attempt_id).form_id == ahead
    assert login_as("hr").post("/exam/campaigns/1/prepare-forms", {}, token_from="/hr/workers").status_code == 403


def _shown_as_stored(app, attempt_id: int, lang: str) -> dict[int, tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """Each question's stem and options in display order, read from the stored versions."""
    from question_bank.models import FormEntry, ItemVersion

    with app.app_context():
        attempt = db_session.get(Attempt, attempt_id)
        out = {}
        for e in db_session.scalars(select(FormEntry).where(FormEntry.form_id == attempt.form_id)):
            variant = db_session.get(ItemVersion, e.item_version_id).variant(lang)
            out[e.position] = (variant.stem, [variant.options[i] for i in e.option_order])
        return out


def test_test_page_shows_each_candidate_their_language_and_option_order(app, login_as):  # type: ignore[no-untyped-def]
    """The page's texts come from a per-process cache: it must still follow each form and language."""
    _, first, first_entry = _candidate(app, login_as)
    _, second, second_entry = _candidate(app, login_as, "Ким")
    shown = {"ru": start_attempt(first, first_entry, lang="ru"), "kk": start_attempt(second, second_entry, lang="kk")}
    for lang, payload in shown.items():
        stored = _shown_as_stored(app, payload["attempt"], lang)
        assert len(payload["questions"]) == 100
        for q in payload["questions"]:
            assert (q["stem"], q["options"]) == stored[q["position"]], (lang, q["position"])
    # a reload, now served from the cache, shows the same
    again = payload_of(first.get(f"/exam/attempt/{shown['ru']['attempt']}").text)
    assert again["questions"] == shown["ru"]["questions"]


def test_a_save_racing_the_submit_is_either_graded_or_refused(app, login_as):  # type: ignore[no-untyped-def]
    """The save read the attempt in progress, the submit closed it before the save's rows went in."""
    from sqlalchemy.orm import sessionmaker

    _, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id, question = payload["attempt"], payload["questions"][0]
    engine = app.extensions["engine"]
    saver, submitter = sessionmaker(bind=engine)(), sessionmaker(bind=engine)()
    stale = saver.get(Attempt, attempt_id)
    assert stale.status == "in_progress"
    saver.expunge(stale)  # what the saving request read before the submit
    saver.rollback()
    services.submit(submitter, submitter.get(Attempt, attempt_id), now=utcnow(), actor_id=1)
    submitter.commit()
    step = services.StepIn(position=question["position"], response=[0], flagged=False, device_id="racer-01", seq=1)
    from sqlalchemy.exc import IntegrityError

    try:
        services.save_steps(saver, stale, [step], now=utcnow(), actor_id=1)
        saver.commit()
        raised = False
    except IntegrityError as exc:
        raised = "attempt_closed" in str(exc)
    saver.rollback()
    saver.close()
    submitter.close()
    assert raised
    with app.app_context():
        assert db_session.scalar(select(func.count()).select_from(AnswerStep).where(AnswerStep.attempt_id == attempt_id)) == 0


def test_submit_regrades_when_a_step_lands_between_grading_and_closing(app, login_as):  # type: ignore[no-untyped-def]
    from sqlalchemy.orm import sessionmaker

    _, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id = payload["attempt"]
    position = payload["questions"][0]["position"]
    right = correct_display(app, attempt_id)[position]
    original = services.grade_attempt
    engine = app.extensions["engine"]

    def grade_then_a_save_lands(session, attempt):  # type: ignore[no-untyped-def]
        graded = original(session, attempt)
        if graded.last_step_id == 0:  # the first grading: a save from another request commits right after it
            other = sessionmaker(bind=engine)()
            step = services.StepIn(position=position, response=right, flagged=False, device_id="racer-02", seq=1)
            assert services.save_steps(other, other.get(Attempt, attempt_id), [step], now=utcnow(), actor_id=1).accepted
            other.commit()
            other.close()
        return graded

    services.grade_attempt = grade_then_a_save_lands
    try:
        session = sessionmaker(bind=engine)()
        attempt = session.get(Attempt, attempt_id)
        services.submit(session, attempt, now=utcnow(), actor_id=1)
        session.commit()
        assert attempt.status == "scored" and attempt.points == 1.0  # the racing answer counted
        session.close()
    finally:
        services.grade_attempt = original


def test_a_start_that_lost_a_race_keeps_the_winners_deadline(app, login_as):  # type: ignore[no-untyped-def]
    """Two starts of one attempt (two clicks, two devices): one opens it, the other sees it open."""
    from sqlalchemy.orm import sessionmaker

    _, b, entry_id = _candidate(app, login_as)
    b.get(f"/exam/{entry_id}")
    b.post(f"/exam/{entry_id}/prepare", {"check_browser": "1", "check_camera": "1", "check_connection": "1",
                                         "consent": "1", "exam_lang": "ru"}, token_from=f"/exam/{entry_id}")
    engine = app.extensions["engine"]
    late, early = sessionmaker(bind=engine)(), sessionmaker(bind=engine)()
    slow = late.scalar(select(Attempt).where(Attempt.entry_id == entry_id))  # read before the other start
    assert slow.status == "not_started"
    first = early.get(Attempt, slow.id)
    services.start(early, first, now=utcnow(), actor_id=1)
    early.commit()
    deadline = first.deadline_at
    services.start(late, slow, now=utcnow() + timedelta(seconds=5), actor_id=1)
    late.commit()
    assert slow.status == "in_progress" and slow.deadline_at == deadline
    with app.app_context():
        started = db_session.scalar(select(func.count()).where(
            audit.AuditEntry.action == "exam.started", audit.AuditEntry.object_id == str(slow.id)))
    assert started == 1
    late.close()
    early.close()


def _statements_holding_the_write_lock(engine, act):  # type: ignore[no-untyped-def]
    """Run ``act``; per transaction that wrote, the statements from its first write to its commit."""
    from sqlalchemy import event

    held: list[list[str]] = []
    current: dict[int, list[str]] = {}

    def seen(conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        key = id(conn.connection.dbapi_connection)
        if key in current:
            current[key].append(statement.split()[0])
        elif not statement.lstrip().upper().startswith(("SELECT", "PRAGMA")):
            current[key] = [statement.split()[0]]

    def committed(conn):  # type: ignore[no-untyped-def]
        done = current.pop(id(conn.connection.dbapi_connection), None)
        if done:
            held.append(done)

    event.listen(engine, "before_cursor_execute", seen)
    event.listen(engine, "commit", committed)
    try:
        act()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        event.remove(engine, "commit", committed)
    return held


def test_start_save_and_submit_hold_the_write_lock_for_few_statements(app, login_as):  # type: ignore[no-untyped-def]
    """At a start peak every statement under the write lock waits for the GIL: keep the reads before it."""
    login_as("pdo").post("/exam/campaigns/1/prepare-forms", {}, token_from="/pdo/campaigns/1")  # as for a sitting
    _, b, entry_id = _candidate(app, login_as)
    engine = app.extensions["engine"]
    b.get(f"/exam/{entry_id}")
    b.post(f"/exam/{entry_id}/prepare", {"check_browser": "1", "check_camera": "1", "check_connection": "1",
                                         "consent": "1", "exam_lang": "ru"}, token_from=f"/exam/{entry_id}")
    started = []
    held = _statements_holding_the_write_lock(engine, lambda: started.append(
        b.post(f"/exam/{entry_id}/start", {}, token_from=f"/exam/{entry_id}/rules")))
    assert started[0].status_code == 302
    # open the attempt, open the proctoring session, then at commit chain the audit entry (newest hash, insert)
    lock = ["SELECT"] if engine.dialect.name == "postgresql" else []  # the audit chain's advisory lock
    assert held == [["UPDATE", "INSERT", *lock, "SELECT", "INSERT"]]
    page = b.get(started[0].headers["Location"]).text
    payload, token = payload_of(page), csrf_of(page)
    attempt_id, position = payload["attempt"], payload["questions"][0]["position"]
    held = _statements_holding_the_write_lock(engine, lambda: save(
        b, attempt_id, token, [{"position": position, "response": [0], "seq": 1}]))
    assert held == [["INSERT"]]
    held = _statements_holding_the_write_lock(engine, lambda: b.client.post(
        f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": token}))
    assert len(held) == 1 and held[0][0] == "UPDATE" and len(held[0]) <= 12 + len(lock), held
    # both of the submit's audit entries (submitted, scored) are chained at the end, under one lock
    statements = held[0]
    inserts = 0  # the entries' INSERTs (one statement or two, as the driver batches them)
    while statements[-1 - inserts] == "INSERT":
        inserts += 1
    assert 1 <= inserts <= 2 and statements[-inserts - 1 - len(lock):-inserts] == [*lock, "SELECT"], held


def test_a_save_reads_only_the_user_and_the_attempt_once_its_form_is_known(app, login_as):  # type: ignore[no-untyped-def]
    """A sitting's hot path: the form's questions come from the process's cache, resends from the constraint."""
    from sqlalchemy import event

    _, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id, questions = payload["attempt"], payload["questions"]
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}").text)
    assert save(b, attempt_id, token, [{"position": questions[0]["position"], "response": [0], "seq": 1}]).json["ok"]
    engine = app.extensions["engine"]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        statements.append(statement.split()[0] + (" exam_answer_step" if "exam_answer_step" in statement else ""))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = save(b, attempt_id, token, [{"position": questions[1]["position"], "response": [1], "seq": 2}])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.json["accepted"] == [2]
    assert statements == ["SELECT", "SELECT", "INSERT exam_answer_step"], statements  # user, attempt, the step
    # a step sent again is refused by the constraint at the write, then acknowledged, and stored once
    again = save(b, attempt_id, token, [{"position": questions[1]["position"], "response": [1], "seq": 2}])
    assert again.status_code == 200 and again.json["accepted"] == [2] and again.json["ok"]
    with app.app_context():
        assert db_session.scalar(select(func.count()).where(AnswerStep.attempt_id == attempt_id)) == 2


def test_the_timer_sync_reads_the_attempt_and_its_proctoring_in_one_query(app, login_as):  # type: ignore[no-untyped-def]
    """Every sitting candidate syncs every 30 s: the user, then the attempt joined with its proctoring session."""
    from sqlalchemy import event

    from proctoring.models import ProctoringSession

    _, b, entry_id = _candidate(app, login_as)
    attempt_id = start_attempt(b, entry_id)["attempt"]
    engine = app.extensions["engine"]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        body = b.get(f"/api/v1/attempts/{attempt_id}/state").json
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert body["ok"] and body["status"] == "in_progress" and 0 < body["remaining"] <= 120 * 60
    with app.app_context():
        ps = db_session.scalar(select(ProctoringSession).where(ProctoringSession.attempt_id == attempt_id))
    assert body["proctoring"]["enabled"] is True
    assert body["proctoring"]["identity_taken"] is bool(ps.identity_path)
    assert body["proctoring"]["frame_interval"] == float(ps.settings.get("frame_interval_seconds", 10))
    selects = [sql for sql in statements if sql.upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the user (with grants), then the attempt with its session
    assert "exam_attempt" in selects[1] and "proctor_session" in selects[1], selects


def _prepare(b, entry_id: int):  # type: ignore[no-untyped-def]
    b.get(f"/exam/{entry_id}")
    return b.post(f"/exam/{entry_id}/prepare?lang=en", {"check_browser": "1", "check_camera": "1",
                                                        "check_connection": "1", "consent": "1", "exam_lang": "ru"},
                  token_from=f"/exam/{entry_id}", follow_redirects=True)


def test_the_form_is_found_at_preparation_so_the_start_reads_little(app, login_as):  # type: ignore[no-untyped-def]
    """Everyone presses start in the same minute; the form ahead is found minutes before, at preparation."""
    import re

    from sqlalchemy import event

    from proctoring.models import ProctoringSession
    from question_bank.models import AssembledFormRecord

    login_as("pdo").post("/exam/campaigns/1/prepare-forms", {}, token_from="/pdo/campaigns/1")
    worker, b, entry_id = _candidate(app, login_as)
    _prepare(b, entry_id)
    with app.app_context():
        ahead = db_session.scalar(select(AssembledFormRecord.id).where(AssembledFormRecord.worker_id == worker.id))
        attempt = db_session.scalar(select(Attempt).where(Attempt.entry_id == entry_id))
        assert attempt.status == "not_started" and attempt.form_id == ahead is not None
        prepared = db_session.scalars(select(audit.AuditEntry).where(
            audit.AuditEntry.action == "exam.prepared", audit.AuditEntry.object_id == str(attempt.id))).one()
        assert prepared.after["form_id"] == ahead and prepared.after["lang"] == "ru"
    engine = app.extensions["engine"]
    read: list[str] = []

    def seen(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            table = re.search(r"\bFROM\s+(\w+)", statement)  # each query's own table (none: the chain's lock)
            read.append(table.group(1) if table else statement.split()[1])

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = b.post(f"/exam/{entry_id}/start", {}, token_from=f"/exam/{entry_id}/rules")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 302 and "/exam/attempt/" in response.headers["Location"]
    assert not {"bank_form", "proctor_session", "career_centre"} & set(read), read
    with app.app_context():
        attempt = db_session.scalar(select(Attempt).where(Attempt.entry_id == entry_id))
        assert attempt.status == "in_progress" and attempt.form_id == ahead
        assert db_session.scalar(select(func.count()).where(ProctoringSession.attempt_id == attempt.id)) == 1
    # a second click on start (another tab) changes nothing and opens no second proctoring session
    again = b.post(f"/exam/{entry_id}/start", {}, token_from=f"/exam/attempt/{attempt.id}")
    assert again.status_code == 302
    with app.app_context():
        assert db_session.scalar(select(func.count()).where(ProctoringSession.attempt_id == attempt.id)) == 1


def test_no_form_for_the_position_is_a_clear_refusal_at_preparation(app, login_as):  # type: ignore[no-untyped-def]
    from question_bank.models import ItemVersion

    with app.app_context():  # the bank holds no active question (all withdrawn)
        db_session.execute(update(ItemVersion).values(status="retired"))
        db_session.commit()
    _, b, entry_id = _candidate(app, login_as)
    page = _prepare(b, entry_id)
    assert "Your test cannot be assembled yet" in page.text
    ru = b.post(f"/exam/{entry_id}/prepare?lang=ru", {"check_browser": "1", "check_camera": "1", "consent": "1",
                                                      "exam_lang": "ru"}, token_from=f"/exam/{entry_id}",
                follow_redirects=True)
    assert "Ваш тест пока не может быть собран" in ru.text
    with app.app_context():
        attempt = db_session.scalar(select(Attempt).where(Attempt.entry_id == entry_id))
        assert attempt is None or (attempt.status == "not_started" and attempt.consent_at is None)
    assert b.post(f"/exam/{entry_id}/start", {}, token_from=f"/exam/{entry_id}").status_code == 302
    with app.app_context():
        assert db_session.scalar(select(Attempt.status).where(Attempt.entry_id == entry_id)) in (None, "not_started")


def test_the_cached_forms_cost_the_garbage_collector_nothing(app, login_as):  # type: ignore[no-untyped-def]
    """A served process caches the forms of a whole sitting; tracked objects would be walked at every full
    collection, which pauses all of the process's threads (measured 0.1-0.2 s at a start peak)."""
    import gc

    _, b, entry_id = _candidate(app, login_as)
    payload = start_attempt(b, entry_id)
    attempt_id, question = payload["attempt"], payload["questions"][0]
    token = csrf_of(b.get(f"/exam/attempt/{attempt_id}").text)
    assert save(b, attempt_id, token, [{"position": question["position"], "response": [0], "seq": 1}]).json["ok"]
    cached = app.extensions["form_targets"][_attempt(app, attempt_id).form_id]
    assert len(cached) == 100
    gc.collect()  # the first collection stops tracking the option orders, the second the tuples that hold them
    gc.collect()
    assert not any(gc.is_tracked(target) for target in cached.values())


def test_a_served_process_freezes_its_start_up_heap_and_collects_young_objects_rarely():  # type: ignore[no-untyped-def]
    import gc

    from exam_app.cli import _tune_collector

    before = gc.get_threshold()
    try:
        _tune_collector()
        assert gc.get_freeze_count() > 10_000 and gc.get_threshold()[0] == 50_000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
