"""``xinyong demo``: refuses an unmigrated database with one line; loads and summarises in Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.commands.demo import LIFECYCLE_KINDS
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine, reset_caches
from xinyong.demo.lifecycle import LifecycleSummary
from xinyong.government.models import IntegrityCheck, IntegrityFile, PublicBody
from xinyong.settings import get_settings
from xinyong.subjects.models import Subject


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_caches()
    yield url
    reset_caches()


def test_unmigrated_database_gets_one_clear_line(database: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--subjects", "50"])
    assert result.exit_code == 2
    assert "xinyong db upgrade" in result.output
    assert "Traceback" not in result.output


def test_loads_then_if_empty_skips(database: str) -> None:
    upgrade(make_engine(database))
    result = CliRunner().invoke(app, ["demo", "--subjects", "1200", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "主体 1,200 个" in result.output and "预置错码 1 个、重码 1 个" in result.output
    assert "名单条目" in result.output and "失信案例" in result.output
    again = CliRunner().invoke(app, ["demo", "--subjects", "1200", "--if-empty"])
    assert again.exit_code == 0 and "未载入" in again.output
    twice = CliRunner().invoke(app, ["demo", "--subjects", "1200"])
    assert twice.exit_code == 2 and "已有演示数据" in twice.output
    engine = create_engine(database)
    with engine.connect() as conn:
        # verified: the registry's 1,200 plus the public bodies and civil servants the government-integrity steps
        # register, each linked to its body, integrity file or record check (a check of a person without a file
        # still names the person)
        planted = Subject.source.in_(("公共机构名录", "公务员诚信档案"))
        verified = select(func.count()).select_from(Subject).where(Subject.verified)
        assert conn.scalar(verified.where(~planted)) == 1200
        linked = select(PublicBody.subject_id).union(
            select(IntegrityFile.subject_id), select(IntegrityCheck.subject_id)
        )
        added = conn.scalars(select(Subject.id).where(planted)).all()
        assert added and set(added) <= set(conn.scalars(linked).all())
        # unverified: the one firm the demo's received list names outside the registry, and the law firms,
        # lawyers, credit agencies and court-listed debtors the judicial and sector feeds bring in (created
        # unverified by intake and the list import, like any department's data)
        unverified = conn.scalars(select(Subject.source).where(~Subject.verified)).all()
        feeds = ("（律师及律师事务所执业信用信息）", "（信用服务机构信用信息）", "名单导入:court_dishonest_debtor")
        others = [source for source in unverified if not any(mark in source for mark in feeds)]
        assert others == ["名单导入:samr_serious_illegal"] and len(unverified) > 1
    engine.dispose()


def test_every_lifecycle_kind_has_a_label_for_the_summary() -> None:
    """A kind planted (or skipped with its reason) is named in the summary line: no kind without a label."""
    assert set(LIFECYCLE_KINDS) == {f.name for f in fields(LifecycleSummary)} - {"skipped"}
