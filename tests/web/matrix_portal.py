"""Authorisation-matrix entries of web/api/portal.py (issue #8): articles and honest-enterprise selections.

Published articles, the campaigns, the scenarios and the selections (rules, winners) are public. Articles are
managed by the credit office only (``portal.publish``), drafts included. Selections: the office opens rounds,
reviews nominations and publishes results (``selections.manage``); departments' officers (and their API tokens)
and the office nominate and read a round with their nominations (``selections.nominate``). Regulators, banks,
subjects and auditors write nothing here.

Path makers work through the services as the console operator: a draft (lock_version 1) and a published
article; a round accepting nominations; a closed round with a fresh nomination to review; a closed round with one
approved nomination, ready to publish. Makers reuse a round already made in the module (one open round per list
and year).
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime

from matrix_common import ALL, OFFICE, Spec
from principals import Seed
from sqlalchemy import select

from factories import company
from xinyong.auth.context import Context
from xinyong.portal import articles, selections
from xinyong.portal.models import Selection

NOMINATORS = OFFICE | {"department_officer", "department_other", "department_token"}
EARLIER = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, before the closed rounds' closing day
CLOSED_ON = date(2026, 11, 10)
_SERIAL = itertools.count(1)
_LAST: dict[str, int] = {}


def _operator(seed: Seed, at: datetime | None = None) -> Context:
    assert seed.session is not None
    ctx = Context(session=seed.session, actor="matrix:setup", role="system")
    return dataclasses.replace(ctx, at=at) if at else ctx


def draft(seed: Seed) -> int:
    saved = articles.create_article(_operator(seed), "news", f"矩阵测试草稿{next(_SERIAL)}", "<p>草稿正文</p>")
    return saved.article.id


def published(seed: Seed) -> int:
    saved = articles.create_article(
        _operator(seed), "policy", f"矩阵测试政策{next(_SERIAL)}", "<p>政策正文</p>", publish=True
    )
    return saved.article.id


def _round(seed: Seed, list_code: str, year: int, closes_on: date, at: datetime | None = None) -> Selection:
    assert seed.session is not None
    found = seed.session.scalar(
        select(Selection).where(
            Selection.list_code == list_code, Selection.year == year, Selection.status != "published"
        )
    )
    if found is not None:
        return found
    return selections.open_selection(_operator(seed, at), list_code, year, f"矩阵测试评选{year}", closes_on)


def open_round(seed: Seed) -> int:
    """A round of 诚信示范中小企业 accepting nominations until the end of the year."""
    return _round(seed, "integrity_model_sme", 2026, date(2026, 12, 31)).id


def _nominee(seed: Seed, round_id: int) -> int:
    firm = company(_operator(seed), f"广州矩阵评选{next(_SERIAL)}有限公司", 960000 + next(_SERIAL))
    return selections.nominate(_operator(seed, EARLIER), round_id, firm.id, "矩阵测试推荐理由，符合评选条件。").id


def nomination(seed: Seed) -> int:
    """A fresh nomination (lock_version 1) in a closed round of 守合同重信用企业 2026."""
    round_ = _round(seed, "contract_honouring", 2026, CLOSED_ON, EARLIER)
    return _nominee(seed, round_.id)


def ready_round(seed: Seed) -> int:
    """A closed round of 守合同重信用企业 2025 with one approved nomination and nothing pending."""
    round_ = _round(seed, "contract_honouring", 2025, CLOSED_ON, EARLIER)
    made = _nominee(seed, round_.id)
    selections.review(_operator(seed), made, "approve", "矩阵测试：符合条件", None)
    _LAST["ready"] = round_.id
    return round_.id


def _ready_version(seed: Seed) -> int:
    assert seed.session is not None
    found = seed.session.get(Selection, _LAST["ready"])
    assert found is not None
    return found.lock_version


ARTICLE = {"kind": "news", "title": "矩阵测试新闻", "body_html": "<p>正文<script>alert(1)</script></p>"}

ENTRIES: dict[tuple[str, str], Spec] = {
    # --- public
    ("GET", "/api/v1/portal/articles"): Spec(ALL, params={"kind": "policy"}),
    ("GET", "/api/v1/portal/articles/{article_id}"): Spec(ALL, path={"article_id": published}),
    ("GET", "/api/v1/portal/campaigns"): Spec(ALL),
    ("GET", "/api/v1/portal/scenarios"): Spec(ALL),
    ("GET", "/api/v1/portal/selections"): Spec(ALL),
    ("GET", "/api/v1/portal/selections/{selection_id}"): Spec(ALL, path={"selection_id": open_round}),
    # --- the credit office: articles
    ("GET", "/api/v1/portal/admin/articles"): Spec(OFFICE, params={"status": "draft"}),
    ("GET", "/api/v1/portal/admin/articles/{article_id}"): Spec(OFFICE, path={"article_id": draft}),
    ("POST", "/api/v1/portal/admin/articles"): Spec(OFFICE, body=lambda s: ARTICLE),
    ("PUT", "/api/v1/portal/admin/articles/{article_id}"): Spec(
        OFFICE, path={"article_id": draft}, body=lambda s: ARTICLE | {"lock_version": 1}
    ),
    ("POST", "/api/v1/portal/admin/articles/{article_id}/publish"): Spec(
        OFFICE, path={"article_id": draft}, body=lambda s: {"lock_version": 1}
    ),
    ("POST", "/api/v1/portal/admin/articles/{article_id}/withdraw"): Spec(
        OFFICE, path={"article_id": published}, body=lambda s: {"lock_version": 1, "reason": "矩阵测试撤下"}
    ),
    # --- selections
    ("GET", "/api/v1/portal/admin/selections"): Spec(NOMINATORS),
    ("GET", "/api/v1/portal/admin/selections/{selection_id}"): Spec(NOMINATORS, path={"selection_id": open_round}),
    ("POST", "/api/v1/portal/admin/selections"): Spec(
        OFFICE,
        body=lambda s: {
            "list_code": "integrity_model_sme",
            "year": 2027,
            "title": "矩阵测试2027年度诚信示范中小企业评选",
            "closes_on": "2027-03-31",
        },
    ),
    ("POST", "/api/v1/portal/selections/{selection_id}/nominations"): Spec(
        NOMINATORS,
        path={"selection_id": open_round},
        body=lambda s: {"subject_id": s.other_firm.id, "reason": "矩阵测试推荐理由，符合评选条件。"},
    ),
    ("POST", "/api/v1/portal/admin/nominations/{nomination_id}/review"): Spec(
        OFFICE,
        path={"nomination_id": nomination},
        body=lambda s: {"decision": "approve", "note": "符合条件", "lock_version": 1},
    ),
    ("POST", "/api/v1/portal/admin/selections/{selection_id}/publish"): Spec(
        OFFICE,
        path={"selection_id": ready_round},
        body=lambda s: {"doc_no": "番发改〔2026〕矩阵1号", "lock_version": _ready_version(s)},
    ),
}
