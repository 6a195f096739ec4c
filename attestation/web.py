"""What domain blueprints share without importing the Flask shell.

``db_session`` is a scoped session that ``exam_app.create_app`` binds to the configured engine
and removes at the end of each request; ``roles_required`` guards a view by role on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import scoped_session, sessionmaker

db_session = scoped_session(sessionmaker(expire_on_commit=False))

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: str) -> Callable[[F], F]:
    """401 for anonymous users (Flask-Login redirects to login), 403 for the wrong role."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from flask import current_app

                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
