"""Authorisation-matrix entries of web/api/privacy.py (PSI and private membership queries, issue #10).

A bank takes part only with ``privacy.psi`` and its institution registered and active on the platform (BANK, as
``matrix_lending.institution`` registers it; OTHER_BANK never registered: 403): ``bank`` and ``bank_token``. The
credit office (``privacy.read``) also lists the scopes, and alone reads versions and the exchange log and rebuilds
(``privacy.manage``). The request operation is called with an empty body: allowed banks get 422 (no version,
empty request), refused and logged like any bad request. Makers register BANK and build the scope as the console
operator (idempotent: an unchanged set is not rebuilt)."""

from __future__ import annotations

from matrix_common import BANKS_AUTHORISED, OFFICE, Spec
from matrix_lending import institution
from principals import Seed

from xinyong.auth.context import Context
from xinyong.privacy import psi_sets

SCOPE = "lists_dishonesty"


def registered(seed: Seed) -> int:
    """BANK registered (once); its id."""
    assert seed.session is not None
    return institution(seed.session).id


def built(seed: Seed) -> str:
    """BANK registered and ``SCOPE`` compiled; the scope."""
    registered(seed)
    assert seed.session is not None
    psi_sets.rebuild(Context(session=seed.session, actor="matrix:setup", role="system"), SCOPE)
    return SCOPE


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/privacy/sets"): Spec(OFFICE | BANKS_AUTHORISED, path={"registered": registered}),
    ("GET", "/api/v1/privacy/sets/{scope}/setup"): Spec(BANKS_AUTHORISED, path={"scope": built}),
    ("POST", "/api/v1/privacy/sets/{scope}/requests"): Spec(BANKS_AUTHORISED, path={"scope": built}),
    ("GET", "/api/v1/privacy/sets/{scope}/versions"): Spec(OFFICE, path={"scope": built}),
    ("POST", "/api/v1/privacy/sets/{scope}/rebuild"): Spec(
        OFFICE, path={"scope": built}, body=lambda s: {"reason": "矩阵测试"}
    ),
    ("GET", "/api/v1/privacy/exchanges"): Spec(OFFICE),
}
