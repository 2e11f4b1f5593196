"""load_demo on SQLite and PostgreSQL: counts, code quality, search, privacy, idempotence, permission, audit."""

import pytest
from sqlalchemy import func, select

from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.catalog.departments import load_departments
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.codes.ric import is_valid_ric
from xinyong.demo.generator import HEFENG, DistrictGenerator
from xinyong.demo.service import DemoSummary, load_demo
from xinyong.errors import Conflict
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.queries import code_quality, search_subjects

N = 2000


@pytest.fixture
def loaded(ctx: Context) -> DemoSummary:
    done: list[int] = []
    summary = load_demo(ctx, N, 2021, chunk=700, progress=done.append)
    assert done == [700, 1400, 2000]
    return summary


def test_load_counts_and_code_quality(ctx: Context, loaded: DemoSummary) -> None:
    s = ctx.session
    assert s.scalar(select(func.count()).select_from(Subject)) == N
    by_kind = dict(s.execute(select(Subject.kind, func.count()).group_by(Subject.kind)).all())
    assert by_kind == loaded.by_kind
    assert (loaded.first_id, loaded.last_id) == (1, N)
    q = code_quality(s)
    assert (q.erroneous_codes, q.duplicate_codes, q.duplicate_subjects) == (
        loaded.erroneous,
        loaded.duplicates,
        2 * loaded.duplicates,
    )
    assert (loaded.erroneous, loaded.duplicates) == (1, 1)
    assert q.missing_codes == loaded.placeholders > 0
    flagged = s.scalars(
        select(Subject.id)
        .where(Subject.uscc_problems != "")
        .where(Subject.kind != "natural_person")
        .where(Subject.uscc != "00000000000000000X")
    ).all()
    assert flagged == loaded.erroneous_ids
    townships = set(s.scalars(select(Subject.township_code).distinct()))
    assert townships <= {t.code for t in PANYU_TOWNSHIPS}
    assert s.scalar(select(func.count()).select_from(Department)) == len(load_departments().departments)
    assert loaded.departments_added == len(load_departments().departments)
    assert s.scalar(select(func.count()).where(Subject.source != "demo")) == 0


def test_stored_rows_match_the_generator(ctx: Context, loaded: DemoSummary) -> None:
    expected = {r["id"]: r for r in DistrictGenerator(N, 2021).rows()}
    for subject in ctx.session.scalars(select(Subject).where(Subject.id.in_([1, 17, 500, 1999, loaded.hefeng_id]))):
        row = expected[subject.id]
        assert (subject.name, subject.uscc, subject.kind, subject.registered_on) == (
            row["name"],
            row["uscc"],
            row["kind"],
            row["registered_on"],
        )


def test_id_numbers_encrypted_at_rest(ctx: Context, loaded: DemoSummary) -> None:
    people = ctx.session.scalars(select(Subject).where(Subject.kind == "natural_person")).all()
    assert len(people) == loaded.by_kind["natural_person"] > 0
    plain = {r["id"]: r["ric"] for r in DistrictGenerator(N, 2021).rows() if r["ric"]}
    for person in people:
        ric = pii.decrypt(person.ric_cipher)
        assert ric == plain[person.id]
        assert is_valid_ric(ric)
        assert person.ric_hash == pii.lookup_hash(ric)
        assert person.ric_masked == pii.mask_id(ric) and ric not in person.ric_masked
        assert ric not in person.ric_cipher
        assert all(ric not in str(v) for v in (person.name, person.address, person.reg_no, person.uscc))


def test_hefeng_found_by_search(ctx: Context, loaded: DemoSummary) -> None:
    page = search_subjects(ctx.session, "禾丰")
    assert HEFENG in [item.name for item in page.items]
    assert any(item.id == loaded.hefeng_id for item in page.items)


def test_one_audit_event_for_the_load(ctx: Context, loaded: DemoSummary) -> None:
    events = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "demo.load").order_by(AuditEvent.id)
    ).all()
    assert len(events) == 1
    assert events[0].detail["seed"] == 2021 and events[0].detail["subjects"] == N
    assert events[0].detail["planted_erroneous"] == 1
    assert events[0].actor == "tester"


def test_if_empty_does_nothing_the_second_time(ctx: Context, loaded: DemoSummary) -> None:
    again = load_demo(ctx, N, 2021, if_empty=True)
    assert again.skipped and "未载入" in again.message
    assert ctx.session.scalar(select(func.count()).select_from(Subject)) == N
    assert ctx.session.scalar(select(func.count()).where(AuditEvent.action == "demo.load")) == 1
    with pytest.raises(Conflict):
        load_demo(ctx, N, 2022)


def test_if_empty_loads_into_an_empty_registry(ctx: Context) -> None:
    summary = load_demo(ctx, 300, 5, if_empty=True)
    assert not summary.skipped
    assert ctx.session.scalar(select(func.count()).select_from(Subject)) == 300


def test_existing_departments_are_skipped(ctx: Context) -> None:
    ctx.session.add(Department(code="fgj", name="广州市番禺区发展和改革局", uscc="11440113MB0000000X"))
    ctx.session.flush()
    summary = load_demo(ctx, 200, 1)
    assert summary.departments_added == len(load_departments().departments) - 1
    fgj = ctx.session.scalars(select(Department).where(Department.code == "fgj")).one()
    assert fgj.uscc == "11440113MB0000000X"


def test_public_role_may_not_load(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        load_demo(Context(session=db, actor="x", role="public"), 100, 1)
    assert db.scalar(select(func.count()).select_from(Subject)) == 0


def test_worker_process_load_matches(ctx: Context) -> None:
    summary = load_demo(ctx, 1200, 9, parallel=True, chunk=500)
    expected = {r["id"]: r["uscc"] for r in DistrictGenerator(1200, 9).rows()}
    stored = dict(ctx.session.execute(select(Subject.id, Subject.uscc)).all())
    assert stored == expected
    q = code_quality(ctx.session)
    assert (q.erroneous_codes, q.duplicate_codes) == (summary.erroneous, summary.duplicates) == (1, 1)
