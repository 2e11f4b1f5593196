"""The demo generator: deterministic, valid codes except the planted ones, sensible proportions."""

from collections import Counter
from datetime import date

import pytest

from xinyong.catalog.departments import load_departments
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.codes.ric import is_valid_ric
from xinyong.codes.uscc import PLACEHOLDER, uscc_problem_string
from xinyong.demo.generator import (
    HEFENG,
    PROFILES,
    DistrictGenerator,
    department_uscc,
    planted_counts,
    quotas,
    reg_no_check_digit,
)
from xinyong.demo.worker import ROW_KEYS, WorkerChunks, check_codes

N = 2000


def rows(n: int = N, seed: int = 2021, first_id: int = 1) -> list[dict]:
    return list(DistrictGenerator(n, seed, first_id=first_id).rows())


@pytest.fixture(scope="module")
def district() -> tuple[DistrictGenerator, list[dict]]:
    gen = DistrictGenerator(N, 2021)
    return gen, list(gen.rows())


def test_same_seed_same_rows_other_seed_other_rows(district: tuple[DistrictGenerator, list[dict]]) -> None:
    _, first = district
    assert rows() == first
    other = rows(seed=2022)
    assert [r["name"] for r in other] != [r["name"] for r in first]
    assert [r["uscc"] for r in other] != [r["uscc"] for r in first]


def test_first_id_only_shifts_ids() -> None:
    a, b = rows(500), rows(500, first_id=1001)
    assert [r["id"] for r in b] == list(range(1001, 1501))
    assert [{**r, "id": 0} for r in a] == [{**r, "id": 0} for r in b]


def test_every_code_valid_except_the_planted_ones(district: tuple[DistrictGenerator, list[dict]]) -> None:
    gen, all_rows = district
    erroneous, duplicates = planted_counts(N)
    assert (erroneous, duplicates) == (1, 1)
    assert (gen.plan.erroneous, gen.plan.duplicates) == (1, 1)
    bad = [r["id"] for r in all_rows if r["uscc"] not in (None, PLACEHOLDER) and uscc_problem_string(r["uscc"])]
    assert bad == gen.log.erroneous_ids
    assert len(bad) == erroneous
    held = Counter(r["uscc"] for r in all_rows if r["uscc"] not in (None, PLACEHOLDER))
    dup_codes = [c for c, n in held.items() if n > 1]
    assert len(dup_codes) == duplicates == len(gen.log.duplicate_ids)
    second, first = next(iter(gen.log.duplicate_of.items()))
    by_id = {r["id"]: r for r in all_rows}
    assert by_id[second]["uscc"] == by_id[first]["uscc"] == dup_codes[0]
    assert first < second
    # Organisation-code bodies (chars 9–16) are unique apart from the planted duplicate.
    bodies = Counter(c[8:16] for c in held.elements())
    assert [b for b, n in bodies.items() if n > 1] == [dup_codes[0][8:16]]


def test_codes_match_each_kind(district: tuple[DistrictGenerator, list[dict]]) -> None:
    _, all_rows = district
    prefixes = {
        "有限责任公司": "91",
        "股份有限公司": "91",
        "分公司": "91",
        "个人独资企业": "91",
        "合伙企业": "91",
        "个体工商户": "92",
        "农民专业合作社": "93",
        "社会团体": "51",
        "民办非企业单位": "52",
        "基金会": "53",
        "事业单位": "12",
    }
    planted_dup = {r["id"] for r in all_rows} & set(DistrictGenerator(N, 2021).log.duplicate_ids)
    for r in all_rows:
        if r["kind"] == "natural_person":
            assert r["uscc"] is None and r["legal_representative"] is None
            continue
        if r["uscc"] == PLACEHOLDER:
            assert r["kind"] == "individual_business"
            assert len(r["reg_no"]) == 15 and r["reg_no"][-1] == reg_no_check_digit(r["reg_no"][:14])
            continue
        assert r["uscc"][2:8] == "440113"
        if r["id"] not in planted_dup:
            assert r["uscc"][:2] == prefixes[r["organisation_type"]], r
        assert r["legal_representative"]


def test_proportions_townships_dates(district: tuple[DistrictGenerator, list[dict]]) -> None:
    _, all_rows = district
    kinds = Counter(r["kind"] for r in all_rows)
    total_share = sum(p.share for p in PROFILES)
    for kind in kinds:
        share = sum(p.share for p in PROFILES if p.kind == kind) / total_share
        assert abs(kinds[kind] / N - share) < 0.005, kind
    assert sum(quotas(N).values()) == N
    assert (
        0.52
        < sum(
            1
            for r in all_rows
            if r["organisation_type"] in ("有限责任公司", "股份有限公司", "分公司", "个人独资企业", "合伙企业")
        )
        / N
        < 0.58
    )
    assert 0.33 < kinds["individual_business"] / N < 0.37
    codes = {t.code for t in PANYU_TOWNSHIPS}
    townships = Counter(r["township_code"] for r in all_rows)
    assert set(townships) == codes
    assert townships.most_common(1)[0][1] < 0.15 * N
    dates = [r["registered_on"] for r in all_rows if r["registered_on"]]
    assert min(dates) >= date(1990, 1, 1) and max(dates) <= date(2024, 12, 31)
    assert all(r["address"].startswith("广州市番禺区") for r in all_rows)


def test_natural_persons_have_valid_unique_id_numbers(district: tuple[DistrictGenerator, list[dict]]) -> None:
    _, all_rows = district
    people = [r for r in all_rows if r["kind"] == "natural_person"]
    assert len(people) == quotas(N)["natural_person"]
    ids = [r["ric"] for r in people]
    assert len(set(ids)) == len(ids)
    assert all(is_valid_ric(i, as_of=date(2025, 1, 1)) for i in ids)
    assert all(r["ric"] is None for r in all_rows if r["kind"] != "natural_person")
    assert any(i.startswith("440113") for i in ids)


def test_names_unique_and_hefeng_present(district: tuple[DistrictGenerator, list[dict]]) -> None:
    gen, all_rows = district
    orgs = [r["name"] for r in all_rows if r["kind"] != "natural_person"]
    assert len(set(orgs)) == len(orgs)
    hefeng = [r for r in all_rows if r["name"] == HEFENG]
    assert len(hefeng) == 1 and hefeng[0]["id"] == gen.log.hefeng_id
    assert hefeng[0]["kind"] == "legal_person" and not uscc_problem_string(hefeng[0]["uscc"])
    assert any(r["name"] == HEFENG for r in rows(100, seed=7))
    assert not any(r["name"] == HEFENG for r in rows(99, seed=7))


def test_tiny_district_plants_nothing() -> None:
    gen = DistrictGenerator(999, 3)
    small = list(gen.rows())
    assert (gen.plan.erroneous, gen.plan.duplicates) == (0, 0)
    assert not any(uscc_problem_string(r["uscc"]) for r in small if r["uscc"] not in (None, PLACEHOLDER))
    assert planted_counts(1_000_000) == (30, 20)


def test_department_codes_valid_and_distinct() -> None:
    codes = [department_uscc(d.code, d.org_type) for d in load_departments().departments]
    assert len(set(codes)) == len(codes)
    assert all(uscc_problem_string(c) == "" and c[:2] in ("11", "13") and c[2:8] == "440113" for c in codes)


def test_worker_process_yields_the_same_rows() -> None:
    worker = WorkerChunks(1500, 11, 5, 400)
    produced = [r for chunk in worker for r in chunk]
    gen = DistrictGenerator(1500, 11, first_id=5)
    expected = []
    for chunk in gen.chunks(400):
        check_codes(chunk)
        expected.extend({k: r[k] for k in ROW_KEYS} for r in chunk)
    assert produced == expected
    assert worker.log == gen.log
