"""List types as data: the shipped catalogue, and refusals at load (no founding legal basis, missing periods)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.lists.types import LISTS_DIR, ListTypeError, list_catalogue, load_list_type


def test_shipped_catalogue_has_the_issue_lists() -> None:
    types = list_catalogue().types
    assert {"serious_dishonesty", "wage_arrears", "samr_serious_illegal", "abnormal_operation"} <= set(types)
    assert {t.kind for t in types.values()} == {"dishonesty", "received", "red"}
    assert types["samr_serious_illegal"].source_authority
    assert types["abnormal_operation"].kind == "received"


def test_wage_arrears_rules() -> None:
    wage = list_catalogue().get("wage_arrears")
    assert wage.duration.months == 36
    assert wage.lists_responsible_persons
    removal = wage.early_removal
    assert removal is not None
    assert removal.after_months == 6
    assert removal.counted_from == "correction"
    assert removal.commitment_required
    assert wage.notice is not None and wage.defence is not None
    assert any(b.level == "administrative_regulation" for b in wage.legal_basis)


def _write(tmp_path: Path, code: str, change: dict[str, object]) -> Path:
    data = yaml.safe_load((LISTS_DIR / "wage_arrears.yaml").read_text(encoding="utf-8"))
    data |= {"code": code} | change
    path = tmp_path / f"{code}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_list_without_a_founding_basis_is_refused(tmp_path: Path) -> None:
    basis = [{"document": "某区关于设立失信名单的通知", "level": "normative_document", "confidence": "H"}]
    path = _write(tmp_path, "district_only", {"legal_basis": basis})
    with pytest.raises(ListTypeError, match="没有法律、行政法规或党中央国务院政策文件依据"):
        load_list_type(path)


def test_a_list_with_no_basis_at_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ListTypeError, match="legal_basis"):
        load_list_type(_write(tmp_path, "no_basis", {"legal_basis": []}))


def test_a_red_list_may_rest_on_a_district_document(tmp_path: Path) -> None:
    basis = [{"document": "2021年番禺区社会信用体系建设工作要点", "level": "normative_document"}]
    found = load_list_type(
        _write(tmp_path, "district_red", {"kind": "red", "legal_basis": basis, "early_removal": None})
    )
    assert found.kind_label == "红名单"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"notice": None}, "列入前告知期"),
        ({"kind": "received", "source_authority": ""}, "名单来源机关"),
        ({"department": "nowhere"}, "部门目录中没有部门代码"),
        ({"subject_kinds": ["alien"]}, "未知的主体类别"),
        ({"kind": "blacklist"}, "未知的名单种类"),
        ({"duration": {"months": 6, "source": "测试来源"}}, "提前移出的期限应短于列入期限"),
        ({"legal_basis": [{"document": "《某法》第一条", "level": "decree"}]}, "未知的依据层级"),
    ],
)
def test_bad_list_types_are_refused_with_the_reason(tmp_path: Path, change: dict[str, object], message: str) -> None:
    with pytest.raises(ListTypeError, match=message) as raised:
        load_list_type(_write(tmp_path, "bad_list", change))
    assert "bad_list.yaml" in str(raised.value)


def test_code_must_match_the_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "one_name", {})
    path.rename(tmp_path / "other_name.yaml")
    with pytest.raises(ListTypeError, match="应与文件名一致"):
        load_list_type(tmp_path / "other_name.yaml")


def test_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(ListTypeError, match="wage_arrears"):
        list_catalogue().get("nope")
