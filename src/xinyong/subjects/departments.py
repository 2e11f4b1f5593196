"""Registered departments (数据来源单位): add one, find one by code or USCC, list them.

A township (镇街, ``codes.divisions.PANYU_TOWNSHIPS``) may be registered as a department under its 9-digit division
code, so its officers have accounts: they report work-plan progress, rectify the enforcement cases assigned to their
town and report on campaigns under that code, which is the unit code those features use (``workplan.units``).

A department needs a USCC: every 双公示 row carries 数据来源单位统一社会信用代码, and intake refuses rows whose
code is not the submitting department's. A code with a broken structure (length, characters, authority/type,
division: GB 32100-2015, rules.md §1) is refused; a wrong check character is only warned about, because the
real codes of some bodies are known to fail it (rules.md §1, legal oddities) and the operator may know better.
"""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.codes.normalize import normalize_code
from xinyong.codes.result import MESSAGES
from xinyong.codes.uscc import uscc_problems
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects.models import Department

MANAGE = "departments.manage"
# Same shape as the department catalogue's codes (catalog/departments.yaml), e.g. scjgj.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
TOWNSHIP_CODES = frozenset(t.code for t in PANYU_TOWNSHIPS)
# Check-character problems only warn (rules.md §1); every other problem token means the code is malformed.
CHECK_CHAR_PROBLEMS = frozenset({"org_check_char", "check_char"})
NAME_MAX = 64


def looks_like_uscc(text: str) -> bool:
    """Whether ``text`` is shaped like a USCC rather than a short department code: 18 characters once
    normalised, an authority character (digit, A, N or Y) first and a six-digit division in places 3–8."""
    code = normalize_code(text)
    return len(code) == 18 and (code[0].isdigit() or code[0] in "ANY") and code[2:8].isdigit()


def uscc_warnings(uscc: str) -> list[str]:
    """Chinese warnings about a department code that is well-formed but fails a check character."""
    problems, warnings = uscc_problems(normalize_code(uscc))
    return [MESSAGES[p] for p in problems if p in CHECK_CHAR_PROBLEMS] + [MESSAGES[w] for w in warnings]


def _checked_uscc(raw: str) -> str:
    code = normalize_code(raw)
    problems, _ = uscc_problems(code)
    fatal = [p for p in problems if p not in CHECK_CHAR_PROBLEMS]
    if fatal:
        reasons = "；".join(MESSAGES.get(p, p) for p in fatal)
        raise InvalidInput(f"统一社会信用代码 {code or raw!r} 无效：{reasons}", field="uscc")
    return code


def add_department(ctx: Context, code: str, name: str, uscc: str | None = None) -> Department:
    """Register a department. ``code`` is a short code (``scjgj``) or the department's USCC itself; a USCC is
    required one way or the other. Duplicate code, name or USCC → ``Conflict``. Audited (``department.add``)."""
    require(ctx, MANAGE)
    code, name = code.strip(), name.strip()
    if looks_like_uscc(code):
        code_uscc = _checked_uscc(code)
        if uscc and _checked_uscc(uscc) != code_uscc:
            raise InvalidInput(f"部门代码是统一社会信用代码 {code_uscc}，与 --uscc {uscc.strip()} 不一致", field="uscc")
        code, uscc = code_uscc, code_uscc
    elif not CODE_PATTERN.match(code) and code not in TOWNSHIP_CODES:
        raise InvalidInput(
            f"部门代码 {code!r} 无效：应为小写字母开头的2–32位小写字母、数字或下划线（如 scjgj），"
            "18位统一社会信用代码，或本区镇街的区划代码（如 440113007 市桥街道）",
            field="code",
        )
    if not uscc or not uscc.strip():
        raise InvalidInput("须提供部门的统一社会信用代码（--uscc，或以代码本身作为部门代码）", field="uscc")
    uscc = _checked_uscc(uscc)
    if not 2 <= len(name) <= NAME_MAX:
        raise InvalidInput(f"部门名称应为2–{NAME_MAX}个字符", field="name")
    session = ctx.session
    clash = session.execute(
        select(Department).where(or_(Department.code == code, Department.name == name, Department.uscc == uscc))
    ).scalars()
    for other in clash:
        if other.code == code:
            raise Conflict(f"部门代码 {code} 已登记（{other.name}）", field="code")
        if other.name == name:
            raise Conflict(f"部门名称 {name} 已登记（代码 {other.code}）", field="name")
        raise Conflict(f"统一社会信用代码 {uscc} 已被部门 {other.code}（{other.name}）使用", field="uscc")
    department = Department(code=code, name=name, uscc=uscc)
    session.add(department)
    session.flush()
    detail = {"code": code, "name": name, "uscc": uscc, "warnings": uscc_warnings(uscc)}
    audit.record(ctx, "department.add", "department", department.id, detail)
    return department


def department_by_ref(session: Session, ref: str) -> Department:
    """The department whose code is ``ref`` or whose USCC is ``ref``; ``NotFound`` saying how to register it."""
    text = ref.strip()
    found = session.scalar(select(Department).where(Department.code == text))
    if found is None and text:
        matches = list(session.scalars(select(Department).where(Department.uscc == normalize_code(text))))
        if len(matches) > 1:
            codes = "、".join(d.code for d in matches)
            raise InvalidInput(f"统一社会信用代码 {text} 对应多个部门（{codes}），请改用部门代码", field="department")
        found = matches[0] if matches else None
    if found is None:
        raise NotFound(f"部门 {text!r} 未登记，请先运行 xinyong departments add 登记该部门", field="department")
    return found


def list_departments(session: Session) -> list[Department]:
    """Every registered department, by code."""
    return list(session.scalars(select(Department).order_by(Department.code)))


def unit_code_of(ctx: Context) -> str | None:
    """The unit code the actor acts for: its department's code (a township's is its division code), or None for
    an account without a department."""
    department = fetch(ctx.session, Department, ctx.department_id) if ctx.department_id else None
    return department.code if department is not None else None


def own_unit_code(ctx: Context, permission: str, why: str = "") -> str:
    """``unit_code_of``, required: ``PermissionDenied`` ("账号未关联部门" + ``why``) without a department."""
    code = unit_code_of(ctx)
    if code is None:
        raise PermissionDenied(ctx.role, permission, f"账号未关联部门{why}")
    return code
