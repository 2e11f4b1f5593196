"""Request-scoped dependencies: the database session and the acting context."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.db.session import session_scope

PUBLIC_ACTOR = "public"


def get_session() -> Iterator[Session]:
    """One session per request: committed when the request succeeds, rolled back when it fails."""
    with session_scope() as session:
        yield session


def get_public_context(session: Session = Depends(get_session)) -> Context:
    """The context of an anonymous reader of the public site (role ``public``)."""
    return Context(session=session, actor=PUBLIC_ACTOR, role="public")
