"""Authorisation-matrix entries of web/api/notifications.py (issue #5).

Every logged-in caller reads its own notifications. Marking one read is open to every logged-in caller too:
the notification of the path (one to the credit office) is marked by the office and is a 404, not a 403, for
everyone else (another's notification is not revealed to exist).
"""

from __future__ import annotations

import itertools

from matrix_common import LOGGED_IN, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.records import cases

_KEYS = itertools.count(1)


def office_notification(seed: Seed) -> int:
    """A notification to the credit office."""
    assert seed.session is not None
    ctx = Context(session=seed.session, actor="matrix:setup", role="system")
    note = cases.notify(
        ctx,
        case_type="objection",
        case_id=1,
        kind="task",
        message="收到异议申请",
        dedupe_key=f"matrix:notification:{next(_KEYS)}",
        to_office=True,
    )
    assert note is not None
    seed.session.flush()
    return note.id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/notifications"): Spec(LOGGED_IN),
    ("POST", "/api/v1/notifications/{notification_id}/read"): Spec(
        LOGGED_IN, path={"notification_id": office_notification}
    ),
}
