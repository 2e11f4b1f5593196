"""Personal values other than the ID number (a contact phone number) are sealed inside ``credit_record.data``:
never stored in clear, masked for staff, clear only to a PII reader, and re-encrypted by key rotation."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet
from sqlalchemy import select

from factories import uscc
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.pii_rotation import rotate_pii
from xinyong.catalog.items import load_catalog
from xinyong.intake import service
from xinyong.records.models import CreditRecord
from xinyong.records.visibility import ALL_LEVELS, record_fields
from xinyong.subjects.departments import add_department

PHONE = "13812345678"
KEY_OLD = Fernet.generate_key().decode()
KEY_NEW = Fernet.generate_key().decode()


def _row(n: int) -> dict[str, str]:
    return {
        "主体名称": f"广州第{n}餐饮有限公司",
        "主体类别": "法人及非法人组织",
        "统一社会信用代码": uscc(n),
        "法定代表人": "陈某",
        "欠费类别": "水费",
        "用户编号": f"SH{n:08d}",
        "欠费催缴文书号": f"番水催〔2026〕{n}号",
        "欠费所属期起": "2026-01-01",
        "欠费所属期止": "2026-06-30",
        "欠费月数": "6",
        "欠费金额（万元）": "1.2",
        "认定日期": "2026-11-02",
        "供应单位": "广州市番禺区自来水有限公司",
        "供应单位统一社会信用代码": uscc(9000),
        "联系电话": PHONE,
    }


def test_phone_is_sealed_masked_and_rotated(ctx: Context, pii_keys) -> None:  # type: ignore[no-untyped-def]
    pii_keys(KEY_OLD)
    dept = add_department(ctx, "zwsjj", "广州市番禺区政务服务数据管理局", uscc(8001, authority="1", org_type="1"))
    summary = service.submit_rows(ctx, "utility_arrears", dept.id, [_row(1)])
    assert summary.accepted == 1, summary.errors
    record = ctx.session.scalars(select(CreditRecord)).one()
    assert PHONE not in json.dumps(record.data) and pii.is_sealed(record.data["contact_phone"])
    item = load_catalog().item("utility_arrears")
    shown = {f.key: f.value for f in record_fields(item, record, ALL_LEVELS, unmask_personal=True)}
    assert shown["contact_phone"] == "138****5678"
    revealed = record_fields(item, record, ALL_LEVELS, unmask_personal=True, reveal_identifiers=True)
    assert {f.key: f.value for f in revealed}["contact_phone"] == PHONE

    # The same row again is unchanged (the content hash is over clear values, not the random ciphertext).
    assert service.submit_rows(ctx, "utility_arrears", dept.id, [_row(1)]).unchanged == 1

    sealed_before = record.data["contact_phone"]
    pii_keys(KEY_NEW, old=KEY_OLD)
    report = rotate_pii(ctx)
    assert report.ok and report.records == 1
    pii_keys(KEY_NEW)
    ctx.session.expire_all()
    after = ctx.session.get(CreditRecord, record.id)
    assert after is not None and after.data["contact_phone"] != sealed_before
    assert pii.unseal(after.data["contact_phone"]) == PHONE
