"""Authorisation-matrix entries of web/api/campaigns.py (专项治理与屡禁不止、屡罚不改主体, issue #11 item 6).

Staff read (``campaigns.read``); the credit office manages campaigns and runs the detection; the lead unit's
officers (the seed's department, 区市场监管局 ``scjgj``, leads the matrix campaign) and its token update targets
and report progress; the other department (区司法局 ``sfj``) takes no part and is refused.
"""

from __future__ import annotations

from datetime import date

from matrix_common import OFFICE, STAFF_READERS, Spec
from principals import Seed
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import HEFENG_USCC

from xinyong.auth.context import Context
from xinyong.campaigns import service, violators
from xinyong.campaigns.models import Campaign, CampaignTarget, RepeatViolatorRun
from xinyong.campaigns.schemas import CampaignIn, TargetIn

CODE = "JZ-MATRIX-01"
LEAD_UNIT = OFFICE | {"department_officer", "department_token"}


def _session(seed: Seed) -> Session:
    assert seed.session is not None
    return seed.session


def _operator(session: Session) -> Context:
    return Context(session=session, actor="test:operator", role="system")


def campaign_id(seed: Seed) -> int:
    """The matrix campaign (led by scjgj, sthjfj taking part), made once."""
    session = _session(seed)
    found = session.scalar(select(Campaign.id).where(Campaign.code == CODE))
    if found is not None:
        return found
    data = CampaignIn(
        code=CODE,
        name="矩阵测试专项治理",
        sectors=["epidemic_supplies"],
        lead_unit="scjgj",
        units=["sthjfj"],
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 12, 31),
    )
    return service.create_campaign(_operator(session), data).id


def target_id(seed: Seed) -> int:
    """HEFENG in the matrix campaign's scope, made once."""
    session = _session(seed)
    cid = campaign_id(seed)
    found = session.scalar(select(CampaignTarget.id).where(CampaignTarget.campaign_id == cid))
    if found is not None:
        return found
    return service.add_target(_operator(session), cid, TargetIn(uscc=HEFENG_USCC, reason="矩阵测试")).id


def run_id(seed: Seed) -> int:
    """A stored detection run (made once)."""
    session = _session(seed)
    found = session.scalar(select(RepeatViolatorRun.id).order_by(RepeatViolatorRun.id).limit(1))
    if found is not None:
        return found
    return violators.run_detection(_operator(session), date(2026, 11, 27)).id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/campaigns/violators"): Spec(STAFF_READERS, params={"as_of": "2026-11-27"}),
    ("GET", "/api/v1/campaigns/violators/runs"): Spec(STAFF_READERS),
    ("POST", "/api/v1/campaigns/violators/runs"): Spec(OFFICE, body=lambda s: {"as_of": "2026-11-27"}),
    ("GET", "/api/v1/campaigns/violators/runs/{run_id}"): Spec(STAFF_READERS, path={"run_id": run_id}),
    ("GET", "/api/v1/campaigns/violators/runs/{run_id}/export"): Spec(
        STAFF_READERS, path={"run_id": run_id}, params={"format": "csv"}
    ),
    ("GET", "/api/v1/campaigns"): Spec(STAFF_READERS),
    ("POST", "/api/v1/campaigns"): Spec(
        OFFICE,
        body=lambda s: {
            "code": "JZ-MATRIX-NEW",
            "name": "矩阵新建行动",
            "sectors": ["environment"],
            "lead_unit": "sthjfj",
            "starts_on": "2026-11-01",
            "ends_on": "2026-12-31",
        },
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}"): Spec(STAFF_READERS, path={"campaign_id": campaign_id}),
    ("POST", "/api/v1/campaigns/{campaign_id}/close"): Spec(
        OFFICE, path={"campaign_id": campaign_id}, body=lambda s: {"result": "矩阵测试结束"}
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/targets"): Spec(STAFF_READERS, path={"campaign_id": campaign_id}),
    ("POST", "/api/v1/campaigns/{campaign_id}/targets"): Spec(
        OFFICE,
        path={"campaign_id": campaign_id},
        body=lambda s: {"uscc": HEFENG_USCC, "case_ref": "矩阵-1", "reason": "矩阵测试纳入"},
    ),
    ("POST", "/api/v1/campaigns/{campaign_id}/targets/from-run"): Spec(
        OFFICE, path={"campaign_id": campaign_id}, body=lambda s: {"run_id": run_id(s), "scope": "all"}
    ),
    ("POST", "/api/v1/campaigns/targets/{target_id}"): Spec(
        LEAD_UNIT, path={"target_id": target_id}, body=lambda s: {"status": "rectifying", "outcome": "整改中"}
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/progress"): Spec(STAFF_READERS, path={"campaign_id": campaign_id}),
    ("POST", "/api/v1/campaigns/{campaign_id}/progress"): Spec(
        LEAD_UNIT,
        path={"campaign_id": campaign_id},
        body=lambda s: {"unit_code": "scjgj", "note": "矩阵进展", "figures": {"subjects_checked": 3}},
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/violators"): Spec(STAFF_READERS, path={"campaign_id": campaign_id}),
}
