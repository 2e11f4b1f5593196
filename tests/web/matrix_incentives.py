"""Authorisation-matrix entries of web/api/incentives.py (issue #9 item 3, 守信激励场景).

The catalogue is public. The credit office lists, registers and suspends providers and reads the statistics
(``incentives.read`` / ``incentives.manage``). A subject's account (``incentives.own``) lists providers and its
consents, issues and revokes them; the seed's subject columns are firms, which pass the permission and are then
refused as not natural persons (422: allowed in the matrix's sense). Only the registered provider's account and token
(``incentives.check``) ask eligibility, with the person's consent token for that provider (``seed_incentives``).
"""

from __future__ import annotations

from matrix_common import ALL, OFFICE, PROVIDERS, Spec

from factories import uscc

SUBJECTS = frozenset({"subject", "subject_other"})

ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/incentives/scenarios"): Spec(ALL),
    ("GET", "/api/v1/incentives/providers"): Spec(OFFICE),
    ("POST", "/api/v1/incentives/providers"): Spec(
        OFFICE, body=lambda s: {"name": "番禺某旅行社有限公司", "uscc": uscc(616161), "kind": "tourism"}
    ),
    ("POST", "/api/v1/incentives/providers/{provider_id}/active"): Spec(OFFICE, body=lambda s: {"active": False}),
    ("GET", "/api/v1/incentives/consent-providers"): Spec(SUBJECTS),
    ("GET", "/api/v1/incentives/consents"): Spec(SUBJECTS),
    ("POST", "/api/v1/incentives/consents"): Spec(
        SUBJECTS, body=lambda s: {"provider_id": s.provider_id, "scenario": "rental_deposit_waiver"}
    ),
    ("POST", "/api/v1/incentives/consents/{consent_id}/revoke"): Spec(SUBJECTS),
    ("POST", "/api/v1/incentives/eligibility"): Spec(
        PROVIDERS, body=lambda s: {"token": s.consent_token, "scenario": "rental_deposit_waiver"}
    ),
    ("GET", "/api/v1/incentives/stats"): Spec(OFFICE),
}
