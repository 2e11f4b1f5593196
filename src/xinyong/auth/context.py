"""The ``Context`` every service function receives: who acts, in which role and scope, when, on which session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from xinyong import clock


@dataclass(frozen=True)
class Context:
    """Who does what, when, through which database session.

    ``department_id`` scopes a department officer (or a department's API token) to its own department's
    data; ``subject_id`` ties a self-service account to its subject; ``institution`` names a bank.
    ``account_id`` / ``token_id`` say which credential authenticated the request (None for the public and
    the console operator).
    """

    session: Session
    actor: str
    role: str
    department_id: int | None = None
    subject_id: int | None = None
    institution: str | None = None
    account_id: int | None = None
    token_id: int | None = None
    scopes: frozenset[str] | None = None  # an API token's allowed operations; None = the role's full set
    ip: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime = field(default_factory=clock.now)

    @property
    def today(self) -> date:
        """The acting date in China."""
        return self.at.astimezone(clock.CHINA_TZ).date()


def system_context(session: Session, actor: str = "system") -> Context:
    """Context for CLI commands and scheduled jobs run by the operator."""
    return Context(session=session, actor=actor, role="system")
