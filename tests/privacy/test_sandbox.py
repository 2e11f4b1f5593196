"""The data sandbox (数据安全屋): k-suppression, reproducible noise, the ε budget and query limit, refusals and the
audit trail, on the service layer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from records_factories import make_batch, make_record
from xinyong.auth.audit import AuditEvent
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import NotFound
from xinyong.privacy import sandbox
from xinyong.privacy.models import SandboxQuery
from xinyong.privacy.sandbox import QuerySpec, Refused, laplace, reproduce, submit
from xinyong.privacy.sandbox_queries import all_queries, catalogue, get_query, own_queries
from xinyong.privacy.sandbox_rules import SandboxRules, load_rules
from xinyong.subjects.models import Department, Subject

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
BIG, SMALL = "440113007", "440113008"  # 市桥街道 with 12 enterprises, 沙头街道 with 4


def _rules(**policy: object) -> SandboxRules:
    base = load_rules()
    return base.model_copy(update={"policy": base.policy.model_copy(update=policy)})


@pytest.fixture
def district(db: Session, departments: tuple[Department, Department]) -> list[Subject]:
    subjects = [
        Subject(
            kind="legal_person",
            name=f"广州测试{i:02d}有限公司",
            uscc=None,
            township_code=BIG if i < 12 else SMALL,
            industry="construction" if i % 2 else "tourism",
            status="存续",
            created_at=AT,
        )
        for i in range(16)
    ]
    # natural persons are never in a view
    subjects += [Subject(kind="natural_person", name=f"张{i}", township_code=SMALL, created_at=AT) for i in range(20)]
    db.add_all(subjects)
    db.flush()
    batch = make_batch(db, departments[0])
    for i, subject in enumerate(subjects[:16]):
        make_record(
            db,
            batch,
            doc_no=f"番市监罚〔2026〕{i}号",
            decided_on=date(2026, 10, 5),
            subject=subject,
            data={"fine_amount": "250" if i == 0 else "2.5"},
            row_no=i + 1,
        )
    return subjects


@pytest.fixture
def analyst(db: Session, departments: tuple[Department, Department]) -> Context:
    return Context(session=db, actor="analyst-1", role="department_officer", department_id=departments[0].id, at=AT)


@pytest.fixture
def office(db: Session) -> Context:
    return Context(session=db, actor="office-1", role="credit_office_staff", at=AT)


def test_rulebook_validates_and_names_sources() -> None:
    rules = load_rules()
    assert rules.policy.k == 10
    assert {v.key for v in rules.views} >= {"subjects", "records", "lists", "grades"}
    for view in rules.views:
        assert view.source and all(d.source for d in view.dimensions) and all(m.source for m in view.measures)


def test_a_column_outside_the_allowlisted_tables_is_rejected_at_load() -> None:
    data = load_rules().model_dump()
    data["views"][0]["dimensions"][0]["column"] = "account.password_hash"
    with pytest.raises(ValueError, match="only the view's base table"):
        SandboxRules.model_validate(data)
    data["views"][0]["dimensions"][0]["column"] = "subject.no_such_column"
    with pytest.raises(ValueError, match="no such column"):
        SandboxRules.model_validate(data)


def test_groups_under_k_are_suppressed_and_counted(district: list[Subject], analyst: Context) -> None:
    query = submit(analyst, QuerySpec(view="subjects", by=["township"], measures=["subjects"]))
    assert query.status == "suppressed"
    assert query.suppressed_groups == 1  # 沙头街道's 4 enterprises (its 20 natural persons are not in the view)
    assert [row["group"] for row in query.result] == [{"township": BIG}]
    assert abs(query.result[0]["measures"]["subjects"] - 12) <= 12  # noised, but near 12 at ε=0.5
    # with k lowered to 4 both groups are released
    query = submit(analyst, QuerySpec(view="subjects", by=["township"], measures=["subjects"]), rules=_rules(k=4))
    assert query.status == "released" and query.suppressed_groups == 0 and len(query.result) == 2


def test_every_group_is_checked_on_distinct_subjects_not_rows(district: list[Subject], analyst: Context) -> None:
    query = submit(analyst, QuerySpec(view="records", by=["township", "industry"], measures=["records"]))
    # 市桥 holds 6 + 6 enterprises by industry: both under k=10, withheld; 沙头 2 + 2 too
    assert query.result == [] and query.suppressed_groups == 4 and query.status == "suppressed"


def test_noise_is_reproducible_from_the_recorded_seed(
    district: list[Subject], analyst: Context, office: Context
) -> None:
    spec = QuerySpec(view="records", by=["township"], measures=["subjects", "records", "fine_amount"], epsilon=1.0)
    query = submit(analyst, spec)
    seed = query.spec["noise_seed"]
    assert len(seed) == 32
    assert reproduce(office, query.id) == query.result
    # the noise is the recorded seed's: recompute the fine sum by hand (12 records, one clipped from 250 to 20)
    row = query.result[0]
    share = 1.0 / 3
    expected = 20 + 11 * 2.5 + laplace(seed, [BIG], "fine_amount", 20 / share)
    assert row["measures"]["fine_amount"] == round(max(0.0, expected), 2)
    assert row["measures"]["records"] == max(0, round(12 + laplace(seed, [BIG], "records", 1 / share)))
    # another query draws another seed
    again = submit(analyst, spec)
    assert again.spec["noise_seed"] != seed


def test_laplace_noise_has_the_policy_scale() -> None:
    draws = [laplace("s", [str(i)], "m", 2.0) for i in range(4000)]
    mean_abs = sum(abs(d) for d in draws) / len(draws)
    assert 1.8 < mean_abs < 2.2  # E|Laplace(0, b)| = b
    assert laplace("s", ["1"], "m", 2.0) == laplace("s", ["1"], "m", 2.0)


def test_the_daily_budget_refuses_and_resets_the_next_day(
    district: list[Subject], analyst: Context, db: Session
) -> None:
    spec = QuerySpec(view="subjects", by=["township"], measures=["subjects"], epsilon=1.0)
    for _ in range(3):
        submit(analyst, spec)
    with pytest.raises(Refused, match="今日隐私预算不足") as refused:
        submit(analyst, QuerySpec(view="subjects", measures=["subjects"], epsilon=0.1))
    assert refused.value.query.status == "refused" and refused.value.query.epsilon is None
    tomorrow = Context(session=db, actor=analyst.actor, role=analyst.role, at=AT + timedelta(days=1))
    assert submit(tomorrow, spec).status == "suppressed"


def test_the_query_limit_per_day(district: list[Subject], analyst: Context) -> None:
    rules = _rules(max_queries_per_day=2)
    spec = QuerySpec(view="subjects", measures=["subjects"], epsilon=0.1)
    submit(analyst, spec, rules=rules)
    with pytest.raises(Refused):
        submit(analyst, QuerySpec(view="nope", measures=["subjects"]), rules=rules)  # refusals count too
    with pytest.raises(Refused, match="今日查询次数已达上限"):
        submit(analyst, spec, rules=rules)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"view": "accounts", "measures": ["subjects"]}, "没有名为 accounts 的已批准视图"),
        ({"view": "subjects", "by": ["name"], "measures": ["subjects"]}, "不允许按 name 分组"),
        ({"view": "subjects", "measures": ["fine_amount"]}, "没有指标 fine_amount"),
        ({"view": "subjects", "measures": []}, "请至少选择一个统计指标"),
        ({"view": "subjects", "measures": ["subjects"], "filters": {"uscc": ["x"]}}, "不允许按 uscc 筛选"),
        ({"view": "subjects", "measures": ["subjects"], "epsilon": 5}, "不得超过"),
        (
            {"view": "records", "by": ["township", "industry", "kind", "month"], "measures": ["records"]},
            "分组维度最多 3 个",
        ),
        (
            {"view": "subjects", "measures": ["subjects"], "filters": {"township": ["1 OR 1=1; DROP TABLE subject"]}},
            None,
        ),
    ],
)
def test_invalid_queries_are_refused_in_chinese_and_audited(
    district: list[Subject], analyst: Context, db: Session, spec: dict[str, object], message: str | None
) -> None:
    if message is None:  # a filter value is a bound parameter, never SQL: no group matches, nothing released
        query = submit(analyst, QuerySpec.model_validate(spec))
        assert query.result == [] and db.scalar(select(Subject.id).limit(1)) is not None
        return
    with pytest.raises(Refused, match=message):
        submit(analyst, QuerySpec.model_validate(spec))
    stored = db.scalars(select(SandboxQuery).where(SandboxQuery.analyst == "analyst-1")).one()
    assert stored.status == "refused" and message in stored.reason and stored.result == []
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "sandbox.query")).one()
    assert event.outcome == "refused" and event.target_id == str(stored.id)


def test_too_many_groups_is_refused(district: list[Subject], analyst: Context) -> None:
    with pytest.raises(Refused, match="分组数超过上限 1"):
        submit(analyst, QuerySpec(view="subjects", by=["township"], measures=["subjects"]), rules=_rules(max_groups=1))


def test_every_release_is_audited_without_raw_rows(district: list[Subject], analyst: Context, db: Session) -> None:
    query = submit(analyst, QuerySpec(view="records", by=["item"], measures=["records"], filters={"township": [BIG]}))
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "sandbox.query")).one()
    assert event.outcome == "released" and event.actor == "analyst-1"
    assert event.detail["released_groups"] == 1 and event.detail["filters"] == {"township": [BIG]}
    assert query.department_id == analyst.department_id
    # what leaves is the group and the measures: no subject name, id or code
    text = repr(query.result)
    assert "广州测试" not in text and str(district[0].id) not in [str(v) for v in query.result[0]["group"].values()]


def test_reads_own_and_office(district: list[Subject], analyst: Context, office: Context, db: Session) -> None:
    mine = submit(analyst, QuerySpec(view="subjects", measures=["subjects"]))
    submit(office, QuerySpec(view="subjects", measures=["subjects"]))
    assert [q.id for q in own_queries(analyst)] == [mine.id]
    assert len(all_queries(office)) == 2 and all_queries(office)[1].noise_seed == mine.spec["noise_seed"]
    assert get_query(analyst, mine.id).noise_seed is None  # the seed is the office's, to reproduce
    with pytest.raises(PermissionDenied):
        all_queries(analyst)
    other = Context(session=db, actor="analyst-2", role="department_officer", at=AT)
    with pytest.raises(NotFound):  # another analyst's query
        get_query(other, mine.id)
    cat = catalogue(analyst)
    assert cat.policy.k == 10 and cat.policy.spent_epsilon_today == 0.5
    assert any(v.key == "records" for v in cat.views)


def test_only_sandbox_analysts_may_query(db: Session) -> None:
    for role in ("bank", "subject", "public", "regulator"):
        with pytest.raises(PermissionDenied):
            submit(Context(session=db, actor="x", role=role), QuerySpec(view="subjects", measures=["subjects"]))


def test_grades_and_lists_views_run_on_both_databases(district: list[Subject], analyst: Context) -> None:
    assert submit(analyst, QuerySpec(view="grades", by=["grade"], measures=["subjects", "mean_score"])).result == []
    assert submit(analyst, QuerySpec(view="lists", by=["list_type", "month"], measures=["entries"])).result == []
    month = submit(analyst, QuerySpec(view="records", by=["month"], measures=["subjects"]))
    assert [row["group"] for row in month.result] == [{"month": "2026-10"}]


def test_module_has_no_free_sql_entry_point() -> None:
    assert not any(name in dir(sandbox) for name in ("text", "raw_sql", "execute_sql"))
