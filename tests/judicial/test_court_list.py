"""The courts' 失信被执行人名单 as a received list (issue #11 item 5): the list type loads with its legal basis, the
sample file imports (organisations and natural persons, unknown subjects created unverified, a removed row kept
closed), entries stay in force until the court's removal is imported, the joint check returns the measures of
the ledger for a listed subject and none once it is removed — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.lists import received
from xinyong.lists.active import entry_in_force
from xinyong.lists.checks import check
from xinyong.lists.measures import measure_ledger
from xinyong.lists.models import ListEntry
from xinyong.lists.types import FOUNDING_LEVELS, list_catalogue
from xinyong.subjects.models import Department, Subject

LIST = "court_dishonest_debtor"
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "court-dishonest-debtors.csv"
HEADER = "统一社会信用代码,身份证号码,名称,列入日期,列入原因,作出决定机关,决定文书号,移出日期"
COURT = "广州市番禺区人民法院"
FIRM_CODE = "91440113MA5C00015G"  # 广州示例拒执建材有限公司 in the sample
PERSON_CODE = "440113197804150313"  # 张示例 in the sample
REMOVED_CODE = "440113198609220528"  # 李示例: listed 2024-06-03, removed 2026-05-11 in the sample


@pytest.fixture
def court(db: Session) -> Context:
    """An officer of 区法院 (``fy``), the department that receives the courts' list."""
    dept = Department(code="fy", name=COURT, uscc="11440113MB0000011X")
    db.add(dept)
    db.flush()
    return Context(session=db, actor="fy:officer", role="department_officer", department_id=dept.id)


def subject_by(db: Session, code: str) -> Subject:
    """The one subject holding USCC ``code``."""
    return db.scalars(select(Subject).where(Subject.uscc == code)).one()


def person_by(db: Session, number: str) -> Subject:
    """The one natural person whose ID number is ``number`` (found by its keyed hash)."""
    return db.scalars(select(Subject).where(Subject.ric_hash == pii.lookup_hash(number))).one()


def entries_of(db: Session, subject_id: int) -> list[ListEntry]:
    stmt = select(ListEntry).where(ListEntry.subject_id == subject_id, ListEntry.list_code == LIST)
    return list(db.scalars(stmt.order_by(ListEntry.id)))


def test_the_list_type_is_received_from_the_courts_on_a_founding_basis() -> None:
    kind = list_catalogue().get(LIST)
    assert (kind.kind, kind.department) == ("received", "fy")
    assert "人民法院" in kind.source_authority
    assert any(b.level in FOUNDING_LEVELS for b in kind.legal_basis)
    cited = " ".join(f"{b.document}{b.article}" for b in kind.legal_basis)
    for text in ("法释〔2017〕7号", "第一条", "第二条", "第十条", "中办发〔2016〕64号"):
        assert text in cited
    assert set(kind.subject_kinds) == {"legal_person", "unincorporated_org", "individual_business", "natural_person"}
    assert kind.duration.months is None and "第二条" in kind.duration.source  # the court decides the term
    assert kind.exit_conditions and "第十一条" in kind.remedies


def test_the_sample_file_imports_organisations_and_natural_persons(ctx: Context, db: Session, court: Context) -> None:
    known = company(ctx, "广州示例拒执建材有限公司", 1, code=FIRM_CODE)
    result = received.import_received(court, LIST, SAMPLE.name, SAMPLE.read_bytes(), "2026年11月法院推送")
    assert (result.rows, result.added, result.removed, result.rejected) == (4, 4, 0, 0)
    assert result.subjects_created == 3  # the firm was registered; the shop and two persons were not
    [entry] = entries_of(db, known.id)
    assert (entry.kind, entry.status, entry.published_on, entry.expires_on) == (
        "received",
        "published",
        date(2026, 3, 16),
        None,
    )
    assert (entry.source_authority, entry.decision_doc_no) == (COURT, "（2026）粤0113执1201号")
    assert "法释〔2017〕7号" in entry.basis
    person = person_by(db, PERSON_CODE)
    assert (person.kind, person.verified, person.uscc) == ("natural_person", False, None)
    assert person.ric_cipher and PERSON_CODE not in person.ric_cipher
    shop = subject_by(db, "92440113MA5C000238")
    assert (shop.kind, shop.verified) == ("individual_business", False)
    [closed] = entries_of(db, person_by(db, REMOVED_CODE).id)
    assert (closed.status, closed.removal_reason, closed.removed_on) == ("removed", "source_removed", date(2026, 5, 11))
    # Entries stay in force without a term of their own until the court removes them.
    assert entry_in_force(entry, date(2030, 1, 1)) and not entry_in_force(closed, date(2026, 11, 27))
    again = received.import_received(court, LIST, SAMPLE.name, SAMPLE.read_bytes(), "2026年11月法院推送")
    assert (again.added, again.unchanged, again.subjects_created) == (0, 4, 0)


def test_the_joint_check_returns_the_court_measures_until_the_court_removes_the_entry(
    ctx: Context, db: Session, court: Context
) -> None:
    content = SAMPLE.read_bytes()
    received.import_received(court, LIST, SAMPLE.name, content, "批次1")
    ledger = measure_ledger()
    for scenario in ("procurement", "bidding", "travel_consumption", "honours"):
        answer = check(ctx, FIRM_CODE, scenario)
        assert answer.hit and [e.list_code for e in answer.entries] == [LIST]
        expected = {m.id for m in ledger.applicable({LIST}, scenario)}
        assert expected and {m.id for m in answer.measures} == expected
        assert all(m.legal_basis for m in answer.measures)
    person = check(ctx, PERSON_CODE, "procurement")
    assert person.hit and "court_procurement" in {m.id for m in person.measures}
    assert PERSON_CODE not in person.code  # masked in the answer and the log
    assert not check(ctx, REMOVED_CODE, "procurement").hit

    removal = (
        f"{HEADER}\n{FIRM_CODE},,广州示例拒执建材有限公司,2026-03-16,有履行能力而拒不履行生效法律文书确定的义务,"
        f"{COURT},（2026）粤0113执1201号,2026-11-20\n"
    )
    result = received.import_received(court, LIST, "删除.csv", removal.encode(), "批次2")
    assert (result.removed, result.added) == (1, 0)
    [entry] = entries_of(db, subject_by(db, FIRM_CODE).id)
    assert (entry.status, entry.removal_reason, entry.removed_on) == ("removed", "source_removed", date(2026, 11, 20))
    after = check(ctx, FIRM_CODE, "procurement")
    assert not after.hit and after.measures == []
    before = check(ctx, FIRM_CODE, "procurement", as_of=date(2026, 11, 19))
    assert before.hit and "court_procurement" in {m.id for m in before.measures}


def test_every_court_measure_rests_on_a_founding_basis() -> None:
    measures = measure_ledger().applicable({LIST})
    assert {m.scenario for m in measures} >= {"procurement", "bidding", "subsidies", "honours", "travel_consumption"}
    for measure in measures:
        assert measure.kind == "punishment" and measure.status == "retain"
        assert any(b.level in FOUNDING_LEVELS for b in measure.legal_basis)


def test_only_the_court_imports_its_list(
    ctx: Context, db: Session, court: Context, departments: tuple[Department, Department]
) -> None:
    market = Context(session=db, actor="scjgj:officer", role="department_officer", department_id=departments[0].id)
    with pytest.raises(PermissionDenied):
        received.import_received(market, LIST, SAMPLE.name, SAMPLE.read_bytes(), "批次")
    assert db.scalars(select(ListEntry).where(ListEntry.list_code == LIST)).first() is None


def test_a_bad_row_refuses_the_whole_file(court: Context, db: Session) -> None:
    bad = (
        f"{HEADER}\n"
        f"{FIRM_CODE},,广州示例拒执建材有限公司,2026-03-16,拒不履行,{COURT},（2026）粤0113执1号,\n"
        f",440113197804150314,张示例,2025-11-20,违反限制消费令,{COURT},（2025）粤0113执2号,\n"
    )
    with pytest.raises(received.ImportRowsInvalid) as refused:
        received.import_received(court, LIST, "bad.csv", bad.encode(), "批次")
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "身份证号码")]
    assert db.scalars(select(ListEntry).where(ListEntry.list_code == LIST)).first() is None


def test_an_entry_in_force_lowers_the_evaluation_until_the_court_removes_it(
    ctx: Context, db: Session, court: Context
) -> None:
    """The general model's ``on_list`` indicator: a firm on the courts' list in force loses its points once; after
    the court's removal the firm is back at the base score (and an earlier as_of still sees the entry)."""
    from xinyong.evaluation import service as evaluation
    from xinyong.evaluation.models_yaml import load_model

    model = load_model("general")
    points = next(i.points for i in model.indicators() if i.code == "court_dishonest_debtor")
    received.import_received(court, LIST, SAMPLE.name, SAMPLE.read_bytes(), "批次1")
    firm = subject_by(db, FIRM_CODE)
    listed = evaluation.explain(ctx, firm.id, date(2026, 11, 19))
    indicator = next(i for d in listed.dimensions for i in d.indicators if i.code == "court_dishonest_debtor")
    assert listed.score == model.base_score + points and indicator.records == []
    removal = (
        f"{HEADER}\n{FIRM_CODE},,广州示例拒执建材有限公司,2026-03-16,有履行能力而拒不履行生效法律文书确定的义务,"
        f"{COURT},（2026）粤0113执1201号,2026-11-20\n"
    )
    received.import_received(court, LIST, "删除.csv", removal.encode(), "批次2")
    assert evaluation.explain(ctx, firm.id, date(2026, 11, 21)).score == model.base_score
    assert evaluation.explain(ctx, firm.id, date(2026, 11, 19)).score == model.base_score + points
