"""``xinyong scores``: run (text and --json), show a person by id or ID number, models; bad input exits 2 with
the reason on stderr. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments, ric
from records_factories import make_batch, make_record
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

RIC = ric(seq="771")


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The migrated CLI database (tests/conftest.py) with a clean person, a person with a general penalty and a
    firm."""
    _seed(cli_db)
    return cli_db


def _seed(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        ctx = system_context(session, "setup")
        scjgj, _ = departments(session)
        register_subject(ctx, SubjectIn(kind="natural_person", name="李清白", ric=ric(seq="770")))
        person = register_subject(ctx, SubjectIn(kind="natural_person", name="王处罚", ric=RIC))
        record = make_record(
            session,
            make_batch(session, scjgj),
            doc_no="番市监罚〔2026〕77号",
            decided_on=date(2026, 6, 1),
            subject=person,
        )
        record.severity = "general"
        company(ctx, "广州命令行企业有限公司", 903)
        session.commit()
    engine.dispose()


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["scores", *args])


def test_run_show_models(cli_db: str) -> None:
    done = run("run", "--as-of", "2026-11-27")
    assert done.exit_code == 0, done.output
    assert "2 人" in done.output and "信用良好" in done.output
    again = run("run", "--json")
    assert again.exit_code == 0
    dist = json.loads(again.stdout)
    assert dist["run"]["persons"] == 2 and {b["band"]: b["persons"] for b in dist["bands"]}["good"] == 2

    shown = run("show", RIC)
    assert shown.exit_code == 0, shown.output
    assert "610 分" in shown.output and "扣 40 分" in shown.output and "王**" in shown.output
    as_json = json.loads(run("show", RIC, "--json").stdout)
    assert as_json["score"] == 610 and len(as_json["history"]) == 2

    models = run("models")
    assert models.exit_code == 0 and "honesty" in models.output and "法律依据" in models.output


def test_bad_input_exits_2(cli_db: str) -> None:
    for args, words in (
        (("run", "--as-of", "2026-13-01"), "YYYY-MM-DD"),
        (("run", "--model", "nope"), "没有个人诚信分模型"),
        (("show", "123456789012345678"), "无效"),
        (("show", "3"), "仅适用于自然人"),
        (("show", RIC), "尚未计算"),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr, (args, result.stderr)
