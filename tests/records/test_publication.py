"""The 双公示 publication rule (``public_condition``) and the public reads: current versions only, publicity
windows and ``as_of`` time travel, 双公示 items only, the search (code, document number, name fragment, never a
natural person by name), input bounds, and harmless attack strings. The clock is pinned at 2026-11-27."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company, uscc
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.errors import InvalidInput, NotFound
from xinyong.records.models import CreditRecord
from xinyong.records.publication import public_condition, public_detail, public_records_of_subject, search_public
from xinyong.subjects.models import Department

TODAY = date(2026, 11, 27)
FIRM = "广州禾丰贸易有限公司"
FIRM_USCC = uscc(101)


@pytest.fixture
def public(db: Session) -> Context:
    return Context(session=db, actor="public", role="public")


def penalty(db: Session, dept: Department, doc_no: str, decided_on: date, **kw: object) -> CreditRecord:
    return make_record(db, make_batch(db, dept), doc_no=doc_no, decided_on=decided_on, **kw)  # type: ignore[arg-type]


def licence(db: Session, dept: Department, doc_no: str, decided_on: date, **kw: object) -> CreditRecord:
    batch = make_batch(db, dept, item_id="licence")
    return make_record(db, batch, doc_no=doc_no, decided_on=decided_on, category="登记", **kw)  # type: ignore[arg-type]


def public_ids(db: Session, as_of: date) -> set[int]:
    return set(db.scalars(select(CreditRecord.id).where(public_condition(as_of))))


def test_rule_current_version_window_and_item(db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    shown = penalty(db, dept, "罚〔2026〕1号", date(2026, 11, 2), publicity_end=date(2029, 11, 2))
    old = penalty(db, dept, "罚〔2026〕2号", date(2026, 10, 1), publicity_end=date(2029, 10, 1))
    new = penalty(db, dept, "罚〔2026〕2号", date(2026, 10, 1), publicity_end=date(2029, 10, 1), supersedes=old)
    expired = penalty(db, dept, "罚〔2026〕3号", date(2026, 5, 1), publicity_end=date(2026, 8, 1))
    future = penalty(db, dept, "罚〔2026〕4号", date(2026, 12, 5))
    no_end = penalty(db, dept, "罚〔2026〕5号", date(2026, 1, 5), publicity_end=None)
    last_day = penalty(db, dept, "罚〔2026〕6号", date(2026, 1, 6), publicity_end=TODAY)
    not_dual = make_record(
        db, make_batch(db, dept, item_id="utility_arrears"), doc_no="欠〔2026〕1号", decided_on=date(2026, 11, 1)
    )
    ids = public_ids(db, TODAY)
    assert {shown.id, new.id, no_end.id, last_day.id} <= ids
    assert not ids & {old.id, expired.id, future.id, not_dual.id}


def test_as_of_time_travel(db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    record = penalty(db, dept, "罚〔2026〕7号", date(2026, 3, 10), publicity_end=date(2026, 6, 10))
    assert record.id not in public_ids(db, date(2026, 3, 9))  # not decided yet
    assert record.id in public_ids(db, date(2026, 3, 10))
    assert record.id in public_ids(db, date(2026, 6, 10))  # the last day of publicity
    assert record.id not in public_ids(db, date(2026, 6, 11))
    assert record.id not in public_ids(db, TODAY)


def test_detail_404_unless_public_on_that_day(
    db: Session, departments: tuple[Department, Department], public: Context
) -> None:
    dept, _ = departments
    record = penalty(db, dept, "罚〔2026〕8号", date(2026, 3, 10), publicity_end=date(2026, 6, 10))
    assert public_detail(public, "penalty", record.id, date(2026, 4, 1)).id == record.id
    for as_of in (None, date(2026, 3, 1), date(2026, 6, 11)):
        with pytest.raises(NotFound):
            public_detail(public, "penalty", record.id, as_of)
    with pytest.raises(NotFound):  # right id, wrong item
        public_detail(public, "licence", record.id, date(2026, 4, 1))
    old = penalty(db, dept, "罚〔2026〕9号", date(2026, 11, 1))
    new = penalty(db, dept, "罚〔2026〕9号", date(2026, 11, 1), supersedes=old)
    with pytest.raises(NotFound):
        public_detail(public, "penalty", old.id)
    assert public_detail(public, "penalty", new.id).doc_no == "罚〔2026〕9号"
    for item in ("utility_arrears", "no_such_item", "../penalty"):
        with pytest.raises(NotFound):
            public_detail(public, item, new.id)
    with pytest.raises(NotFound):
        public_detail(public, "penalty", 2**70)


def test_detail_shows_public_fields_and_masks_natural_persons(
    db: Session, departments: tuple[Department, Department], public: Context
) -> None:
    dept, _ = departments
    person = penalty(
        db,
        dept,
        "罚〔2026〕10号",
        date(2026, 11, 2),
        subject_name="王禾丰",
        subject_kind="natural_person",
        publicity_end=date(2027, 2, 2),
        data={"remarks": "内部备注：不公开", "penalty_category": "罚款", "authority": "广州市番禺区市场监督管理局"},
    )
    person.id_masked = "1101**********002X"
    detail = public_detail(public, "penalty", person.id)
    assert detail.subject_name == "王**" and detail.publicity_end == date(2027, 2, 2)
    values = {f.key: f for f in detail.fields}
    assert values["subject_name"].value == "王**"
    assert "remarks" not in values and "id_number" not in values
    assert {f.sharing for f in detail.fields} == {"public"}
    assert "王禾丰" not in detail.model_dump_json() and "内部备注" not in detail.model_dump_json()


def test_invalid_licence_stays_public_with_its_state(
    db: Session, departments: tuple[Department, Department], public: Context
) -> None:
    dept, _ = departments
    revoked = licence(
        db, dept, "许〔2026〕1号", date(2026, 6, 1), publicity_end=date(2031, 6, 1), data={"status": "无效"}
    )
    page = search_public(public, "licence")
    assert [r.id for r in page.items] == [revoked.id]
    state = {f.key: f.value for f in public_detail(public, "licence", revoked.id).fields}["status"]
    assert state == "无效"
    assert search_public(public, "licence", as_of=date(2031, 6, 2)).total == 0  # 有效期至 passed


def test_list_order_and_paging(db: Session, departments: tuple[Department, Department], public: Context) -> None:
    dept, _ = departments
    a = penalty(db, dept, "罚〔2026〕11号", date(2026, 9, 1))
    b = penalty(db, dept, "罚〔2026〕12号", date(2026, 11, 1))
    c = penalty(db, dept, "罚〔2026〕13号", date(2026, 10, 1))
    page = search_public(public, "penalty", limit=2)
    assert page.total == 3 and [r.id for r in page.items] == [b.id, c.id]
    assert [r.id for r in search_public(public, "penalty", limit=2, offset=2).items] == [a.id]
    assert page.as_of == TODAY and page.item_name == "行政处罚信息"
    assert search_public(public, "licence").total == 0 and not page.total_capped


def test_count_stops_at_the_deepest_reachable_page(
    db: Session, departments: tuple[Department, Department], public: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    dept, _ = departments
    for n in range(6):
        penalty(db, dept, f"罚〔2026〕2{n}号", date(2026, 10, 1 + n))
    monkeypatch.setattr("xinyong.records.publication.MAX_OFFSET", 2)
    capped = search_public(public, "penalty", limit=2)
    assert capped.total == 4 and capped.total_capped and len(capped.items) == 2
    monkeypatch.setattr("xinyong.records.publication.MAX_OFFSET", 4)
    exact = search_public(public, "penalty", limit=2)
    assert exact.total == 6 and not exact.total_capped


def test_search_by_code_document_and_name(
    db: Session, departments: tuple[Department, Department], public: Context
) -> None:
    dept, _ = departments
    firm = penalty(db, dept, "番市监罚〔2026〕21号", date(2026, 11, 1), subject_uscc=FIRM_USCC)
    other = penalty(db, dept, "番市监罚〔2026〕22号", date(2026, 11, 2), subject_name="广州另一家食品有限公司")

    def found(q: str) -> list[int]:
        return [r.id for r in search_public(public, "penalty", q=q).items]

    assert found(FIRM_USCC) == [firm.id]
    assert found(f" {FIRM_USCC.lower()} ") == [firm.id]  # normalised like a typed code
    assert found(FIRM_USCC[:10]) == []  # codes must be complete
    assert found("番市监罚〔2026〕22号") == [other.id]
    assert found("番市监罚〔2026〕2") == []  # document numbers must be complete
    assert found("禾丰") == [firm.id]
    assert found("有限公司") == [other.id, firm.id]


def test_natural_persons_are_never_found_by_name(
    db: Session, departments: tuple[Department, Department], public: Context
) -> None:
    dept, _ = departments
    person = penalty(
        db, dept, "番司罚〔2026〕1号", date(2026, 11, 1), subject_name="王禾丰", subject_kind="natural_person"
    )
    assert search_public(public, "penalty", q="王禾丰").total == 0
    assert search_public(public, "penalty", q="禾丰").total == 0
    page = search_public(public, "penalty", q="番司罚〔2026〕1号")  # the exact document number finds it, masked
    assert [(r.id, r.subject_name) for r in page.items] == [(person.id, "王**")]
    listed = search_public(public, "penalty")
    assert [r.subject_name for r in listed.items] == ["王**"]


@pytest.mark.parametrize(
    "q",
    [
        "' OR '1'='1",
        "禾丰'; DROP TABLE credit_record;--",
        "%' UNION SELECT id_cipher FROM credit_record --",
        "%",
        "_",
        "\\",
        "％' ＯＲ １＝１",
    ],
)
def test_injection_like_queries_are_harmless(
    db: Session, departments: tuple[Department, Department], public: Context, q: str
) -> None:
    dept, _ = departments
    penalty(db, dept, "罚〔2026〕31号", date(2026, 11, 1))
    assert search_public(public, "penalty", q=q).total == 0  # wildcards are literal
    assert db.scalar(select(func.count()).select_from(CreditRecord)) == 1


def test_input_bounds(db: Session, public: Context) -> None:
    cases = [
        ({"q": "禾" * 51}, "查询词过长"),
        ({"q": "禾丰\x00' OR 1=1"}, "控制字符"),
        ({"limit": 0}, "每页条数"),
        ({"limit": 101}, "每页条数"),
        ({"offset": -1}, "分页位置"),
        ({"offset": 10_001}, "分页位置过大"),
        ({"as_of": date(1900, 1, 1)}, "查询日期"),
        ({"as_of": date(9999, 12, 31)}, "查询日期"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidInput) as caught:
            search_public(public, "penalty", **kwargs)  # type: ignore[arg-type]
        assert message in caught.value.message, kwargs
    assert search_public(public, "penalty", q="   ").q is None  # blank means no search
    with pytest.raises(NotFound):
        search_public(public, "utility_arrears")


def test_records_of_a_subject(
    db: Session, ctx: Context, departments: tuple[Department, Department], public: Context
) -> None:
    dept, _ = departments
    firm = company(ctx, FIRM, 7)
    fine = penalty(db, dept, "罚〔2026〕41号", date(2026, 11, 1), subject=firm)
    permit = licence(db, dept, "许〔2026〕41号", date(2026, 11, 5), subject=firm)
    penalty(db, dept, "罚〔2026〕42号", date(2026, 1, 1), subject=firm, publicity_end=date(2026, 4, 1))  # expired
    penalty(db, dept, "罚〔2026〕43号", date(2026, 11, 2))  # someone else
    rows = public_records_of_subject(public, firm.id)
    assert [(r.id, r.item_id) for r in rows] == [(permit.id, "licence"), (fine.id, "penalty")]
    assert rows[1].uscc == firm.uscc and rows[1].subject_name == FIRM
    assert public_records_of_subject(public, firm.id, as_of=date(2026, 2, 1))[0].doc_no == "罚〔2026〕42号"
    assert public_records_of_subject(public, 2**70) == []
