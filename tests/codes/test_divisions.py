"""GB/T 2260 table (from python-stdnum's loc.dat) and the Panyu township table of rules.md §2."""

from __future__ import annotations

from xinyong.codes.divisions import (
    DIVISIONS,
    PANYU_DIVISION,
    PANYU_TOWNSHIPS,
    division_existed_in,
    division_name,
    division_status,
    township_by_code,
)


def test_table_holds_all_three_levels() -> None:
    assert len(DIVISIONS) > 6000
    assert {"440000", "440100", "440101", "440113"} <= DIVISIONS
    assert all(len(code) == 6 and code.isdigit() for code in DIVISIONS)


def test_panyu_division() -> None:
    assert PANYU_DIVISION == "440113"
    assert division_name("440113") == "番禺区"
    assert division_existed_in("440113", 2000)
    assert not division_existed_in("440113", 1999)  # 番禺市 until 2000
    assert division_existed_in("440126", 1990) and not division_existed_in("440126", 1993)  # 番禺县


def test_status() -> None:
    assert division_status("440113") == "listed"
    assert division_status("100000") == "listed"  # national level
    assert division_status("320594") == "unlisted"  # 苏州工业园区, under 苏州 3205
    assert division_status("990000") == "unknown"
    assert division_status("32059") == "unknown"
    assert division_status("３２０５９４") == "unknown"  # full-width digits are not normalised here
    assert division_name("320594") is None


# Source: rules.md §2 (NBS 统计用区划代码).
EXPECTED_PANYU = {
    "440113007": ("市桥街道", "街道"),
    "440113008": ("沙头街道", "街道"),
    "440113009": ("东环街道", "街道"),
    "440113010": ("桥南街道", "街道"),
    "440113011": ("小谷围街道", "街道"),
    "440113012": ("大石街道", "街道"),
    "440113013": ("洛浦街道", "街道"),
    "440113014": ("石壁街道", "街道"),
    "440113015": ("钟村街道", "街道"),
    "440113016": ("大龙街道", "街道"),
    "440113017": ("沙湾街道", "街道"),
    "440113102": ("南村镇", "镇"),
    "440113103": ("新造镇", "镇"),
    "440113104": ("化龙镇", "镇"),
    "440113105": ("石楼镇", "镇"),
    "440113120": ("石碁镇", "镇"),
}


def test_panyu_townships_are_rules_md_section_2() -> None:
    assert {t.code: (t.name, t.kind) for t in PANYU_TOWNSHIPS} == EXPECTED_PANYU
    assert len(PANYU_TOWNSHIPS) == 16
    assert sum(t.kind == "街道" for t in PANYU_TOWNSHIPS) == 11
    assert sum(t.kind == "镇" for t in PANYU_TOWNSHIPS) == 5
    assert all(t.code.startswith(PANYU_DIVISION) and t.name.endswith(t.kind) for t in PANYU_TOWNSHIPS)


def test_shawan_is_a_subdistrict_since_2021() -> None:
    shawan = township_by_code("440113017")
    assert shawan is not None and shawan.name == "沙湾街道" and shawan.kind == "街道"
    assert township_by_code("440113118") is None  # the former 沙湾镇


def test_no_obsolete_townships_moved_to_nansha_in_2005() -> None:
    names = "".join(t.name for t in PANYU_TOWNSHIPS)
    for gone in ("榄核", "东涌", "大岗"):
        assert gone not in names


def test_township_lookup_forms() -> None:
    assert township_by_code(" 440113007 ") == PANYU_TOWNSHIPS[0]
    assert township_by_code("440113007000") == PANYU_TOWNSHIPS[0]  # 12-digit NBS form
    assert township_by_code("440115001") is None
    assert township_by_code("") is None
