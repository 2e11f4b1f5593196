"""``make screenshots``: the main pages of the platform in headless Chromium, at a desktop and a phone width,
saved as PNG files for review (default ``var/screenshots/``).

A fresh SQLite file gets the demo district (``--subjects``, default 3,000, with records and the lifecycle steps:
objections, repairs, lists, reports, articles, selections); two accounts are added (a credit office admin and an
enterprise's own account) and the pages are served by uvicorn on a free loopback port. Every page must answer
200: a page that fails stops the run with its URL and status (exit 1), so the target doubles as a smoke test.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
PASSWORD = "Screenshots-2026!"


@contextmanager
def serving() -> Iterator[str]:
    """The platform under uvicorn in a background thread on a free port of 127.0.0.1."""
    import uvicorn

    from xinyong.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise SystemExit("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def prepare(subjects: int) -> dict[str, Any]:
    """Migrate, load the demo district, add the two accounts; return the ids the page list needs."""
    from sqlalchemy import select

    from xinyong.auth import accounts
    from xinyong.auth.context import system_context
    from xinyong.db.migrate import upgrade
    from xinyong.db.session import get_engine, session_scope
    from xinyong.demo.service import load_demo
    from xinyong.portal.models import Article, Selection
    from xinyong.records.models import CreditRecord
    from xinyong.reports.models import CreditReport
    from xinyong.subjects.models import Subject

    upgrade(get_engine())
    with session_scope() as session:
        ctx = system_context(session, actor="screenshots")
        load_demo(ctx, subjects=subjects, seed=2021, records=1.0)
    with session_scope() as session:
        ctx = system_context(session, actor="screenshots")
        subject_id = session.scalar(
            select(CreditRecord.subject_id)
            .join(Subject, Subject.id == CreditRecord.subject_id)
            .where(Subject.kind == "legal_person", CreditRecord.item_id == "penalty")
            .order_by(CreditRecord.id)
            .limit(1)
        )
        accounts.create_account(
            ctx, "office", "区信用办管理员", PASSWORD, "credit_office_admin", must_change_password=False
        )
        accounts.create_account(
            ctx, "firm", "企业经办人", PASSWORD, "subject", subject_id=subject_id, must_change_password=False
        )
        report = session.scalar(select(CreditReport).order_by(CreditReport.id).limit(1))
        article_id = session.scalar(
            select(Article.id).where(Article.status == "published", Article.kind == "news").order_by(Article.id)
        )
        case_id = session.scalar(
            select(Article.id).where(Article.status == "published", Article.kind == "innovation_case")
        )
        selection_id = session.scalar(select(Selection.id).where(Selection.status == "published"))
        return {
            "subject_id": subject_id,
            "report": report.number if report else None,
            "article_id": article_id,
            "case_id": case_id,
            "selection_id": selection_id,
        }


def pages(ids: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(name, path, account) of every page to capture; ``account`` None for the public."""
    public: list[tuple[str, str, str | None]] = [
        ("home", "/", None),
        ("search", "/search?q=%E9%A3%9F%E5%93%81", None),
        ("subject", f"/subjects/{ids['subject_id']}", None),
        ("gongshi", "/gongshi/penalty", None),
        ("lists", "/lists/public", None),
        ("commitments", "/commitments/public", None),
        ("inspections", "/inspections/public", None),
        ("news", "/news", None),
        ("innovation_cases", "/innovation-cases", None),
        ("selections", "/selections", None),
        ("report_verify_form", "/reports/verify", None),
    ]
    if ids["article_id"]:
        public.append(("article", f"/news/{ids['article_id']}", None))
    if ids["case_id"]:
        public.append(("innovation_case", f"/innovation-cases/{ids['case_id']}", None))
    if ids["selection_id"]:
        public.append(("selection", f"/selections/{ids['selection_id']}", None))
    if ids["report"]:
        public.append(("report_verified", f"/reports/verify/{ids['report']}", None))
    own = [("my_records", "/my/records", "firm"), ("my_reports", "/my/reports", "firm")]
    office = [
        ("reports", "/reports", "office"),
        ("portal_admin", "/portal/admin", "office"),
        ("lists", "/lists", "office"),
    ]
    return public + own + office


def login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state("networkidle")


def capture(base: str, ids: dict[str, Any], out: Path) -> int:
    """Every page at every width; returns the number of files written (exits 1 on a failed page)."""
    from playwright.sync_api import sync_playwright

    written = 0
    failures: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for width_name, (width, height) in WIDTHS.items():
                contexts: dict[str | None, Any] = {}
                for name, path, account in pages(ids):
                    if account not in contexts:
                        contexts[account] = browser.new_context(
                            locale="zh-CN", viewport={"width": width, "height": height}
                        )
                        if account:
                            login(contexts[account].new_page(), base, account)
                    page = contexts[account].new_page()
                    response = page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    if response is None or response.status != 200:
                        failures.append(f"{path} ({account or 'public'}): {response.status if response else 'none'}")
                        continue
                    page.screenshot(path=str(out / f"{name}-{width_name}.png"), full_page=True)
                    page.close()
                    written += 1
                for context in contexts.values():
                    context.close()
        finally:
            browser.close()
    if failures:
        print("页面出错：\n" + "\n".join(failures), file=sys.stderr)
        raise SystemExit(1)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("var/screenshots"))
    parser.add_argument("--subjects", type=int, default=3000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XINYONG_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'screenshots.db'}"
        os.environ.setdefault("XINYONG_DEV_KEYS", "true")
        os.environ["XINYONG_REPORT_KEY_FILE"] = str(Path(tmp) / "report-key.pem")
        ids = prepare(args.subjects)
        with serving() as base:
            written = capture(base, ids, args.out.resolve())
    print(f"{written} 张截图已保存到 {args.out}")


if __name__ == "__main__":
    main()
