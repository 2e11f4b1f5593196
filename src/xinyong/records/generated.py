"""Credit records the platform generates from a case (a commitment breach, an inspection result): one row
built from the registry's subject and the department concerned, loaded through intake as that department, so
the record is validated, versioned and published like any reported one."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.errors import Conflict
from xinyong.intake.service import submit_rows
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.subjects.models import Department, Subject

# subject.kind → 主体类别 of the national templates (the generated record's subject_category)
SUBJECT_CATEGORY = {
    "legal_person": "法人及非法人组织",
    "unincorporated_org": "法人及非法人组织",
    "government_body": "法人及非法人组织",
    "individual_business": "个体工商户",
    "natural_person": "自然人",
}


def subject_fields(subject: Subject, what: str, field: str) -> dict[str, object]:
    """The subject columns of a generated row: name, category, legal representative and its code (ID number
    of a natural person, USCC, or the placeholder code with the registration number). ``Conflict`` (on
    ``field``) naming ``what`` when a natural person has no ID number in the registry."""
    category = SUBJECT_CATEGORY.get(subject.kind, "法人及非法人组织")
    row: dict[str, object] = {
        "subject_name": subject.name,
        "subject_category": category,
        "legal_representative": subject.legal_representative or "",
    }
    if category == "自然人":
        if not subject.ric_cipher:
            raise Conflict(f"该自然人在主体库中没有身份证号码，无法生成{what}，请先补充主体信息", field=field)
        row |= {"id_type": "身份证", "id_number": pii.decrypt(subject.ric_cipher)}
    elif subject.uscc:
        row["uscc"] = subject.uscc
    elif subject.reg_no:
        row |= {"uscc": PLACEHOLDER, "reg_no": subject.reg_no}
    return row


def load_generated(
    ctx: Context,
    department: Department,
    item: str,
    channel: str,
    row: dict[str, object],
    *,
    what: str,
    code: str,
) -> CreditRecord:
    """Submit ``row`` (with the department as authority and source) as one batch of ``item`` in the
    department's own context, and return the current version under its ``doc_no``. ``Conflict`` (``code``)
    naming ``what`` and the first reasons when intake refuses it."""
    full = row | {
        "authority": department.name,
        "source_department": department.name,
        "source_department_uscc": department.uscc,
    }
    # The department's own context: intake checks the source department's code against the one registered.
    acting = dataclasses.replace(
        ctx, role="department_officer", department_id=department.id, subject_id=None, scopes=None, institution=None
    )
    summary = submit_rows(acting, item, department.id, [full], channel=channel)
    if summary.status != "loaded":
        problems = "；".join(m.reason for m in summary.errors[:3]) or summary.file_error or "未知原因"
        raise Conflict(f"{what}未能入库：{problems}", code=code)
    record = ctx.session.scalar(
        select(CreditRecord).where(
            CreditRecord.item_id == item,
            CreditRecord.department_id == department.id,
            CreditRecord.doc_no == row["doc_no"],
            current_version(),
        )
    )
    if record is None:  # pragma: no cover - a loaded batch has the row
        raise Conflict(f"{what}未能入库", code=code)
    return record
