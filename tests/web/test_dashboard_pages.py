"""``/dashboard`` (issue #12 item 3): with the figures cached the page carries them inline (numbers, tables and
the charts' data equal to the JSON endpoint's); without, it is the shell at once (正在统计……, ``aria-busy``) and
computes nothing, the endpoint still answering; the poll interval is configurable and clamped; readers only.
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy.orm import Session
from test_dashboard_api import setup

from xinyong.auth.context import Context
from xinyong.dashboard import figures
from xinyong.dashboard.config import dashboard_config

FIGURES = re.compile(r'data-figures="([^"]*)"')


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    figures.clear_cache()
    yield
    figures.clear_cache()


def _browser(db: Session, name: str, role: str, **extra: object) -> dict[str, str]:
    return {"Cookie": login_headers(db, add_account(db, name, role, **extra))["Cookie"]}


def test_a_cold_page_is_the_shell_and_computes_nothing(
    api: TestClient, db: Session, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup(ctx)
    office = _browser(db, "dashp_cold", "credit_office_staff")

    def refuse(*_args: object) -> None:
        raise AssertionError("the page computed the figures")

    with monkeypatch.context() as patch:
        patch.setattr(figures, "_live", refuse)
        page = api.get("/dashboard", headers=office)
    assert page.status_code == 200
    html = unescape(page.text)
    assert "社会信用体系建设领导驾驶舱" in html and "各部门信用记录归集" in html and "工作要点进度" in html
    assert 'data-pending="1" aria-busy="true"' in html and "data-figures" not in html
    assert html.count("正在统计……") >= 8  # the status line and every panel
    assert 'data-k="records_total">…<' in html
    assert 'data-api="/api/v1/dashboard/figures"' in html and "<noscript>" in html
    served = api.get("/api/v1/dashboard/figures", headers=office)  # the endpoint computes
    assert served.status_code == 200 and served.json()["records_total"] > 0
    warm = api.get("/dashboard", headers=office).text  # now cached: inline
    assert "data-figures=" in warm and "data-pending" not in warm


def test_the_page_renders_the_figures_inline(api: TestClient, db: Session, ctx: Context) -> None:
    setup(ctx)
    office = _browser(db, "dashp_office", "credit_office_staff")
    first = api.get("/api/v1/dashboard/figures", headers=office).json()  # the figures cached
    page = api.get("/dashboard", headers=office)
    assert page.status_code == 200
    html = unescape(page.text)
    assert "社会信用体系建设领导驾驶舱" in html and "/static/vendor/echarts/echarts.min.js" in html
    assert "cdn" not in html.lower()
    inline = json.loads(unescape(FIGURES.search(page.text).group(1)))
    served = api.get("/api/v1/dashboard/figures", headers=office).json()
    assert inline == first  # the cached figures, as the endpoint served them
    assert {k: v for k, v in inline.items() if k != "computed_at"} == {
        k: v for k, v in served.items() if k != "computed_at"
    }
    # the numbers and tables are in the HTML itself (no script needed for the first paint)
    assert f'data-k="records_total">{inline["records_total"]}<' in html
    assert f'data-k="monitoring_score">{inline["monitoring"]["latest_score"]:.2f}<' in html
    assert "2021 年</span>工作要点进度" in html and "已逾期" in html
    assert "十一" in html  # the late items listed by numeral
    assert "<td>异议</td><td>3</td><td>2</td><td>1</td>" in html
    assert f'data-refresh="{dashboard_config().refresh_seconds}"' in html


def test_refresh_and_horizon_from_the_address(api: TestClient, db: Session, ctx: Context) -> None:
    setup(ctx)  # the shell and the inline page carry the same poll settings
    office = _browser(db, "dashp_office2", "credit_office_staff")
    fast = api.get("/dashboard?refresh=1", headers=office).text
    assert f'data-refresh="{dashboard_config().refresh_min_seconds}"' in fast
    wide = api.get("/dashboard?refresh=120&due_within=30", headers=office).text
    assert 'data-refresh="120"' in wide and 'data-api="/api/v1/dashboard/figures?due_within=30"' in wide
    assert api.get("/dashboard?due_within=99", headers=office).status_code == 422


def test_staff_readers_only(api: TestClient, db: Session, ctx: Context) -> None:
    assert api.get("/dashboard", follow_redirects=False).status_code in (302, 303, 401)
    auditor = _browser(db, "dashp_auditor", "auditor")
    assert api.get("/dashboard", headers=auditor).status_code == 403
