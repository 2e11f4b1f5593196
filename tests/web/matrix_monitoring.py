"""Authorisation-matrix entries of web/api/monitoring.py (issue #12 item 1, 城市信用状况监测预警).

Staff of every department (officers and their tokens), regulators and the credit office read the model, trend,
a month's results, its run history and entries, and the negative check (``monitoring.read``); only the credit
office runs a month (``monitoring.run``). Manual values (``monitoring.enter``) for ``compliance_done``
(应用合规), whose YAML names 区发改局 and 区司法局: the credit office, and the officer of ``seed.other_department``
(区司法局); the seed department's officer and token (区市场监管局) are refused (403). Subjects, banks and auditors
have no access. The month detail path runs the month first as the console operator, so readers reach data.
The city's published district results (issue #12 item 4): entered by the credit office only
(``monitoring.city_results``), read by every staff reader.
"""

from __future__ import annotations

from matrix_common import OFFICE, STAFF_READERS, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.monitoring import service

MONTH = "2026-11"


def computed_month(seed: Seed) -> str:
    """2026-11, computed."""
    assert seed.session is not None
    service.run_month(Context(session=seed.session, actor="matrix:setup", role="system"), MONTH)
    return MONTH


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/monitoring/model"): Spec(STAFF_READERS),
    ("GET", "/api/v1/monitoring/trend"): Spec(STAFF_READERS),
    ("GET", "/api/v1/monitoring/months/{month}"): Spec(STAFF_READERS, path={"month": computed_month}),
    ("GET", "/api/v1/monitoring/months/{month}/runs"): Spec(STAFF_READERS, path={"month": lambda s: MONTH}),
    ("GET", "/api/v1/monitoring/months/{month}/entries"): Spec(STAFF_READERS, path={"month": lambda s: MONTH}),
    ("GET", "/api/v1/monitoring/negative-check"): Spec(STAFF_READERS),
    ("POST", "/api/v1/monitoring/runs"): Spec(OFFICE, body=lambda s: {"month": MONTH}),
    ("POST", "/api/v1/monitoring/entries"): Spec(
        OFFICE | {"department_other"},
        body=lambda s: {
            "indicator": "compliance_done",
            "unit": "440113",
            "value": 90,
            "evidence": "信用信息应用合规自查报告（2026年11月）",
            "month": MONTH,
        },
    ),
}

CITY_BODY = {
    "month": "2026-10",
    "source": "广州市社会信用体系建设工作领导小组办公室《2026年10月各区城市信用监测情况通报》",
    "results": [
        {"district": "番禺区", "score": 86.5, "rank": 3, "own": True},
        {"district": "天河区", "score": 88.1, "rank": 1},
    ],
}
ENTRIES |= {
    ("POST", "/api/v1/monitoring/city-results"): Spec(OFFICE, body=lambda s: CITY_BODY),
    ("GET", "/api/v1/monitoring/city-results"): Spec(STAFF_READERS),
    ("GET", "/api/v1/monitoring/city-results/{month}"): Spec(STAFF_READERS, path={"month": lambda s: "2026-10"}),
}
