"""``static/js/charts.js`` (the one chart bootstrap of the lending, incentive, monitoring and campaign pages) in
Chromium: each page script draws its chart from ``data-chart`` in the mode it asks for (replace the fallback table,
keep it below, or draw into the element), and leaves the fallback alone when there is no data. The page and the
scripts are served from the static directory through Playwright's routing (no server, no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_portal_browser import open_browser

from xinyong.web.templating import STATIC_DIR

ORIGIN = "http://charts.test"


def _page_html(charts: dict[str, object], scripts: list[str]) -> str:
    boxes = "".join(
        f"<div id='{cid}' data-chart='{json.dumps(data, ensure_ascii=False)}'><table><tr><td>表</td></tr></table></div>"
        for cid, data in charts.items()
    )
    tags = "".join(f"<script src='/static/js/{name}' defer></script>" for name in scripts)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<script src='/static/vendor/echarts/echarts.min.js' defer></script>{tags}</head><body>{boxes}</body></html>"
    )


def _serve(page: object, html: str) -> None:
    def handle(route: object) -> None:
        url: str = route.request.url  # type: ignore[attr-defined]
        if url.startswith(f"{ORIGIN}/static/"):
            path = Path(STATIC_DIR) / url.removeprefix(f"{ORIGIN}/static/")
            route.fulfill(path=str(path))  # type: ignore[attr-defined]
        else:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")  # type: ignore[attr-defined]

    page.route(f"{ORIGIN}/**", handle)  # type: ignore[attr-defined]


@pytest.mark.browser
def test_each_page_script_draws_its_chart_in_its_mode() -> None:
    from playwright.sync_api import sync_playwright

    charts = {
        "monitoring-trend-chart": {"months": ["2026-10", "2026-11"], "scores": [81.5, 83.25]},
        "monitoring-city-chart": {"bars": []},  # no data: the fallback table stays
        "incentive-stats-chart": {"scenarios": ["租房"], "eligible": [3], "not_eligible": [1], "refused": [0]},
        "lending-stats-chart": {"labels": [], "approved_amount": [], "registrations": []},
        "campaign-status-chart": {"statuses": ["治理中", "已整改"], "counts": [3, 1]},
    }
    html = _page_html(charts, ["charts.js", "monitoring.js", "incentives.js", "lending.js", "campaigns.js"])
    with sync_playwright() as pw:
        browser = open_browser(pw)
        try:
            page = browser.new_page()
            _serve(page, html)
            page.goto(f"{ORIGIN}/page")
            page.wait_for_selector("#monitoring-trend-chart canvas")
            page.wait_for_selector("#incentive-stats-chart canvas")
            page.wait_for_selector("#campaign-status-chart canvas")  # drawn into the element itself
            trend = page.locator("#monitoring-trend-chart")
            assert trend.locator("table").count() == 0  # replaced
            incentive = page.locator("#incentive-stats-chart")
            assert incentive.locator("table").count() == 1  # kept below the chart
            assert incentive.locator("div canvas").count() == 1
            city = page.locator("#monitoring-city-chart")
            assert city.locator("canvas").count() == 0 and city.locator("table").count() == 1
            lending = page.locator("#lending-stats-chart")
            assert lending.locator("canvas").count() == 0 and lending.inner_text() == "暂无数据"
        finally:
            browser.close()
