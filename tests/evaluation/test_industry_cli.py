"""``xinyong subjects set-industry SUBJECT INDUSTRY``: by id or USCC, the unknown-industry error, ``--clear``; the
explanation then follows the subject's industry model (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, uscc
from testdb import rows
from xinyong.auth.context import system_context
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.subjects.models import Subject


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The migrated CLI database (tests/conftest.py) holding one enterprise (``uscc(911)``)."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        company(system_context(session, "setup"), "广州命令行建筑工程有限公司", 911)
        session.commit()
    engine.dispose()
    return cli_db


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_set_industry_by_uscc_and_id(cli_db: str) -> None:
    done = cli("subjects", "set-industry", uscc(911), "construction")
    assert done.exit_code == 0, done.output
    assert "行业 建筑业（评价模型 construction）" in done.stdout
    [(subject_id, industry)] = rows(cli_db, select(Subject.id, Subject.industry))
    assert industry == "construction"
    shown = json.loads(cli("evaluate", "explain", str(subject_id), "--as-of", "2026-11-27", "--json").stdout)
    assert (shown["model"], shown["version"], shown["industry_label"]) == ("construction", 2, "建筑业")
    cleared = cli("subjects", "set-industry", str(subject_id), "--clear")
    assert cleared.exit_code == 0 and "未分类（评价模型 general）" in cleared.stdout
    assert rows(cli_db, select(Subject.industry)) == [(None,)]
    actions = [a for (a,) in rows(cli_db, select(AuditEvent.action).where(AuditEvent.action.like("subject.%")))]
    assert actions.count("subject.set_industry") == 2


def test_unknown_industry_and_subject_exit_2(cli_db: str) -> None:
    for args, fragment in (
        ((uscc(911), "mining"), "未知的行业 'mining'"),
        ((uscc(999), "construction"), "未找到"),
        ((uscc(911),), "--clear"),
        ((uscc(911), "construction", "--clear"), "--clear"),
    ):
        bad = cli("subjects", "set-industry", *args)
        assert bad.exit_code == 2 and bad.stderr.startswith("错误: ") and fragment in bad.stderr, bad.output
        assert "Traceback" not in bad.output
    assert rows(cli_db, select(Subject.industry)) == [(None,)]
