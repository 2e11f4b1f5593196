"""Catalogue sharing levels: who gets which level (``levels_for``), which fields a record shows at those levels
(``record_fields``), how personal data is masked, and the audit event of every non-public read (``read_fields``).

The catalogue's 双公示 items have 公开 and 有条件共享 fields only, so a test item with 不予共享 fields (a phone
number and an internal note) is added to the loaded catalogue for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from records_factories import make_batch, make_record
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.catalog import items as catalog_items
from xinyong.catalog.items import Catalog, DataItem, load_catalog
from xinyong.records.models import CreditRecord
from xinyong.records.visibility import (
    ALL_LEVELS,
    PUBLIC_LEVELS,
    SHARED_LEVELS,
    display_name,
    levels_for,
    read_fields,
    record_fields,
)
from xinyong.subjects.models import Department

RIC = "11010519491231002X"
RIC_MASKED = "1101**********002X"
PHONE = "13812345678"
SECRET_ITEM = {
    "id": "test_secret",
    "version": 1,
    "name": "测试欠费信息",
    "source": "tests: an item with 不予共享 fields",
    "sharing": "conditional",
    "update_frequency": "按月",
    "reporting_deadline_workdays": 7,
    "reporting_deadline_source": "tests",
    "roles": {"subject_name": "subject_name", "document": "doc_no", "decided_on": "decided_on"},
    "fields": [
        {"key": "subject_name", "label": "主体名称", "personal": "name"},
        {"key": "doc_no", "label": "文书号"},
        {"key": "decided_on", "label": "认定日期", "type": "date"},
        {
            "key": "id_number",
            "label": "证件号码",
            "type": "id_number",
            "sharing": "conditional",
            "personal": "id_number",
        },
        {"key": "amount", "label": "欠缴金额（万元）", "type": "amount", "sharing": "conditional"},
        {"key": "contact_phone", "label": "联系电话", "type": "phone", "sharing": "restricted", "personal": "phone"},
        {"key": "case_note", "label": "内部备注", "sharing": "restricted"},
    ],
}


@pytest.fixture
def secret_item(monkeypatch: pytest.MonkeyPatch) -> Iterator[DataItem]:
    """The loaded catalogue plus ``test_secret`` (whatever module asks ``load_catalog``)."""
    real = load_catalog()
    item = DataItem.model_validate(SECRET_ITEM)
    monkeypatch.setattr(catalog_items, "_load", lambda directory: Catalog(items={**real.items, item.id: item}))
    yield item


def people(db: Session, own: Department, other: Department) -> dict[str, Context]:
    """One context per reader of the sharing-level matrix."""

    def as_(role: str, **scope: object) -> Context:
        return Context(session=db, actor=f"test:{role}", role=role, **scope)  # type: ignore[arg-type]

    return {
        "public": as_("public"),
        "subject": as_("subject", subject_id=1),
        "bank": as_("bank", institution="某银行"),
        "auditor": as_("auditor"),
        "officer_own": as_("department_officer", department_id=own.id),
        "officer_other": as_("department_officer", department_id=other.id),
        "regulator": as_("regulator"),
        "office": as_("credit_office_staff"),
        "admin": as_("credit_office_admin"),
        "system": as_("system"),
        # a department's API token limited to registry reads: no records.read, so public levels only
        "token_narrow": as_("department_officer", department_id=own.id, scopes=frozenset({"subjects.read"})),
    }


EXPECTED_LEVELS = {
    "public": PUBLIC_LEVELS,
    "subject": PUBLIC_LEVELS,
    "bank": PUBLIC_LEVELS,
    "auditor": PUBLIC_LEVELS,
    "officer_own": ALL_LEVELS,
    "officer_other": SHARED_LEVELS,
    "regulator": SHARED_LEVELS,
    "office": ALL_LEVELS,
    "admin": ALL_LEVELS,
    "system": ALL_LEVELS,
    "token_narrow": PUBLIC_LEVELS,
}


def secret_record(db: Session, department: Department, *, kind: str = "natural_person") -> CreditRecord:
    batch = make_batch(db, department, item_id="test_secret")
    record = make_record(
        db,
        batch,
        doc_no="穗欠〔2026〕1号",
        decided_on=date(2026, 11, 2),
        subject_name="王禾丰" if kind == "natural_person" else "广州禾丰贸易有限公司",
        subject_kind=kind,
        data={"amount": "1.250000", "contact_phone": PHONE, "case_note": "内部核查中", "stray_key": "不在目录中"},
    )
    record.id_cipher = pii.encrypt(RIC)
    record.id_hash = pii.lookup_hash(RIC)
    record.id_masked = pii.mask_id(RIC)
    db.flush()
    return record


def test_levels_for_every_reader(db: Session, departments: tuple[Department, Department]) -> None:
    own, other = departments
    for name, ctx in people(db, own, other).items():
        assert levels_for(ctx, own.id) == EXPECTED_LEVELS[name], name
    # the same officer is "other department" for the other department's records
    officer = people(db, own, other)["officer_own"]
    assert levels_for(officer, other.id) == SHARED_LEVELS


def test_sharing_level_matrix(db: Session, departments: tuple[Department, Department], secret_item: DataItem) -> None:
    own, other = departments
    record = secret_record(db, own)
    restricted = {"contact_phone", "case_note"}
    conditional = {"id_number", "amount"}
    for name, ctx in people(db, own, other).items():
        levels = levels_for(ctx, record.department_id)
        keys = {f.key for f in record_fields(secret_item, record, levels, unmask_personal=False)}
        assert {"subject_name", "doc_no", "decided_on"} <= keys, name
        assert (keys >= conditional) == (name not in {"public", "subject", "bank", "auditor", "token_narrow"}), name
        assert not keys & conditional or keys >= conditional, name
        assert (keys >= restricted) == (name in {"officer_own", "office", "admin", "system"}), name
        assert "stray_key" not in keys


def test_each_value_carries_its_sharing_level(db: Session, departments: tuple[Department, Department]) -> None:
    own, _ = departments
    item = load_catalog().item("penalty")
    record = make_record(
        db,
        make_batch(db, own),
        doc_no="番市监罚〔2026〕8号",
        decided_on=date(2026, 11, 3),
        data={"remarks": "内部备注", "authority": "广州市番禺区市场监督管理局"},
    )
    shared = {f.key: f for f in record_fields(item, record, SHARED_LEVELS, unmask_personal=True)}
    assert shared["remarks"].sharing == "conditional" and shared["remarks"].value == "内部备注"
    assert shared["authority"].sharing == "public" and shared["authority"].label == "处罚机关"
    public = [f.key for f in record_fields(item, record, PUBLIC_LEVELS, unmask_personal=False)]
    assert "remarks" not in public and "id_number" not in public
    assert public == [f.key for f in item.fields if f.sharing == "public"]  # catalogue order, blanks included


def test_personal_data_masking(db: Session, departments: tuple[Department, Department], secret_item: DataItem) -> None:
    own, _ = departments
    person = secret_record(db, own)
    masked = {f.key: f.value for f in record_fields(secret_item, person, ALL_LEVELS, unmask_personal=False)}
    assert masked["subject_name"] == "王**"
    assert masked["id_number"] == RIC_MASKED
    assert masked["contact_phone"] == "138****5678"
    staff = {f.key: f.value for f in record_fields(secret_item, person, ALL_LEVELS, unmask_personal=True)}
    assert staff["subject_name"] == "王禾丰"  # staff see natural persons' names
    assert staff["id_number"] == RIC_MASKED and staff["contact_phone"] == "138****5678"
    clear = {
        f.key: f.value
        for f in record_fields(secret_item, person, ALL_LEVELS, unmask_personal=True, reveal_identifiers=True)
    }
    assert clear["id_number"] == RIC and clear["contact_phone"] == PHONE
    assert display_name(person, unmask_personal=False) == "王**"
    assert display_name(person, unmask_personal=True) == "王禾丰"


def test_organisation_names_are_never_masked(
    db: Session, departments: tuple[Department, Department], secret_item: DataItem
) -> None:
    own, _ = departments
    firm = secret_record(db, own, kind="legal_person")
    values = {f.key: f.value for f in record_fields(secret_item, firm, PUBLIC_LEVELS, unmask_personal=False)}
    assert values["subject_name"] == "广州禾丰贸易有限公司"
    assert display_name(firm, unmask_personal=False) == "广州禾丰贸易有限公司"


def test_an_id_number_in_data_is_still_masked(db: Session, departments: tuple[Department, Department]) -> None:
    own, _ = departments
    item = load_catalog().item("licence")
    record = make_record(
        db, make_batch(db, own, item_id="licence"), doc_no="许〔2026〕1号", decided_on=date(2026, 11, 1)
    )
    record.data = {**record.data, "id_number": RIC}  # the pipeline never stores it here; the view must not care
    [shown] = [f for f in record_fields(item, record, SHARED_LEVELS, unmask_personal=True) if f.key == "id_number"]
    assert shown.value == RIC_MASKED


def _reads(db: Session) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "read.credit_record").order_by(AuditEvent.id)))


def test_read_fields_audits_non_public_reads(
    db: Session, departments: tuple[Department, Department], secret_item: DataItem
) -> None:
    own, other = departments
    record = secret_record(db, own)
    who = people(db, own, other)
    levels, fields = read_fields(who["public"], secret_item, record)
    assert levels == PUBLIC_LEVELS and all(f.sharing == "public" for f in fields)
    assert _reads(db) == []  # public data: nothing to audit
    read_fields(who["regulator"], secret_item, record)
    read_fields(who["officer_own"], secret_item, record)
    regulator, officer = _reads(db)
    assert regulator.actor == "test:regulator" and regulator.target_id == str(record.id)
    assert regulator.detail["levels"] == ["public", "conditional"]
    assert set(regulator.detail["fields"]) == {"id_number", "amount"}
    assert officer.detail["levels"] == ["public", "conditional", "restricted"]
    assert {"contact_phone", "case_note"} <= set(officer.detail["fields"])
    assert not regulator.detail["identifiers_revealed"]


def test_revealing_identifiers_needs_the_pii_right(
    db: Session, departments: tuple[Department, Department], secret_item: DataItem
) -> None:
    own, other = departments
    record = secret_record(db, own)
    who = people(db, own, other)
    for name in ("public", "regulator", "officer_own", "bank"):
        with pytest.raises(PermissionDenied):
            read_fields(who[name], secret_item, record, reveal_identifiers=True)
    _, fields = read_fields(who["office"], secret_item, record, reveal_identifiers=True)
    assert {f.key: f.value for f in fields}["id_number"] == RIC
    [event] = _reads(db)
    assert event.detail["identifiers_revealed"] is True
    assert RIC not in str(event.detail)  # the number itself never enters the log
