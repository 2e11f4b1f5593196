"""Authorisation-matrix entries of web/api/personal_scores.py (issue #9 item 2, 个人诚信分).

The credit office runs the scoring (``incentives.manage``) and reads the runs, the band distribution and one
person's score (``incentives.read``). A subject reads its own score (``incentives.own``): the matrix's subjects are
enterprises, so they are allowed but answered 422 (natural persons only); everyone else is refused. The path
maker of a person's score runs the scoring first as the console operator, so the office reaches a stored score.
"""

from __future__ import annotations

from matrix_common import OFFICE, TODAY, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.incentives import scoring

OWN = frozenset({"subject", "subject_other"})


def scored_person(seed: Seed) -> int:
    """The seed's natural person, scored as of the pinned day."""
    assert seed.session is not None
    scoring.run(Context(session=seed.session, actor="matrix:setup", role="system"), TODAY)
    return seed.person.id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("POST", "/api/v1/personal-scores/runs"): Spec(OFFICE, body=lambda s: {"as_of": TODAY.isoformat()}),
    ("GET", "/api/v1/personal-scores/runs"): Spec(OFFICE),
    ("GET", "/api/v1/personal-scores/distribution"): Spec(OFFICE),
    ("GET", "/api/v1/personal-scores/me"): Spec(OWN),
    ("GET", "/api/v1/personal-scores/subjects/{subject_id}"): Spec(OFFICE, path={"subject_id": scored_person}),
}
