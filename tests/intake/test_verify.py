"""Registry verification of intake rows (``xinyong.intake.verify``): links, warnings, creation, set-based queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from factories import company, ric, uscc
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.intake.verify import CREATED, WOULD_CREATE, Candidate, NewSubjects, link_subjects
from xinyong.subjects.models import Subject
from xinyong.subjects.queries import search_subjects
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

NEW = NewSubjects("广州市番禺区市场监督管理局报送（行政处罚信息）", datetime(2026, 11, 27, 2, tzinfo=UTC))


@contextmanager
def statements(db: Session) -> Iterator[list[str]]:
    """The SQL statements the session's connection runs inside the block."""
    seen: list[str] = []
    conn = db.connection()

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(conn, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", count)


def org(name: str, code: str | None, **kw: object) -> Candidate:
    return Candidate(name=name, kind="legal_person", uscc=code, legal_representative="王五", **kw)  # type: ignore[arg-type]


def test_links_by_code_and_warns_about_a_different_name(ctx: Context) -> None:
    known = company(ctx, "广州禾丰贸易有限公司", 1)
    [same, renamed] = link_subjects(
        ctx.session, [org("广州禾丰贸易有限公司", uscc(1)), org("广州禾丰商贸有限公司", uscc(1))], create=NEW
    )
    assert (same.subject_id, same.warnings) == (known.id, [])
    assert renamed.subject_id == known.id
    assert renamed.warnings == [("subject_name", "主体名称与主体库不一致（主体库：广州禾丰贸易有限公司）")]


def test_unknown_subjects_are_created_once_unverified_and_searchable(ctx: Context) -> None:
    links = link_subjects(
        ctx.session,
        [org("番禺新公司甲", uscc(2)), org("番禺新公司甲", uscc(2)), org("番禺新公司乙", uscc(3))],
        create=NEW,
    )
    assert links[0].subject_id == links[1].subject_id != links[2].subject_id
    assert all(("", CREATED) in link.warnings for link in links)
    created = ctx.session.scalars(select(Subject).order_by(Subject.id)).all()
    assert [(s.name, s.uscc, s.verified, s.uscc_problems) for s in created] == [
        ("番禺新公司甲", uscc(2), False, ""),
        ("番禺新公司乙", uscc(3), False, ""),
    ]
    assert created[0].source == NEW.source and created[0].legal_representative == "王五"
    assert search_subjects(ctx.session, "新公司乙").total == 1


def test_without_create_nothing_is_written(ctx: Context) -> None:
    [link] = link_subjects(ctx.session, [org("番禺新公司甲", uscc(2))], create=None)
    assert (link.subject_id, link.warnings) == (None, [("", WOULD_CREATE)])
    assert ctx.session.scalars(select(Subject)).all() == []


def test_duplicate_code_links_none(ctx: Context) -> None:
    company(ctx, "甲公司", 4)
    company(ctx, "乙公司", 4, allow_duplicate=True)
    [link] = link_subjects(ctx.session, [org("甲公司", uscc(4))], create=NEW)
    assert link.subject_id is None and link.warnings[0][0] == "uscc" and "重码" in link.warnings[0][1]
    assert len(ctx.session.scalars(select(Subject)).all()) == 2


def test_natural_person_matched_by_keyed_hash_and_name_masked(ctx: Context) -> None:
    number = ric()
    known = register_subject(ctx, SubjectIn(kind="natural_person", name="张三丰", ric=number))
    digest = pii.lookup_hash(number)
    [link] = link_subjects(ctx.session, [Candidate(name="张三", kind="natural_person", ric_hash=digest)], create=NEW)
    assert link.subject_id == known.id
    assert link.warnings == [("subject_name", "主体名称与主体库不一致（主体库：张**）")]


def test_placeholder_and_codeless_subjects_match_by_name_and_registration_number(ctx: Context) -> None:
    shop = Candidate(name="市桥小明士多", kind="individual_business", placeholder=True, reg_no="440126600123456")
    [first] = link_subjects(ctx.session, [shop], create=NEW)
    created = ctx.session.get(Subject, first.subject_id)
    assert created is not None and created.uscc == "00000000000000000X" and created.uscc_problems == "placeholder"
    codeless = Candidate(name="市桥 小明士多", kind="individual_business", reg_no="440126600123456")
    other_reg = Candidate(name="市桥小明士多", kind="individual_business", reg_no="440126600000000")
    [again, different] = link_subjects(ctx.session, [codeless, other_reg], create=NEW)
    assert again.subject_id == first.subject_id and again.warnings == []
    assert different.subject_id not in (None, first.subject_id)


def test_unlinkable_rows_only_warn(ctx: Context) -> None:
    passport = Candidate(name="John Smith", kind="natural_person", unlinkable="证件类型为护照号")
    no_id = Candidate(name="李四", kind="natural_person")
    [a, b] = link_subjects(ctx.session, [passport, no_id], create=NEW)
    assert (a.subject_id, a.warnings) == (None, [("id_type", "证件类型为护照号")])
    assert b.subject_id is None and b.warnings[0][0] == "id_number"
    assert ctx.session.scalars(select(Subject)).all() == []


def test_queries_do_not_grow_with_the_rows(ctx: Context) -> None:
    for n in range(1, 4):
        company(ctx, f"已登记公司{n}", n)
    few = [org(f"已登记公司{n}", uscc(n)) for n in range(1, 4)] + [org("新公司", uscc(10))]
    many = [org(f"已登记公司{n % 3 + 1}", uscc(n % 3 + 1)) for n in range(300)]
    many += [org(f"新公司{n}", uscc(100 + n)) for n in range(300)]
    many += [
        Candidate(name=f"士多{n}", kind="individual_business", placeholder=True, reg_no=f"R{n}") for n in range(50)
    ]
    many += [Candidate(name=f"个人{n}", kind="natural_person", ric_hash=f"{n:064x}") for n in range(50)]
    with statements(ctx.session) as small:
        link_subjects(ctx.session, few, create=NEW)
    with statements(ctx.session) as large:
        links = link_subjects(ctx.session, many, create=NEW)
    assert len(large) <= len(small) + 4  # + the name and ID-hash look-ups: a fixed number, not one per row
    assert sum(1 for link in links if link.subject_id) == len(many)
