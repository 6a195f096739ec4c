"""Closes attempts whose time is up even when no browser is left to ask.

One daemon thread per server process; several processes may sweep at once because closing is
a conditional UPDATE that only one of them wins.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

log = logging.getLogger(__name__)


def start_sweeper(app: Flask) -> threading.Thread | None:
    interval = float(app.config.get("EXPIRY_SWEEP_SECONDS") or 0)
    if interval <= 0:
        return None
    stop = threading.Event()

    def run() -> None:
        from attestation.db import utcnow
        from attestation.web import db_session
        from exam_app.exam.services import expire_due, finalize_due, purge_evidence_due

        ticks = 0
        while not stop.wait(interval):
            ticks += 1
            with app.app_context():
                try:
                    closed = expire_due(db_session, utcnow())
                    if closed:
                        log.info("closed %s expired attempt(s)", closed)
                    if ticks % max(1, round(60 / interval)) == 0:  # once a minute
                        from exam_app import load_calendar_overrides

                        load_calendar_overrides()
                    if ticks % 60 == 1:  # the daily kind of work, a few times an hour
                        finalize_due(db_session, utcnow())
                        purge_evidence_due(
                            db_session, utcnow(), margin_days=int(app.config.get("EVIDENCE_MARGIN_DAYS", 30))
                        )
                        db_session.commit()
                except Exception:  # keep sweeping: one bad attempt must not stop the others
                    log.exception("expiry sweep failed")
                    db_session.rollback()
                finally:
                    db_session.remove()

    thread = threading.Thread(target=run, name="attempt-expiry", daemon=True)
    thread.start()
    app.extensions["expiry_sweeper"] = (thread, stop)
    return thread
