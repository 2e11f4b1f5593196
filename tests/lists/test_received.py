"""Received lists (issue #7): market supervision's lists imported with their source from CSV (UTF-8, BOM, GBK) or
Excel; codes checked row by row (malformed codes reported by row and column, nothing imported), subjects found
or created unverified, removals by the source, partial imports, idempotent re-imports — SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, ric, uscc
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.lists import received
from xinyong.lists.active import entry_in_force
from xinyong.lists.models import ListEntry
from xinyong.lists.received import ImportRowsInvalid
from xinyong.records.cases import case_history
from xinyong.subjects.models import Department, Subject

HEADER = ["统一社会信用代码", "名称", "列入日期", "列入原因", "作出决定机关", "决定文书号", "移出日期"]
SAMR = "广州市番禺区市场监督管理局"
LIST = "samr_serious_illegal"


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", header: list[str] = HEADER) -> bytes:
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    return text.encode(encoding)


def row(code: str, name: str, listed: str = "2025-05-06", removed: str = "", n: int = 1) -> list[str]:
    return [code, name, listed, "提交虚假材料取得登记", SAMR, f"穗番市监严〔2025〕{n}号", removed]


@pytest.fixture
def market(db: Session, departments: tuple[Department, Department]) -> Context:
    return Context(session=db, actor="scjgj:officer", role="department_officer", department_id=departments[0].id)


def entries_of(db: Session, subject_id: int) -> list[ListEntry]:
    return list(db.scalars(select(ListEntry).where(ListEntry.subject_id == subject_id).order_by(ListEntry.id)))


def test_a_csv_is_imported_with_its_source_and_unknown_subjects_created_unverified(
    ctx: Context, db: Session, market: Context
) -> None:
    known = company(ctx, "广州已登记失信有限公司", 801)
    new = uscc(802)
    content = csv_bytes(
        [row(known.uscc or "", "广州已登记失信有限公司"), row(new, "广州新见失信有限公司", "2024-12-02", n=2)]
    )
    result = received.import_received(market, LIST, "严重违法失信名单.csv", content, "2026年11月推送")
    assert (result.rows, result.added, result.unchanged, result.subjects_created, result.rejected) == (2, 2, 0, 1, 0)
    [entry] = entries_of(db, known.id)
    assert (entry.status, entry.kind, entry.published_on, entry.decision_on) == (
        "published",
        "received",
        date(2025, 5, 6),
        date(2025, 5, 6),
    )
    assert (entry.source_authority, entry.source_ref, entry.decision_doc_no) == (
        SAMR,
        "2026年11月推送",
        "穗番市监严〔2025〕1号",
    )
    assert entry.expires_on == date(2028, 5, 6) and entry_in_force(entry, date(2026, 11, 27))
    created = db.scalars(select(Subject).where(Subject.uscc == new)).one()
    assert (created.name, created.verified, created.kind) == ("广州新见失信有限公司", False, "legal_person")
    assert [e.action for e in case_history(db, "listing", entry.id)] == ["import"]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "lists.import")).one()
    assert event.detail["subjects_created"] == [created.id] and event.detail["source_ref"] == "2026年11月推送"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_bom_and_gbk_files_are_read(ctx: Context, db: Session, market: Context, encoding: str) -> None:
    firm = company(ctx, "广州编码测试有限公司", 803)
    result = received.import_received(
        market, LIST, "list.csv", csv_bytes([row(firm.uscc or "", firm.name)], encoding), "批次"
    )
    assert result.added == 1 and entries_of(db, firm.id)[0].reasons == "提交虚假材料取得登记"


def test_an_excel_file_is_read(ctx: Context, db: Session, market: Context) -> None:
    firm = company(ctx, "广州表格测试有限公司", 804)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([firm.uscc, firm.name, date(2025, 3, 3), "未按规定公示年报", SAMR, "穗番市监异〔2025〕3号", None])
    out = io.BytesIO()
    book.save(out)
    result = received.import_received(market, "abnormal_operation", "异常名录.xlsx", out.getvalue(), "批次")
    [entry] = entries_of(db, firm.id)
    assert result.added == 1 and (entry.published_on, entry.expires_on) == (date(2025, 3, 3), None)


def test_malformed_codes_are_reported_by_row_and_column_and_nothing_is_imported(
    ctx: Context, db: Session, market: Context
) -> None:
    good = company(ctx, "广州正确代码有限公司", 805)
    person = ric("19800101", "123")
    rows = [
        row(good.uscc or "", good.name),
        row("91440113MA00000000", "广州坏码有限公司", n=2),
        row("", "广州无码有限公司", n=3),
        row(uscc(806), "广州将来有限公司", "2027-01-04", n=4),
        row(uscc(807), "广州移出早于列入有限公司", "2025-05-06", "2025-05-01", n=5),
        row(good.uscc or "", good.name, n=6),
        row(person, "自然人", n=7),
        row(uscc(809), "广州\x07控制字符有限公司", n=8),
    ]
    with pytest.raises(ImportRowsInvalid) as refused:
        received.import_received(market, LIST, "list.csv", csv_bytes(rows), "批次")
    errors = [(e.row, e.column) for e in refused.value.errors]
    assert errors == [
        (2, "统一社会信用代码"),
        (3, "统一社会信用代码"),
        (4, "列入日期"),
        (5, "移出日期"),
        (6, "统一社会信用代码"),
        (7, "统一社会信用代码"),
        (8, "名称"),
    ]
    reasons = {e.row: e.reason for e in refused.value.errors}
    assert reasons[2].startswith("代码无效：") and "校验码" in reasons[2]
    assert "请填写统一社会信用代码" in reasons[3] and "将来" in reasons[4] and "与第 1 行是同一主体" in reasons[6]
    assert "应填写统一社会信用代码" in reasons[7] and person not in str(refused.value.errors)
    assert "名单文件有 7 处错误，未导入任何数据" in refused.value.message
    assert (
        db.scalars(select(ListEntry)).all() == []
        and db.scalars(select(Subject).where(Subject.uscc == uscc(806))).all() == []
    )


def test_partial_imports_the_good_rows_and_reports_the_rest(ctx: Context, db: Session, market: Context) -> None:
    good = company(ctx, "广州部分接收有限公司", 808)
    content = csv_bytes([row(good.uscc or "", good.name), row("91440113MA00000000", "坏码", n=2)])
    result = received.import_received(market, LIST, "list.csv", content, "批次", partial=True)
    assert (result.added, result.rejected) == (1, 1) and [(e.row, e.column) for e in result.errors] == [
        (2, "统一社会信用代码")
    ]


def test_re_importing_the_same_file_adds_nothing(ctx: Context, db: Session, market: Context) -> None:
    firms = [company(ctx, f"广州重复导入{n}有限公司", 810 + n) for n in range(2)]
    content = csv_bytes(
        [row(f.uscc or "", f.name, n=n) for n, f in enumerate(firms)] + [row(uscc(815), "广州新建", n=9)]
    )
    first = received.import_received(market, LIST, "list.csv", content, "批次")
    again = received.import_received(market, LIST, "list.csv", content, "批次")
    assert (first.added, first.subjects_created) == (3, 1)
    assert (again.added, again.unchanged, again.subjects_created) == (0, 3, 0)
    assert len(db.scalars(select(ListEntry)).all()) == 3


def test_a_removal_date_removes_the_matching_entry_once(ctx: Context, db: Session, market: Context) -> None:
    firm = company(ctx, "广州来源移出有限公司", 820)
    received.import_received(market, LIST, "list.csv", csv_bytes([row(firm.uscc or "", firm.name)]), "第1批")
    removal = csv_bytes([row(firm.uscc or "", firm.name, removed="2026-08-03")])
    result = received.import_received(market, LIST, "removal.csv", removal, "第2批")
    [entry] = entries_of(db, firm.id)
    assert result.removed == 1 and (entry.status, entry.removal_reason, entry.removed_on) == (
        "removed",
        "source_removed",
        date(2026, 8, 3),
    )
    assert entry_in_force(entry, date(2026, 8, 2)) and not entry_in_force(entry, date(2026, 8, 3))
    assert received.import_received(market, LIST, "removal.csv", removal, "第2批").unchanged == 1
    first = received.import_received(market, LIST, "list.csv", csv_bytes([row(firm.uscc or "", firm.name)]), "第1批")
    assert first.unchanged == 1 and len(entries_of(db, firm.id)) == 1  # the old file does not list it again
    other = csv_bytes([row(firm.uscc or "", firm.name, removed="2026-09-01")])
    with pytest.raises(ImportRowsInvalid, match="已于 2026-08-03 移出"):
        received.import_received(market, LIST, "other.csv", other, "第3批")


def test_a_history_row_of_a_subject_never_seen_is_stored_closed(ctx: Context, db: Session, market: Context) -> None:
    firm = company(ctx, "广州历史名单有限公司", 821)
    result = received.import_received(
        market, LIST, "list.csv", csv_bytes([row(firm.uscc or "", firm.name, "2024-01-02", "2025-01-02")]), "历史"
    )
    [entry] = entries_of(db, firm.id)
    assert result.added == 1 and (entry.status, entry.removed_on) == ("removed", date(2025, 1, 2))
    assert entry_in_force(entry, date(2024, 6, 1)) and not entry_in_force(entry, date(2026, 1, 1))


def test_a_listing_date_that_disagrees_with_the_open_entry_is_refused(
    ctx: Context, db: Session, market: Context
) -> None:
    firm = company(ctx, "广州日期不一致有限公司", 822)
    received.import_received(market, LIST, "list.csv", csv_bytes([row(firm.uscc or "", firm.name)]), "第1批")
    with pytest.raises(ImportRowsInvalid, match="列入日期 2025-05-06），与本行列入日期 2025-07-01 不一致"):
        received.import_received(
            market, LIST, "list.csv", csv_bytes([row(firm.uscc or "", firm.name, "2025-07-01")]), "第2批"
        )


def test_file_level_problems_and_wrong_lists_are_refused(ctx: Context, market: Context, db: Session) -> None:
    with pytest.raises(InvalidInput, match="缺少列：列入日期"):
        header = [h for h in HEADER if h != "列入日期"]
        received.import_received(market, LIST, "list.csv", csv_bytes([], header=header), "批次")
    with pytest.raises(ImportRowsInvalid, match="文件没有数据行"):
        received.import_received(market, LIST, "list.csv", csv_bytes([]), "批次")
    with pytest.raises(InvalidInput, match="不能导入；只有接收名单可导入"):
        received.import_received(market, "contract_honouring", "list.csv", csv_bytes([]), "批次")
    with pytest.raises(InvalidInput, match="请填写来源批次"):
        received.import_received(market, LIST, "list.csv", csv_bytes([]), " ")


def test_only_the_receiving_department_or_the_credit_office_imports(
    ctx: Context, db: Session, departments: tuple[Department, Department]
) -> None:
    other = Context(session=db, actor="sfj", role="department_officer", department_id=departments[1].id)
    with pytest.raises(PermissionDenied, match="只能办理本部门负责的名单"):
        received.import_received(other, LIST, "list.csv", csv_bytes([]), "批次")
    regulator = Context(session=db, actor="reg", role="regulator")
    with pytest.raises(PermissionDenied):
        received.import_received(regulator, LIST, "list.csv", csv_bytes([]), "批次")


def test_a_responsible_person_is_found_or_created_unverified_by_id_number(ctx: Context, db: Session) -> None:
    number = ric("19811111", "245")
    person = received.ensure_subject(ctx, number, "赵某某")
    assert (person.kind, person.verified, person.ric_masked) == (
        "natural_person",
        False,
        number[:4] + "*" * 10 + number[-4:],
    )
    assert received.ensure_subject(ctx, number, "另一个名字").id == person.id
    assert received.find_subject(ctx, number) is not None
    with pytest.raises(InvalidInput, match="代码无效"):
        received.ensure_subject(ctx, "12345", "某人")
