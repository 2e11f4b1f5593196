"""``rotate_pii``: every stored ID number and phone number re-encrypted under the current key and re-hashed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, update

from records_factories import make_batch, make_record
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import Account, AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.auth.pii_rotation import rotate_pii
from xinyong.records.models import Objection
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

KEY_OLD = Fernet.generate_key().decode()
KEY_NEW = Fernet.generate_key().decode()
RICS = ["11010519491231002X", "110105198512120014", "440106199001011235"]
PHONE = "13812345678"


def _people(ctx: Context) -> list[Subject]:
    people = []
    for i, ric in enumerate(RICS):
        data = SubjectIn.model_validate({"kind": "natural_person", "name": f"测试{i}", "ric": ric})
        people.append(register_subject(ctx, data))
    return people


def _account(ctx: Context, phone: str | None) -> Account:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    account = Account(
        username=f"user-{phone or 'none'}",
        display_name="测试",
        password_hash="!",
        role="credit_office_staff",
        phone_cipher=pii.encrypt(phone) if phone else None,
        phone_hash=pii.lookup_hash(phone) if phone else None,
        password_changed_at=now,
        created_at=now,
        created_by="test",
    )
    ctx.session.add(account)
    ctx.session.flush()
    return account


def _valid_ric(ric: str) -> bool:
    from xinyong.codes.check import check_code

    return check_code(ric, kind="ric").valid


def test_rotation_moves_everything_to_the_new_keys(ctx: Context, pii_keys) -> None:  # type: ignore[no-untyped-def]
    assert all(_valid_ric(r) for r in RICS)
    pii_keys(KEY_OLD)
    people = _people(ctx)
    staff = _account(ctx, PHONE)
    nobody = _account(ctx, None)
    old_ciphers = {p.id: p.ric_cipher for p in people}

    pii_keys(KEY_NEW, old=KEY_OLD, hash_key="hash-new")
    report = rotate_pii(ctx, chunk=2)  # several chunks
    assert report.ok and (report.subjects, report.accounts) == (3, 1)

    pii_keys(KEY_NEW, hash_key="hash-new")  # the old key is gone
    new_only = Fernet(KEY_NEW.encode())
    for person, ric in zip(people, RICS, strict=True):
        row = ctx.session.get(Subject, person.id)
        assert row is not None and row.ric_cipher != old_ciphers[person.id]
        assert new_only.decrypt(row.ric_cipher.encode()).decode() == ric
        assert row.ric_hash == pii.lookup_hash(ric)
        assert row.ric_masked == pii.mask_id(ric)
    account = ctx.session.get(Account, staff.id)
    assert account is not None and pii.decrypt(account.phone_cipher or "") == PHONE
    assert account.phone_hash == pii.lookup_hash(PHONE)
    assert ctx.session.get(Account, nobody.id).phone_cipher is None  # type: ignore[union-attr]
    with pytest.raises(InvalidToken):
        Fernet(KEY_OLD.encode()).decrypt(account.phone_cipher.encode())  # type: ignore[union-attr]

    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "pii.rotate").order_by(AuditEvent.id)
    ).one()
    assert event.outcome == "ok" and event.detail == {"subjects": 3, "accounts": 1, "records": 0, "objections": 0}
    for ric in RICS:
        assert ric not in str(event.detail)


def test_rotation_is_repeatable(ctx: Context, pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_OLD)
    _people(ctx)
    pii_keys(KEY_NEW, old=KEY_OLD)
    assert rotate_pii(ctx).ok
    assert rotate_pii(ctx).ok  # a second run (e.g. after an interruption) changes nothing that matters


def test_unreadable_values_are_reported_not_lost(ctx: Context, pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_OLD)
    people = _people(ctx)
    pii_keys(KEY_NEW)  # forgot XINYONG_PII_OLD_KEYS
    report = rotate_pii(ctx)
    assert not report.ok and report.subjects == 0 and report.bad_subjects == tuple(p.id for p in people)
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "pii.rotate").order_by(AuditEvent.id)
    ).one()
    assert event.outcome == "partial" and event.detail["bad_subjects"] == [p.id for p in people]
    pii_keys(KEY_NEW, old=KEY_OLD)  # fix the configuration and run again
    assert rotate_pii(ctx).ok
    pii_keys(KEY_NEW)
    assert pii.decrypt(ctx.session.get(Subject, people[0].id).ric_cipher or "") == RICS[0]  # type: ignore[union-attr]


def test_mixed_old_and_new_ciphertexts(ctx: Context, pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_OLD)
    first = _people(ctx)[0]
    pii_keys(KEY_NEW, old=KEY_OLD)
    ctx.session.execute(update(Subject).where(Subject.id == first.id).values(ric_cipher=pii.encrypt(RICS[0])))
    assert rotate_pii(ctx).subjects == 3


@pytest.mark.parametrize("role", ["credit_office_admin", "credit_office_staff", "auditor", "public"])
def test_only_the_operator_may_rotate(ctx: Context, role: str) -> None:
    with pytest.raises(PermissionDenied):
        rotate_pii(replace(ctx, role=role, actor=f"account:{role}"))


def test_objection_contacts_are_resealed(  # type: ignore[no-untyped-def]
    ctx: Context, pii_keys, departments: tuple[Department, Department]
) -> None:
    pii_keys(KEY_OLD)
    record = make_record(
        ctx.session, make_batch(ctx.session, departments[0]), doc_no="罚1", decided_on=date(2026, 3, 2)
    )
    objection = Objection(
        record_id=record.id,
        item_id=record.item_id,
        department_id=record.department_id,
        doc_no=record.doc_no,
        applicant_name="广州禾丰贸易有限公司",
        applicant_contact=pii.seal(PHONE),
        reasons="处罚已被撤销",
        status="submitted",
        accept_due=date(2026, 12, 1),
        rule_version=1,
        submitted_at=ctx.at,
        submitted_on=ctx.today,
    )
    ctx.session.add(objection)
    ctx.session.flush()
    pii_keys(KEY_NEW, old=KEY_OLD)
    report = rotate_pii(ctx)
    assert report.ok and report.objections == 1
    pii_keys(KEY_NEW)  # the old key is gone: the contact still opens
    assert pii.unseal(ctx.session.get(Objection, objection.id).applicant_contact) == PHONE  # type: ignore[union-attr]
