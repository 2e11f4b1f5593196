"""Registered departments: add (code or USCC as code), duplicates, USCC checks, look-up by code or USCC, audit."""

import pytest
from sqlalchemy import select

from factories import uscc
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects import departments
from xinyong.subjects.models import Department

CODE_A = uscc(101, authority="1", org_type="1")  # a government body's code (机构编制, 机关)
CODE_B = uscc(102, authority="1", org_type="1")


def test_add_with_short_code_and_uscc_is_audited(ctx: Context) -> None:
    dept = departments.add_department(ctx, " scjgj ", " 广州市番禺区市场监督管理局 ", uscc=CODE_A.lower())
    assert (dept.code, dept.name, dept.uscc) == ("scjgj", "广州市番禺区市场监督管理局", CODE_A)
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "department.add").order_by(AuditEvent.id)
    ).one()
    assert event.target_type == "department" and event.target_id == str(dept.id)
    assert event.detail["code"] == "scjgj" and event.detail["uscc"] == CODE_A and event.detail["warnings"] == []


def test_code_may_be_the_uscc_itself(ctx: Context) -> None:
    dept = departments.add_department(ctx, CODE_A, "广州市番禺区司法局")
    assert dept.code == CODE_A and dept.uscc == CODE_A


def test_code_that_is_a_uscc_must_agree_with_the_uscc_option(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as err:
        departments.add_department(ctx, CODE_A, "广州市番禺区司法局", uscc=CODE_B)
    assert err.value.field == "uscc" and "不一致" in err.value.message


def test_uscc_is_required(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as err:
        departments.add_department(ctx, "sfj", "广州市番禺区司法局")
    assert err.value.field == "uscc" and "统一社会信用代码" in err.value.message


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("11440113MB00001", "长度"),  # 15 characters
        ("Z1440113MB0000010", "长度"),
        ("15440113MB0000001X", "登记管理部门"),  # authority 1 has no type 5
        ("11999999MB0000001X", "行政区划"),
        ("00000000000000000X", "占位"),
    ],
)
def test_malformed_uscc_is_refused(ctx: Context, code: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        departments.add_department(ctx, "sfj", "广州市番禺区司法局", uscc=code)
    assert err.value.field == "uscc" and fragment in err.value.message
    assert ctx.session.scalars(select(Department)).all() == []


def test_wrong_check_character_is_accepted_with_a_warning(ctx: Context) -> None:
    wrong = CODE_A[:17] + ("0" if CODE_A[17] != "0" else "1")
    dept = departments.add_department(ctx, "sfj", "广州市番禺区司法局", uscc=wrong)
    assert dept.uscc == wrong
    assert any("校验码" in w for w in departments.uscc_warnings(wrong))
    assert departments.uscc_warnings(CODE_A) == []
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "department.add").order_by(AuditEvent.id)
    ).one()
    assert event.detail["warnings"] != []


def test_invalid_short_code_is_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput) as err:
        departments.add_department(ctx, "市场监管", "广州市番禺区市场监督管理局", uscc=CODE_A)
    assert err.value.field == "code"


def test_a_township_registers_under_its_division_code(ctx: Context) -> None:
    """A 镇街 gets accounts as a department whose code is its division code (the unit code of the work plan,
    enforcement cases and campaigns); another 9-digit number is not a township."""
    town = departments.add_department(ctx, "440113007", "广州市番禺区人民政府市桥街道办事处", uscc=CODE_A)
    assert town.code == "440113007"
    with pytest.raises(InvalidInput) as err:
        departments.add_department(ctx, "440113999", "某街道办事处", uscc=CODE_B)
    assert err.value.field == "code" and "镇街" in err.value.message


@pytest.mark.parametrize(
    ("code", "name", "code_uscc", "fragment"),
    [
        ("scjgj", "另一个名称", CODE_B, "部门代码 scjgj 已登记"),
        ("other", "广州市番禺区市场监督管理局", CODE_B, "部门名称"),
        ("other", "另一个名称", CODE_A, "已被部门 scjgj"),
    ],
)
def test_duplicates_are_refused(ctx: Context, code: str, name: str, code_uscc: str, fragment: str) -> None:
    departments.add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=CODE_A)
    with pytest.raises(Conflict) as err:
        departments.add_department(ctx, code, name, uscc=code_uscc)
    assert fragment in err.value.message
    assert len(ctx.session.scalars(select(Department)).all()) == 1


def test_only_admins_manage_departments(db, ctx: Context) -> None:  # type: ignore[no-untyped-def]
    officer = Context(session=db, actor="officer", role="credit_office_staff")
    with pytest.raises(PermissionDenied):
        departments.add_department(officer, "scjgj", "广州市番禺区市场监督管理局", uscc=CODE_A)
    admin = Context(session=db, actor="admin", role="credit_office_admin")
    assert departments.add_department(admin, "scjgj", "广州市番禺区市场监督管理局", uscc=CODE_A).id


def test_department_by_code_or_uscc(ctx: Context) -> None:
    a = departments.add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=CODE_A)
    b = departments.add_department(ctx, CODE_B, "广州市番禺区司法局")
    assert departments.department_by_ref(ctx.session, "scjgj").id == a.id
    assert departments.department_by_ref(ctx.session, " " + CODE_A.lower()).id == a.id
    assert departments.department_by_ref(ctx.session, CODE_B).id == b.id
    with pytest.raises(NotFound) as err:
        departments.department_by_ref(ctx.session, "nosuch")
    assert "未登记" in err.value.message and "xinyong departments add" in err.value.message
    assert [d.code for d in departments.list_departments(ctx.session)] == sorted([CODE_B, "scjgj"])
