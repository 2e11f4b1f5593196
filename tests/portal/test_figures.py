"""The home page's figures on a small district (records published this month, the twelve-month series, lists,
repairs, objections) and the in-process cache: fresh within its lifetime, refreshed by one reader while the others
keep the previous figures, computed once when several readers arrive together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from webdata import register

from factories import company, ric
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.db.session import IMMEDIATE
from xinyong.portal import figures
from xinyong.portal.figures import (
    FiguresCache,
    HomeFigures,
    cached_home_figures,
    home_figures,
    months_back,
)
from xinyong.records import effects
from xinyong.records.models import Objection, RepairApplication
from xinyong.subjects.models import Department, Subject

TODAY = date(2026, 11, 27)
AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    figures.clear_cache()
    yield
    figures.clear_cache()


def _repair(db: Session, subject: Subject, status: str, decided_on: date | None) -> None:
    db.add(
        RepairApplication(
            external_list="credit_china",
            subject_id=subject.id,
            applicant_name=subject.name,
            status=status,
            rule_version=1,
            submitted_at=AT,
            submitted_on=date(2025, 1, 2),
            decided_on=decided_on,
        )
    )


def _objection(db: Session, record_id: int, dept: Department, status: str, outcome: str | None, closed: date | None):
    db.add(
        Objection(
            record_id=record_id,
            item_id="penalty",
            department_id=dept.id,
            doc_no=f"objection-{record_id}-{status}-{outcome}",
            applicant_name="广州禾丰贸易有限公司",
            reasons="记录有误",
            status=status,
            outcome=outcome,
            accept_due=date(2025, 1, 6),
            rule_version=1,
            submitted_at=AT,
            submitted_on=date(2025, 1, 2),
            closed_on=closed,
        )
    )


def district(ctx: Context, db: Session, departments: tuple[Department, Department]) -> dict[str, Subject]:
    """Three companies and a person; penalties and a licence over the year; list entries; repairs; objections."""
    dept, _ = departments
    firm = company(ctx, "广州禾丰贸易有限公司", 401)
    other = company(ctx, "广州信达建材有限公司", 402)
    third = company(ctx, "广州过期红名单有限公司", 403)
    person = register(ctx, kind="natural_person", name="王禾丰", ric=ric())
    penalties = make_batch(db, dept)
    licences = make_batch(db, dept, item_id="licence")

    def penalty(doc: str, decided: date, **kw: object):  # type: ignore[no-untyped-def]
        return make_record(db, penalties, doc_no=doc, decided_on=decided, subject=kw.pop("subject", firm), **kw)  # type: ignore[arg-type]

    penalty("罚-1", date(2026, 11, 2))  # this month, public
    first = penalty("罚-2", date(2026, 11, 10))
    penalty("罚-2", date(2026, 11, 10), supersedes=first)  # a correction: counted once
    repaired = penalty("罚-3", date(2026, 11, 5))
    effects.add_effect(ctx, repaired, "repaired", date(2026, 11, 20), source_type="repair", source_id=None)
    penalty("罚-4", date(2026, 12, 1))  # decided after today
    penalty("罚-5", date(2026, 6, 15))
    penalty("罚-6", date(2025, 11, 30))  # before the twelve months
    unpublished = penalty("罚-7", date(2026, 11, 4))
    unpublished.publishable = False
    penalty("罚-8", date(2026, 11, 6), subject=person)
    make_record(db, licences, doc_no="许-1", decided_on=date(2026, 11, 3), subject=other, category=None)
    db.flush()

    published_entry(db, firm, "contract_honouring", published_on=date(2026, 7, 2))
    employer = published_entry(db, other, "wage_arrears", published_on=date(2026, 3, 2))
    published_entry(db, person, "wage_arrears", published_on=date(2026, 3, 2), parent=employer)
    published_entry(db, firm, "samr_serious_illegal", published_on=date(2026, 9, 1))
    published_entry(db, third, "contract_honouring", published_on=date(2024, 1, 1), expires_on=date(2026, 11, 1))

    _repair(db, firm, "granted", date(2026, 3, 10))
    _repair(db, other, "granted", date(2026, 11, 20))
    _repair(db, third, "granted", date(2025, 6, 1))
    _repair(db, firm, "rejected", date(2026, 4, 1))
    _repair(db, other, "granted", date(2026, 12, 1))  # after today
    _objection(db, first.id, dept, "closed", "upheld", date(2026, 5, 1))
    _objection(db, first.id, dept, "closed", "corrected", date(2025, 10, 1))
    _objection(db, first.id, dept, "closed", "withdrawn", date(2026, 6, 1))
    _objection(db, first.id, dept, "accepted", None, None)
    db.flush()
    return {"firm": firm, "other": other, "third": third, "person": person}


def test_twelve_months_end_with_the_current_one() -> None:
    months = months_back(TODAY)
    assert len(months) == 12 and months[0] == date(2025, 12, 1) and months[-1] == date(2026, 11, 1)
    assert months_back(date(2026, 1, 31), 3) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def test_figures_of_a_small_district(ctx: Context, db: Session, departments: tuple[Department, Department]) -> None:
    district(ctx, db, departments)
    f = home_figures(db, TODAY)
    assert f.as_of == TODAY
    kinds = {c.key: c.count for c in f.subjects_by_kind}
    assert kinds == {"legal_person": 3, "natural_person": 1} and f.subjects_total == 4
    assert [c.label for c in f.subjects_by_kind] == ["法人", "自然人"]
    # this month, public today: 罚-1, the corrected 罚-2, the person's 罚-8; the licence 许-1
    this_month = {c.key: c.count for c in f.records_this_month_by_item}
    assert this_month == {"licence": 1, "penalty": 3} and f.records_this_month == 4
    assert [c.label for c in f.records_this_month_by_item] == ["行政许可", "行政处罚"]
    # the series: this month's bar is the figure above; a completed month counts first versions with a
    # publishable rule, repaired or not, decided in it (none before 2025-12)
    assert f.months[0] == "2025-12" and f.months[-1] == "2026-11"
    series = {s.key: s.values for s in f.records_by_month}
    assert series["penalty"][-1] == 3 and series["penalty"][f.months.index("2026-06")] == 1
    assert sum(series["penalty"]) == 4 and series["licence"] == [0] * 11 + [1]
    # lists: employers only, received lists count as dishonesty, the expired red entry does not count
    by_type = {x.code: x.count for x in f.lists_by_type}
    assert by_type["contract_honouring"] == 1 and by_type["wage_arrears"] == 1 and by_type["samr_serious_illegal"] == 1
    assert f.lists_dishonesty == 2 and f.lists_red == 1
    assert {x.kind for x in f.lists_by_type if x.code == "contract_honouring"} == {"red"}
    # repairs granted up to today; the chart has March and November
    assert f.repairs_this_year == 2 and f.repairs_total == 3
    assert f.repairs_by_month[f.months.index("2026-03")] == 1 and f.repairs_by_month[-1] == 1
    assert sum(f.repairs_by_month) == 2
    # objections closed (not withdrawn) up to today
    assert f.objections_this_year == 1 and f.objections_total == 2


def test_completed_months_count_first_versions_of_published_records(
    ctx: Context, db: Session, departments: tuple[Department, Department]
) -> None:
    district(ctx, db, departments)
    december = home_figures(db, date(2026, 12, 15))
    series = {s.key: s.values for s in december.records_by_month}
    # November, now completed: 罚-1, 罚-2 once (its first version), the repaired 罚-3, the person's 罚-8
    assert december.months[-2] == "2026-11" and series["penalty"][-2] == 4 and series["licence"][-2] == 1
    assert series["penalty"][-1] == 1  # 罚-4, decided 2026-12-01, this month's figure


def test_figures_on_an_earlier_day(ctx: Context, db: Session, departments: tuple[Department, Department]) -> None:
    district(ctx, db, departments)
    f = home_figures(db, date(2026, 6, 30))
    assert f.months[-1] == "2026-06" and f.records_this_month == 1  # 罚-5
    assert f.lists_red == 1 and f.lists_dishonesty == 1  # samr entry published in September
    assert f.repairs_this_year == 1 and f.objections_this_year == 1


def test_figures_of_an_empty_database_and_their_json(db: Session) -> None:
    f = home_figures(db, TODAY)
    assert f.subjects_total == 0 and f.records_this_month == 0 and f.lists_red == 0 and f.repairs_total == 0
    data = f.as_json()
    assert data["as_of"] == "2026-11-27" and len(data["months"]) == 12
    assert {s["key"] for s in data["records_by_month"]} == {"licence", "penalty"}


def test_cached_figures_are_kept_for_the_ttl(
    ctx: Context, db: Session, departments: tuple[Department, Department]
) -> None:
    firm = company(ctx, "广州禾丰贸易有限公司", 401)
    batch = make_batch(db, departments[0])
    make_record(db, batch, doc_no="罚-1", decided_on=date(2026, 11, 2), subject=firm)
    first = cached_home_figures(db, TODAY, ttl=60)
    make_record(db, batch, doc_no="罚-2", decided_on=date(2026, 11, 3), subject=firm)
    assert cached_home_figures(db, TODAY, ttl=60) == first and first.records_this_month == 1
    assert cached_home_figures(db, TODAY, ttl=0).records_this_month == 2  # 0: no cache
    assert cached_home_figures(db, date(2026, 11, 26), ttl=60).records_this_month == 2  # another day: computed
    figures.clear_cache()
    assert cached_home_figures(db, TODAY, ttl=60).records_this_month == 2


def test_on_an_engine_figures_are_read_apart_and_refreshed_in_the_background(engine: Engine) -> None:
    jobs: list[Callable[[], None]] = []
    request = Session(bind=engine.execution_options(**{IMMEDIATE: True}))  # how the web's sessions are bound
    with request:
        first = cached_home_figures(request, TODAY, ttl=60, spawn=jobs.append)
        # the live figures were computed while the reader waited; the completed months are being counted
        assert first.subjects_total == 0 and first.history_ready is False and len(jobs) == 1
        assert all(v is None for s in first.records_by_month for v in s.values[:-1])
        assert first.as_json()["records_by_month"][0]["values"][0] is None
        jobs.pop()()
        second = cached_home_figures(request, TODAY, ttl=60, spawn=jobs.append)
        assert second.history_ready is True and jobs == []
        assert second.records_by_month[0].values == [0] * 12
        # expired live figures: the reader gets the previous ones, a refresh is started once
        third = cached_home_figures(request, TODAY, ttl=1e-9, spawn=jobs.append)
        assert third == second and len(jobs) == 1
        cached_home_figures(request, TODAY, ttl=1e-9, spawn=jobs.append)
        assert len(jobs) == 1  # already refreshing
        jobs.pop()()
        assert not request.in_transaction()  # the figures never ran in the request's transaction


def _figures(n: int) -> HomeFigures:
    return HomeFigures(TODAY, AT, n, [], 0, [], 0, 0, [], 0, 0, 0, 0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cache_refreshes_after_the_ttl() -> None:
    clock = Clock()
    cache = FiguresCache(clock)
    calls: list[int] = []

    def compute() -> HomeFigures:
        calls.append(1)
        return _figures(len(calls))

    key = ("db", TODAY)
    assert cache.get(key, 60, compute).subjects_total == 1
    clock.now += 59
    assert cache.get(key, 60, compute).subjects_total == 1 and len(calls) == 1
    clock.now += 2
    assert cache.get(key, 60, compute).subjects_total == 2 and len(calls) == 2


def test_one_reader_refreshes_while_the_others_keep_the_previous_figures() -> None:
    clock = Clock()
    cache = FiguresCache(clock)
    key = ("db", TODAY)
    cache.get(key, 60, lambda: _figures(1))
    clock.now += 120
    started, release = threading.Event(), threading.Event()

    def slow() -> HomeFigures:
        started.set()
        release.wait(5)
        return _figures(2)

    results: list[int] = []
    refresher = threading.Thread(target=lambda: results.append(cache.get(key, 60, slow).subjects_total))
    refresher.start()
    assert started.wait(5)
    # while the refresh runs, another reader gets the previous figures at once and computes nothing
    assert cache.get(key, 60, lambda: pytest.fail("computed twice")).subjects_total == 1
    release.set()
    refresher.join(5)
    assert results == [2] and cache.get(key, 60, lambda: _figures(3)).subjects_total == 2


def test_a_failed_refresh_keeps_the_previous_figures() -> None:
    clock = Clock()
    cache = FiguresCache(clock)
    key = ("db", TODAY)
    cache.get(key, 60, lambda: _figures(1))
    clock.now += 120

    def broken() -> HomeFigures:
        raise RuntimeError("database gone")

    assert cache.get(key, 60, broken).subjects_total == 1
    assert cache.get(key, 60, lambda: _figures(2)).subjects_total == 2  # the next reader tries again


def test_readers_arriving_together_compute_once() -> None:
    cache = FiguresCache(Clock())
    key = ("db", TODAY)
    calls: list[int] = []
    gate = threading.Event()

    def compute() -> HomeFigures:
        calls.append(1)
        gate.wait(0.2)  # hold the first computation while the others arrive
        return _figures(7)

    results: list[int] = []
    readers = [
        threading.Thread(target=lambda: results.append(cache.get(key, 60, compute).subjects_total)) for _ in range(8)
    ]
    for r in readers:
        r.start()
    for r in readers:
        r.join(5)
    assert results == [7] * 8 and len(calls) == 1


def test_only_the_newest_keys_are_kept() -> None:
    clock = Clock()
    cache = FiguresCache(clock, keep=2)
    for day in (1, 2, 3):
        clock.now += 1
        cache.get(("db", date(2026, 11, day)), 60, lambda day=day: _figures(day))
    assert cache.get(("db", date(2026, 11, 1)), 60, lambda: _figures(99)).subjects_total == 99
    assert cache.get(("db", date(2026, 11, 3)), 60, lambda: _figures(98)).subjects_total == 3
