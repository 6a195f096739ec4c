"""The test page's scripts and styles are answered before Flask: no session, no user, no database."""

from __future__ import annotations

from sqlalchemy import event


def test_static_files_skip_the_request_hooks_and_revalidate(app, login_as):  # type: ignore[no-untyped-def]
    user = login_as("pdo")
    engine = app.extensions["engine"]
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        first = user.client.get("/static/exam/test.js")
        again = user.client.get("/static/exam/test.js", headers={"If-None-Match": first.headers["ETag"]})
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert first.status_code == 200 and b"function" in first.data
    assert first.headers["Content-Type"].startswith("text/javascript")
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=0" in first.headers["Cache-Control"]  # a new release is picked up at the next load
    assert again.status_code == 304 and again.data == b""
    assert "Set-Cookie" not in first.headers
    assert statements == []  # the logged-in user was not loaded for a script


def test_missing_or_escaping_static_paths_are_not_found(app, login_as):  # type: ignore[no-untyped-def]
    user = login_as("pdo")
    for path in ("/static/nope.js", "/static/../config.py", "/static/%2e%2e/config.py", "/static/"):
        assert user.client.get(path).status_code == 404, path
