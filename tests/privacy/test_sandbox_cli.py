"""``xinyong sandbox``: views, a query (table and --json; a refusal exits 2 with the reason and is stored),
the stored queries, a federated demo run (--json); on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from testdb import rows
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.privacy.models import FederatedRun, SandboxQuery
from xinyong.subjects.models import Subject


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The migrated CLI database (tests/conftest.py) with 12 enterprises in 市桥街道 and 3 in 沙头街道."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
        session.add_all(
            Subject(
                kind="legal_person",
                name=f"企业{i}",
                township_code="440113007" if i < 12 else "440113008",
                created_at=at,
            )
            for i in range(15)
        )
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["sandbox", *args])


def test_the_commands(cli_db: str) -> None:
    views = run("views")
    assert views.exit_code == 0 and "每组至少 10 个主体" in views.output and "records\t信用记录统计" in views.output

    table = run("query", "--view", "subjects", "--by", "township", "--measure", "subjects", "--epsilon", "0.5")
    assert table.exit_code == 0, table.output
    assert "发布 1 组" in table.output and "隐去 1 组" in table.output and "township=440113007" in table.output

    out = run("query", "--view", "subjects", "--measure", "subjects", "--filter", "township=440113007", "--json")
    assert out.exit_code == 0
    release = json.loads(out.output)
    assert release["status"] == "released" and release["filters"] == {"township": ["440113007"]}

    refused = run("query", "--view", "subjects", "--by", "name", "--measure", "subjects")
    assert refused.exit_code == 2 and "不允许按 name 分组" in refused.output
    bad = run("query", "--view", "subjects", "--measure", "subjects", "--filter", "township")
    assert bad.exit_code == 2 and "筛选条件须为" in bad.output
    statuses = [s for (s,) in rows(cli_db, select(SandboxQuery.status).order_by(SandboxQuery.id))]
    assert statuses == ["suppressed", "released", "refused"]
    assert len(rows(cli_db, select(AuditEvent.id).where(AuditEvent.action == "sandbox.query"))) == 3

    listed = run("queries")
    assert listed.exit_code == 0 and listed.output.count("\n") == 3

    fl = run("federated-run", "--rows", "300", "--features", "3", "--key-bits", "1024", "--seed", "2", "--json")
    assert fl.exit_code == 0, fl.output
    stored = json.loads(fl.output)
    assert stored["status"] == "within_tolerance" and stored["key_bits"] == 1024
    assert [r for (r,) in rows(cli_db, select(FederatedRun.rows))] == [300]
    text = run("federated-run", "--rows", "300", "--features", "3", "--key-bits", "1024")
    assert text.exit_code == 0 and "准确率 联邦" in text.output and "platform→bank" in text.output
    weak = run("federated-run", "--rows", "300", "--key-bits", "512")
    assert weak.exit_code == 2 and "密钥长度" in weak.output
    few = run("federated-run", "--from-registry", "--key-bits", "1024")
    assert few.exit_code == 2 and "登记在册的企业不足 200 家" in few.output
