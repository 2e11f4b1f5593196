"""``xinyong pii rotate``: re-encrypt the stored ID numbers under a new key, on SQLite and PostgreSQL.

The procedure of docs/threat-model.md: new key in ``XINYONG_PII_KEY``, the old one in ``XINYONG_PII_OLD_KEYS``,
run the command, then drop the old key. Without a key that opens a row the command exits 1 and names the rows;
a malformed key is a configuration error (exit 2, one line, the key never echoed).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from typer.testing import CliRunner, Result

from testdb import rows
from xinyong.auth import pii
from xinyong.auth.context import system_context
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import session_scope
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
HASH_A = "pii-hash-key-a"
HASH_B = "pii-hash-key-b"
RIC = "11010519491231002X"
PiiKeys = Callable[..., None]  # the ``pii_keys`` fixture of tests/conftest.py


def rotate() -> Result:
    return CliRunner().invoke(app, ["pii", "rotate"])


def register_person() -> int:
    """A natural person registered through the service under the keys configured now; its id."""
    with session_scope() as session:
        data = SubjectIn.model_validate({"kind": "natural_person", "name": "王禾丰", "ric": RIC})
        return register_subject(system_context(session, actor="test"), data).id


def stored(url: str, subject_id: int) -> tuple[str, str]:
    """The subject's (ric_cipher, ric_hash) as stored."""
    [(cipher, digest)] = rows(url, select(Subject.ric_cipher, Subject.ric_hash).where(Subject.id == subject_id))
    return cipher, digest


def rotations(url: str) -> list[tuple[str, str, dict]]:
    statement = select(AuditEvent.outcome, AuditEvent.actor, AuditEvent.detail).where(AuditEvent.action == "pii.rotate")
    return [tuple(row) for row in rows(url, statement.order_by(AuditEvent.id))]  # type: ignore[misc]


def test_rotate_moves_the_stored_id_to_the_new_key(cli_db: str, pii_keys: PiiKeys) -> None:
    pii_keys(KEY_A, hash_key=HASH_A)
    person = register_person()
    before, _ = stored(cli_db, person)
    assert Fernet(KEY_A.encode()).decrypt(before.encode()).decode() == RIC

    pii_keys(KEY_B, old=KEY_A, hash_key=HASH_B)
    result = rotate()
    assert result.exit_code == 0, result.output
    assert result.stdout == "已重新加密：主体 1 个，账户 0 个，信用记录 0 条，异议联系方式 0 条\n"
    assert "Traceback" not in result.output

    pii_keys(KEY_B, hash_key=HASH_B)  # the old key removed: key B alone opens the stored value
    cipher, digest = stored(cli_db, person)
    assert cipher != before
    assert pii.decrypt(cipher) == RIC
    assert Fernet(KEY_B.encode()).decrypt(cipher.encode()).decode() == RIC
    with pytest.raises(InvalidToken):
        Fernet(KEY_A.encode()).decrypt(cipher.encode())
    assert digest == pii.lookup_hash(RIC)  # re-hashed under the new hash key too
    [(outcome, actor, detail)] = rotations(cli_db)
    assert outcome == "ok" and actor.startswith("cli:")
    assert detail == {"subjects": 1, "accounts": 0, "records": 0, "objections": 0}


def test_rotate_without_a_usable_key_exits_1_and_lists_the_rows(cli_db: str, pii_keys: PiiKeys) -> None:
    pii_keys(KEY_A, hash_key=HASH_A)
    person = register_person()
    before = stored(cli_db, person)

    pii_keys(KEY_B, hash_key=HASH_B)  # key A forgotten: nothing opens the stored value
    result = rotate()
    assert result.exit_code == 1, result.output
    assert result.stdout == "已重新加密：主体 0 个，账户 0 个，信用记录 0 条，异议联系方式 0 条\n"
    assert f"无法解密：主体 [{person}] 账户 []" in result.stderr
    assert "XINYONG_PII_OLD_KEYS" in result.stderr and "Traceback" not in result.output
    assert stored(cli_db, person) == before  # left as it was, still readable with key A
    pii_keys(KEY_A, hash_key=HASH_A)
    assert pii.decrypt(before[0]) == RIC
    [(outcome, _, detail)] = rotations(cli_db)
    assert outcome == "partial" and detail["bad_subjects"] == [person]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("current", "XINYONG_PII_KEY 不是有效的 Fernet 密钥"),
        ("old", "XINYONG_PII_OLD_KEYS 第 1 个 不是有效的 Fernet 密钥"),
    ],
)
def test_a_malformed_key_is_one_line_and_exit_2(cli_db: str, pii_keys: PiiKeys, setting: str, message: str) -> None:
    pii_keys(KEY_A, hash_key=HASH_A)
    person = register_person()
    before = stored(cli_db, person)
    malformed = "not-a-fernet-key-SECRET"
    if setting == "current":
        pii_keys(malformed, old=KEY_A, hash_key=HASH_B)
    else:
        pii_keys(KEY_B, old=malformed, hash_key=HASH_B)
    result = rotate()
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("错误: ") and message in lines[0]
    assert malformed not in result.output and "Traceback" not in result.output
    assert stored(cli_db, person) == before  # nothing written
    assert rotations(cli_db) == []
