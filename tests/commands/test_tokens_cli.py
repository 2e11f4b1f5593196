"""``xinyong tokens``: issue (printed once), list (never the secret), revoke; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import market_regulator
from testdb import rows
from xinyong import clock
from xinyong.auth.credentials import hash_secret, resolve_token
from xinyong.auth.models import ApiToken, AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The CLI's migrated database (tests/commands/conftest.py) with one department, 市场监督管理局 (scjgj)."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        session.add(market_regulator())
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["tokens", *args])


def assert_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("错误: ") and fragment in result.stderr
    assert "Traceback" not in result.output


def test_create_prints_the_token_once_and_stores_its_hash(cli_db: str) -> None:
    result = run(
        "create", "市场监管局报送系统", "--role", "department_officer", "--department", "scjgj",
        "--scope", "subjects.read", "--scope", "tokens.read", "--days", "365",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert raw.startswith("xy_") and "\n" not in raw  # stdout is the token alone: pipe it into a secret store
    assert "仅显示这一次" in result.stderr and "2027-11-27 00:00" in result.stderr
    [(token,)] = rows(cli_db, select(ApiToken))
    assert token.token_hash == hash_secret(raw) and token.role == "department_officer"
    assert token.scopes == ["subjects.read", "tokens.read"] and token.created_by.startswith("cli:")
    engine = make_engine(cli_db)
    with Session(engine) as session:
        assert resolve_token(session, raw, clock.now()) is not None
    engine.dispose()
    [(action, detail)] = rows(cli_db, select(AuditEvent.action, AuditEvent.detail))
    assert action == "tokens.create" and raw not in str(detail)

    listing = run("list")
    assert listing.exit_code == 0
    assert token.prefix in listing.stdout and raw not in listing.stdout and token.token_hash not in listing.stdout
    assert "scjgj" in listing.stdout and "有效" in listing.stdout


def test_bank_token_and_revoke(cli_db: str) -> None:
    created = run("create", "某银行信贷系统", "--role", "bank", "--institution", "某银行", "--scope", "bank.query")
    assert created.exit_code == 0, created.output
    [(token_id,)] = rows(cli_db, select(ApiToken.id))
    assert_error(run("revoke", str(token_id), "--reason", "  "), "吊销原因")
    revoked = run("revoke", str(token_id), "--reason", "合作终止")
    assert revoked.exit_code == 0 and f"已吊销令牌 {token_id}" in revoked.stdout
    [(revoked_at,)] = rows(cli_db, select(ApiToken.revoked_at))
    assert revoked_at is not None
    assert "已吊销" in run("list").stdout
    assert_error(run("revoke", str(token_id), "--reason", "再次"), "已被吊销")
    assert_error(run("revoke", "999", "--reason", "x"), "未找到")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--role", "department_officer", "--department", "nope", "--scope", "subjects.read"], "nope"),
        (["--role", "department_officer", "--scope", "subjects.read"], "部门"),
        (["--role", "department_officer", "--department", "scjgj", "--scope", "tokens.manage"], "权限范围"),
        (["--role", "bank", "--scope", "bank.query"], "金融机构"),
        (["--role", "credit_office_admin", "--scope", "subjects.read"], "令牌角色"),
        (["--role", "bank", "--institution", "某银行", "--scope", "bank.query", "--days", "400"], "366"),
    ],
)
def test_create_errors_are_one_line(cli_db: str, args: list[str], fragment: str) -> None:
    assert_error(run("create", "x", *args), fragment)
    assert rows(cli_db, select(ApiToken.id)) == []


def test_list_by_department(cli_db: str) -> None:
    run("create", "a", "--role", "department_officer", "--department", "scjgj", "--scope", "subjects.read")
    run("create", "b", "--role", "bank", "--institution", "某银行", "--scope", "bank.query")
    only = run("list", "--department", "scjgj")
    assert only.exit_code == 0 and "某银行" not in only.stdout and "scjgj" in only.stdout
    assert_error(run("list", "--department", "nope"), "nope")
