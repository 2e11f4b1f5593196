"""API tokens: issued by the credit office admin, shown once, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import tokens
from xinyong.auth.context import Context
from xinyong.auth.credentials import TOKEN_PREFIX, hash_secret, resolve_token, token_context
from xinyong.auth.models import ApiToken, AuditEvent
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects.models import Department

TODAY = date(2026, 11, 27)  # conftest.PINNED_NOW in Beijing


def as_role(db: Session, role: str, **scope: object) -> Context:
    return Context(session=db, actor=f"test:{role}", role=role, **scope)  # type: ignore[arg-type]


def issue(admin: Context, department: Department, **overrides: object) -> tuple[str, ApiToken]:
    args: dict[str, object] = {
        "department_id": department.id,
        "scopes": ["subjects.read", "tokens.read"],
        "expires_on": TODAY + timedelta(days=365),
    }
    args.update(overrides)
    return tokens.create_token(admin, "市场监管局报送系统", "department_officer", **args)  # type: ignore[arg-type]


def test_token_is_shown_once_and_stored_hashed(db: Session, departments: tuple[Department, Department]) -> None:
    admin = as_role(db, "credit_office_admin")
    raw, token = issue(admin, departments[0])
    assert raw.startswith(f"{TOKEN_PREFIX}{token.prefix}_") and len(raw) > 40
    assert token.token_hash == hash_secret(raw)
    stored = db.execute(select(ApiToken.__table__)).mappings().one()
    assert raw not in {str(v) for v in stored.values()}
    assert all(raw not in str(v) and raw[len(TOKEN_PREFIX) + 9 :] not in str(v) for v in stored.values())
    found = resolve_token(db, raw, admin.at)
    assert found is not None and found.id == token.id
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "tokens.create").order_by(AuditEvent.id)).one()
    assert event.target_id == str(token.id) and event.actor == "test:credit_office_admin"
    assert raw not in str(event.detail) and event.detail["scopes"] == ["subjects.read", "tokens.read"]


def test_only_the_admin_issues_and_revokes(db: Session, departments: tuple[Department, Department]) -> None:
    for role in ("credit_office_staff", "department_officer", "regulator", "bank", "auditor", "subject", "public"):
        with pytest.raises(PermissionDenied):
            issue(as_role(db, role, department_id=departments[0].id), departments[0])
    _, token = issue(as_role(db, "credit_office_admin"), departments[0])
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(as_role(db, "credit_office_staff"), token.id, "离职")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"department_id": None}, "department_id"),
        ({"institution": "某银行"}, "institution"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["  "]}, "scopes"),
        ({"scopes": ["subjects.read", "tokens.manage"]}, "scopes"),  # beyond the department officer's role
        ({"scopes": ["bank.query"]}, "scopes"),
        ({"expires_on": TODAY}, "expires_on"),
        ({"expires_on": TODAY - timedelta(days=1)}, "expires_on"),
        ({"expires_on": TODAY + timedelta(days=367)}, "expires_on"),
        ({"expires_on": date(9999, 12, 31)}, "expires_on"),
        ({"department_id": 10**20}, "department_id"),
    ],
)
def test_department_token_rules(
    db: Session, departments: tuple[Department, Department], overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        issue(as_role(db, "credit_office_admin"), departments[0], **overrides)
    assert err.value.field == field
    assert db.scalar(select(ApiToken.id)) is None


def test_token_role_name_and_bank_rules(db: Session, departments: tuple[Department, Department]) -> None:
    admin = as_role(db, "credit_office_admin")
    later = TODAY + timedelta(days=30)
    cases: list[tuple[dict[str, object], str]] = [
        ({"name": "x", "role": "credit_office_admin", "scopes": ["subjects.read"]}, "role"),
        ({"name": "x", "role": "system", "scopes": ["subjects.read"]}, "role"),
        ({"name": "  ", "role": "bank", "institution": "某银行", "scopes": ["bank.query"]}, "name"),
        ({"name": "a\x00b", "role": "bank", "institution": "某银行", "scopes": ["bank.query"]}, "name"),
        ({"name": "x" * 65, "role": "bank", "institution": "某银行", "scopes": ["bank.query"]}, "name"),
        ({"name": "x", "role": "bank", "scopes": ["bank.query"]}, "institution"),
        ({"name": "x", "role": "bank", "institution": "某银行", "scopes": ["subjects.read"]}, "scopes"),
        (
            {"name": "x", "role": "bank", "institution": "某银行", "department_id": 1, "scopes": ["bank.query"]},
            "department_id",
        ),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as err:
            tokens.create_token(admin, expires_on=later, **kwargs)  # type: ignore[arg-type]
        assert err.value.field == field, kwargs
    _raw, bank = tokens.create_token(
        admin, " 某银行信贷系统 ", "bank", institution=" 某银行番禺支行 ", scopes=["bank.query"], expires_on=later
    )
    assert (bank.name, bank.institution, bank.department_id, bank.scopes) == (
        "某银行信贷系统",
        "某银行番禺支行",
        None,
        ["bank.query"],
    )
    # exactly token_max_days is allowed
    issue(admin, departments[0], expires_on=TODAY + timedelta(days=366))


def test_scopes_narrow_the_role(db: Session, departments: tuple[Department, Department]) -> None:
    admin = as_role(db, "credit_office_admin")
    _raw, token = issue(admin, departments[0], scopes=["tokens.read"])
    ctx = token_context(db, token)
    require(ctx, "tokens.read")
    with pytest.raises(PermissionDenied) as err:
        require(ctx, "subjects.read")  # the role has it, the token does not
    assert "令牌" in err.value.message


def test_token_expires_at_midnight_beijing_of_its_expiry_date(
    db: Session, departments: tuple[Department, Department]
) -> None:
    raw, token = issue(as_role(db, "credit_office_admin"), departments[0], expires_on=TODAY + timedelta(days=1))
    end = tokens.expiry_instant(TODAY + timedelta(days=1))
    assert resolve_token(db, raw, end - timedelta(seconds=1)) is not None
    assert resolve_token(db, raw, end) is None
    assert tokens.expiry_local(token) == "2026-11-28 00:00"
    assert tokens.is_active(token, end - timedelta(seconds=1)) and not tokens.is_active(token, end)


def test_revoked_token_stops_resolving(db: Session, departments: tuple[Department, Department]) -> None:
    admin = as_role(db, "credit_office_admin")
    raw, token = issue(admin, departments[0])
    with pytest.raises(InvalidInput):
        tokens.revoke_token(admin, token.id, "   ")
    with pytest.raises(NotFound):
        tokens.revoke_token(admin, token.id + 1000, "泄露")
    with pytest.raises(NotFound):
        tokens.revoke_token(admin, 2**70, "泄露")
    tokens.revoke_token(admin, token.id, "疑似泄露")
    assert resolve_token(db, raw, admin.at) is None
    with pytest.raises(Conflict):
        tokens.revoke_token(admin, token.id, "再次吊销")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "tokens.revoke").order_by(AuditEvent.id)).one()
    assert event.detail == {"prefix": token.prefix, "reason": "疑似泄露"}


def test_listing_is_scoped_to_the_department(db: Session, departments: tuple[Department, Department]) -> None:
    own, other = departments
    admin = as_role(db, "credit_office_admin")
    _, mine = issue(admin, own)
    _, theirs = issue(admin, other)
    _, bank = tokens.create_token(
        admin, "银行", "bank", institution="某银行", scopes=["bank.query"], expires_on=TODAY + timedelta(days=9)
    )
    assert [t.id for t in tokens.list_tokens(admin)] == [mine.id, theirs.id, bank.id]
    assert [t.id for t in tokens.list_tokens(as_role(db, "credit_office_staff"), other.id)] == [theirs.id]
    officer = as_role(db, "department_officer", department_id=own.id)
    assert [t.id for t in tokens.list_tokens(officer, own.id)] == [mine.id]
    with pytest.raises(PermissionDenied):
        tokens.list_tokens(officer, other.id)
    with pytest.raises(PermissionDenied):
        tokens.list_tokens(officer)  # all tokens: the credit office only
    with pytest.raises(PermissionDenied):
        tokens.list_tokens(as_role(db, "department_officer"), own.id)  # an officer without a department
    # a department's own token reads its department's tokens, but never another's
    token_ctx = token_context(db, mine)
    assert [t.id for t in tokens.list_tokens(token_ctx, own.id)] == [mine.id]
    with pytest.raises(PermissionDenied):
        tokens.list_tokens(token_ctx, other.id)
    for role in ("bank", "auditor", "subject", "regulator", "public"):
        with pytest.raises(PermissionDenied):
            tokens.list_tokens(as_role(db, role), own.id)
    with pytest.raises(NotFound):
        tokens.list_tokens(admin, other.id + 1000)


def test_department_by_code(db: Session, departments: tuple[Department, Department]) -> None:
    admin = as_role(db, "credit_office_admin")
    assert tokens.department_by_code(admin, " sfj ").id == departments[1].id
    with pytest.raises(NotFound):
        tokens.department_by_code(admin, "nope")
