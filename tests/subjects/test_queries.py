"""Registry reads: Chinese substring search, code search, privacy, code quality."""

import pytest

from factories import company, ric, uscc
from xinyong.auth.context import Context
from xinyong.errors import InvalidInput
from xinyong.settings import get_settings
from xinyong.subjects.queries import Audience, code_quality, search_subjects, subjects_by_uscc
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject


@pytest.fixture
def registry(ctx: Context) -> Context:
    company(ctx, "广州禾丰食品有限公司", 1)
    company(ctx, "广州丰禾贸易有限公司", 2)
    company(ctx, "广州市番禺区大石禾丰五金店有限公司", 3)
    company(ctx, "广州（番禺）ＡＢＣ科技有限公司", 4)
    register_subject(ctx, SubjectIn(kind="natural_person", name="禾丰", ric=ric()))
    return ctx


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.name for i in page.items]


def test_chinese_substring_found_on_both_databases(registry: Context) -> None:
    page = search_subjects(registry.session, "禾丰")
    assert names(page) == ["广州禾丰食品有限公司", "广州市番禺区大石禾丰五金店有限公司"]
    assert (page.total, page.total_is_lower_bound, page.mode) == (2, False, "name")


def test_longer_fragment_requires_contiguous_match(registry: Context) -> None:
    assert names(search_subjects(registry.session, "禾丰食品")) == ["广州禾丰食品有限公司"]
    assert search_subjects(registry.session, "丰禾丰").total == 0


def test_total_counts_only_contiguous_matches(ctx: Context) -> None:
    company(ctx, "广州禾丰丰禾有限公司", 30)
    company(ctx, "广州禾丰禾有限公司", 31)
    page = search_subjects(ctx.session, "禾丰禾")
    assert (page.total, names(page)) == (1, ["广州禾丰禾有限公司"])


def test_single_character_and_last_character(registry: Context) -> None:
    assert len(search_subjects(registry.session, "禾").items) == 3
    assert search_subjects(registry.session, "司").total == 4


def test_fullwidth_and_case_insensitive(registry: Context) -> None:
    assert names(search_subjects(registry.session, "abc科技")) == ["广州（番禺）ＡＢＣ科技有限公司"]
    assert names(search_subjects(registry.session, "(番禺)")) == ["广州（番禺）ＡＢＣ科技有限公司"]


def test_code_prefix_search(registry: Context) -> None:
    code = uscc(1)
    page = search_subjects(registry.session, code[:10].lower())
    assert page.mode == "code"
    assert code in [i.uscc for i in page.items]
    assert names(search_subjects(registry.session, code)) == ["广州禾丰食品有限公司"]


def test_natural_persons_hidden_from_public_only(registry: Context) -> None:
    assert "禾丰" not in names(search_subjects(registry.session, "禾丰"))
    staff = search_subjects(registry.session, "禾丰", audience=Audience(include_natural_persons=True))
    assert "禾丰" in names(staff)
    person = next(i for i in staff.items if i.kind == "natural_person")
    assert person.ric_masked is not None and "*" in person.ric_masked


def test_common_fragment_reports_lower_bound(registry: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_SEARCH_CANDIDATE_CAP", "2")
    get_settings.cache_clear()
    page = search_subjects(registry.session, "有限公司")
    assert page.total_is_lower_bound
    assert page.total == 2
    assert len(page.items) == 4
    single = search_subjects(registry.session, "州")
    assert single.total_is_lower_bound
    assert len(single.items) == 4


def test_paging(registry: Context) -> None:
    first = search_subjects(registry.session, "有限公司", limit=3)
    second = search_subjects(registry.session, "有限公司", offset=3, limit=3)
    assert len(first.items) == 3
    assert len(second.items) == 1
    assert not {i.id for i in first.items} & {i.id for i in second.items}


@pytest.mark.parametrize("q", ["", "   ", "x" * 51])
def test_bad_queries(registry: Context, q: str) -> None:
    with pytest.raises(InvalidInput):
        search_subjects(registry.session, q)


@pytest.mark.parametrize("q", ["' OR 1=1 --", "%", "_", "<script>alert(1)</script>", "禾丰'; DROP TABLE subject;--"])
def test_hostile_queries_are_plain_text(registry: Context, q: str) -> None:
    assert search_subjects(registry.session, q).total == 0
    assert search_subjects(registry.session, "禾丰").total == 2


def test_subjects_by_uscc_lists_duplicates(registry: Context) -> None:
    company(registry, "重码公司", 1, allow_duplicate=True)
    assert [s.name for s in subjects_by_uscc(registry.session, uscc(1))] == ["广州禾丰食品有限公司", "重码公司"]


def test_code_quality_counts_duplicates_errors_and_missing(ctx: Context) -> None:
    for n in range(1, 11):
        company(ctx, f"公司{n}", n)
    company(ctx, "重码一", 1, allow_duplicate=True)
    bad = uscc(20)[:17] + ("0" if uscc(20)[17] != "0" else "1")
    company(ctx, "错码", 20, code=bad)
    register_subject(
        ctx, SubjectIn(kind="individual_business", name="无照店", uscc="00000000000000000X", reg_no="440126600000001")
    )
    register_subject(ctx, SubjectIn(kind="natural_person", name="李四", ric=ric(seq="456")))
    q = code_quality(ctx.session)
    assert (q.subjects, q.duplicate_codes, q.duplicate_subjects, q.erroneous_codes, q.missing_codes) == (13, 1, 2, 1, 1)
    assert q.rate == pytest.approx(2 / 13)
    assert q.target == 0.00005
    assert not q.meets_target


def test_code_quality_empty_registry(ctx: Context) -> None:
    q = code_quality(ctx.session)
    assert (q.subjects, q.rate, q.meets_target) == (0, 0.0, True)


def test_common_grams_are_remembered_without_changing_results(
    registry: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xinyong.subjects import queries

    monkeypatch.setattr(queries, "_COMMON_GRAMS", {})
    monkeypatch.setenv("XINYONG_SEARCH_CANDIDATE_CAP", "2")
    get_settings.cache_clear()
    search_subjects(registry.session, "有限公司")
    assert any(key[1:] == (2, "有限") for key in queries._COMMON_GRAMS)
    assert names(search_subjects(registry.session, "丰食品有限")) == ["广州禾丰食品有限公司"]


def test_a_stale_common_mark_costs_speed_not_results(registry: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    from xinyong.subjects import queries

    url = registry.session.get_bind().engine.url.render_as_string(hide_password=True)
    cap = get_settings().search_candidate_cap
    monkeypatch.setattr(queries, "_COMMON_GRAMS", {(url, cap, g): None for g in ("禾丰", "丰食")})
    page = search_subjects(registry.session, "禾丰食品")
    assert (page.total, names(page)) == (1, ["广州禾丰食品有限公司"])
