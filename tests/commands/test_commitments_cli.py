"""``xinyong commitments list`` and ``feed``: filters, overdue marks, JSON shape and errors, on both databases."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

import factories
from testdb import rows
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.records import commitments as cm


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """Two departments; three commitments of one firm: two for 市场监管局 (one overdue on 2027-02-01, one kept),
    one for 司法局."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        ctx = Context(session=session, actor="setup", role="system")
        scjgj, sfj = factories.departments(session)
        firm = factories.company(ctx, "广州禾丰贸易有限公司", 1)
        for department, kind, matter in (
            (scjgj, "approval_substitute", "食品经营许可"),
            (scjgj, "voluntary", "守法经营"),
            (sfj, "certification", "法律援助申请"),
        ):
            cm.sign_commitment(
                ctx,
                subject_id=firm.id,
                kind=kind,
                department_id=department.id,
                matter=matter,
                text="承诺属实。",
                signer_name="李四",
            )
        kept = session.scalars(select(cm.Commitment).where(cm.Commitment.matter == "守法经营")).one()
        cm.verify_commitment(ctx, kept.id, "kept", "")
        cm.flag_overdue(ctx, date(2027, 2, 1))
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["commitments", *args])


def test_list_json_with_filters(cli_db: str) -> None:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["total"] == 3 and body["as_of"] == "2026-11-27"
    assert [i["matter"] for i in body["items"]] == ["食品经营许可", "守法经营", "法律援助申请"]
    first = body["items"][0]
    assert (first["kind_label"], first["verify_due"], first["overdue"]) == ("审批替代型", "2027-01-26", True)
    scjgj = json.loads(run("list", "--department", "scjgj", "--json").stdout)
    assert [i["matter"] for i in scjgj["items"]] == ["食品经营许可", "守法经营"]
    kept = json.loads(run("list", "--status", "kept", "--json").stdout)
    assert [i["matter"] for i in kept["items"]] == ["守法经营"]
    overdue = json.loads(run("list", "--overdue", "--json").stdout)
    assert [i["matter"] for i in overdue["items"]] == ["食品经营许可", "法律援助申请"]
    actions = [a for (a,) in rows(cli_db, select(AuditEvent.action))]
    assert actions.count("read.commitment") == 4


def test_list_table(cli_db: str) -> None:
    result = CliRunner().invoke(app, ["commitments", "list"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "食品经营许可" in result.stdout and "已逾期" in result.stdout and "已履约" in result.stdout


def test_feed_of_one_department(cli_db: str) -> None:
    result = run("feed", "--department", "sfj", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [i["matter"] for i in body["items"]] == ["法律援助申请"] and body["department_id"] is not None
    later = json.loads(run("feed", "--department", "sfj", "--since", "2026-11-28", "--json").stdout)
    assert later["total"] == 0 and later["since"] == "2026-11-28"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("feed", "--department", "nope"), "未登记"),
        (("feed", "--department", "sfj", "--since", "yesterday"), "--since"),
        (("list", "--status", "lost"), "状态无效"),
    ],
)
def test_errors_exit_2_in_chinese(cli_db: str, args: tuple[str, ...], fragment: str) -> None:
    result = run(*args)
    assert result.exit_code == 2 and result.stderr.startswith("错误: ") and fragment in result.stderr
    assert "Traceback" not in result.output


def test_feed_needs_a_department(cli_db: str) -> None:
    result = run("feed", "--json")
    assert result.exit_code == 2 and "--department" in result.output
