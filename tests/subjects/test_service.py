"""Registry actions: validation, duplicates, corrections, audit."""

import pytest
from sqlalchemy import select

from factories import company, ric, uscc
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput
from xinyong.subjects import service
from xinyong.subjects.models import CodeCorrection, Subject
from xinyong.subjects.schemas import SubjectIn


def test_register_normalises_code_and_audits(ctx: Context) -> None:
    code = uscc(1)
    messy = " " + code[:6].lower() + "-" + code[6:] + "\u3000"
    s = service.register_subject(ctx, SubjectIn(kind="legal_person", name="广州禾丰食品有限公司", uscc=messy))
    assert s.uscc == code
    assert s.uscc_problems == ""
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject.register").order_by(AuditEvent.id)
    ).one()
    assert event.target_id == str(s.id)


def test_erroneous_code_is_stored_flagged(ctx: Context) -> None:
    good = uscc(2)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    s = service.register_subject(ctx, SubjectIn(kind="legal_person", name="错码公司", uscc=bad))
    assert s.uscc_problems == "check_char"


def test_duplicate_code_refused_unless_loading_source(ctx: Context) -> None:
    company(ctx, "甲公司", 3)
    with pytest.raises(Conflict) as err:
        company(ctx, "乙公司", 3)
    assert "重码" in err.value.message
    dup = company(ctx, "乙公司", 3, allow_duplicate=True)
    assert dup.uscc == uscc(3)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "robot", "name": "x", "uscc": uscc(4)}, "kind"),
        ({"kind": "legal_person", "name": "x"}, "uscc"),
        ({"kind": "legal_person", "name": "x", "uscc": "123"}, "uscc"),
        ({"kind": "legal_person", "name": "x", "uscc": "00000000000000000X"}, "uscc"),
        ({"kind": "individual_business", "name": "x", "uscc": "00000000000000000X"}, "reg_no"),
        ({"kind": "legal_person", "name": "x", "uscc": uscc(4), "township_code": "440115001"}, "township_code"),
        ({"kind": "natural_person", "name": "张三"}, "ric"),
        ({"kind": "natural_person", "name": "张三", "ric": "440113198503121231"}, "ric"),
        ({"kind": "legal_person", "name": "x", "uscc": uscc(4), "ric": ric()}, "ric"),
    ],
)
def test_invalid_subjects_are_refused_with_field(ctx: Context, data: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        service.register_subject(ctx, SubjectIn(**data))
    assert err.value.field == field
    assert ctx.session.scalar(select(Subject.id)) is None


def test_placeholder_allowed_for_individual_business_with_reg_no(ctx: Context) -> None:
    s = service.register_subject(
        ctx,
        SubjectIn(
            kind="individual_business",
            name="番禺区市桥陈记餐饮店",
            uscc="00000000000000000X",
            reg_no="440126600123456",
            legal_representative="陈大文",
        ),
    )
    assert s.uscc == "00000000000000000X"


def test_natural_person_id_encrypted_and_hashed(ctx: Context) -> None:
    number = ric()
    s = service.register_subject(ctx, SubjectIn(kind="natural_person", name="张三", ric=number))
    assert number not in (s.ric_cipher or "")
    assert pii.decrypt(s.ric_cipher or "") == number
    assert s.ric_hash == pii.lookup_hash(number)
    assert s.ric_masked == "4401**********" + number[-4:]
    found = ctx.session.scalars(select(Subject).where(Subject.ric_hash == pii.lookup_hash(number))).one()
    assert found.id == s.id


def test_correct_code_records_history(ctx: Context) -> None:
    good = uscc(5)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    s = service.register_subject(ctx, SubjectIn(kind="legal_person", name="待纠错公司", uscc=bad))
    c = service.correct_code(ctx, s.id, good, reason="校验位错误", source="区市场监管局登记档案")
    assert (c.old_value, c.new_value, c.corrected_by) == (bad, good, "tester")
    assert s.uscc == good
    assert s.uscc_problems == ""
    assert ctx.session.scalars(select(CodeCorrection)).one().subject_id == s.id
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject.correct_code").order_by(AuditEvent.id)
    ).one()
    assert event.detail["old"] == bad


def test_correct_code_refuses_invalid_taken_or_unsourced(ctx: Context) -> None:
    a = company(ctx, "甲公司", 6)
    company(ctx, "乙公司", 7)
    with pytest.raises(InvalidInput):
        service.correct_code(ctx, a.id, uscc(8)[:17] + "Z", reason="r", source="s")
    with pytest.raises(Conflict):
        service.correct_code(ctx, a.id, uscc(7), reason="r", source="s")
    with pytest.raises(InvalidInput) as err:
        service.correct_code(ctx, a.id, uscc(8), reason="r", source=" ")
    assert err.value.field == "source"
    assert a.uscc == uscc(6)


def test_public_cannot_write(db) -> None:  # type: ignore[no-untyped-def]
    public = Context(session=db, actor="anon", role="public")
    with pytest.raises(PermissionDenied):
        service.register_subject(public, SubjectIn(kind="legal_person", name="x", uscc=uscc(9)))


def test_rename_reindexes_for_search(ctx: Context) -> None:
    from xinyong.subjects.queries import search_subjects

    s = company(ctx, "广州旧名贸易有限公司", 10)
    service.rename_subject(ctx, s.id, "广州新名贸易有限公司", source="变更登记")
    assert search_subjects(ctx.session, "旧名").total == 0
    assert [i.id for i in search_subjects(ctx.session, "新名").items] == [s.id]


def test_recheck_codes_updates_flags(ctx: Context) -> None:
    s = company(ctx, "甲公司", 11)
    s.uscc_problems = "stale"
    ctx.session.flush()
    assert service.recheck_codes(ctx) == 1
    assert s.uscc_problems == ""
