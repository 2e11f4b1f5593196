"""The department catalogue loads, validates and rejects broken files with a clear error."""

from pathlib import Path

import pytest

from xinyong.catalog.departments import CatalogError, load_departments

GOOD = """\
version: 1
departments:
  - {code: fgj, name: 广州市番禺区发展和改革局, short_name: 区发改局, aliases: [区信用办], source: "工作要点 （一）"}
  - {code: sfj, name: 广州市番禺区司法局, short_name: 区司法局, source: "工作要点 （一）"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "departments.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_catalogue_lists_the_work_plan_units() -> None:
    catalog = load_departments()
    codes = {d.code for d in catalog.departments}
    assert {"fgj", "scjgj", "sfj", "fy", "swj", "pyhg", "bb", "mzj", "tzb", "zgh", "rsj"} <= codes
    assert len(catalog.departments) >= 30
    assert all(d.source.startswith("工作要点") for d in catalog.departments)
    assert catalog.by_name("区信用办").code == "fgj"
    assert catalog.by_name("区人社局").name == "广州市番禺区人力资源和社会保障局"
    assert catalog.by_code("scjgj").short_name == "区市场监管局"


def test_small_file_validates(tmp_path: Path) -> None:
    catalog = load_departments(write(tmp_path, GOOD))
    assert [d.code for d in catalog.departments] == ["fgj", "sfj"]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (GOOD.replace("code: sfj", "code: fgj"), "duplicate code"),
        (GOOD.replace("name: 广州市番禺区司法局", "name: 广州市番禺区发展和改革局"), "duplicate name"),
        (GOOD.replace("short_name: 区司法局", "short_name: 区信用办"), "duplicate name"),
        (GOOD.replace(', source: "工作要点 （一）"}\n', "}\n", 1), "departments.0.source"),
        (GOOD.replace('source: "工作要点 （一）"}', 'source: ""}'), "departments.0.source"),
        (GOOD.replace("code: sfj", "code: SFJ!"), "departments.1.code"),
        ("version: 1\ndepartments: [\n", "cannot read"),
    ],
)
def test_broken_file_rejected_with_clear_error(tmp_path: Path, broken: str, message: str) -> None:
    with pytest.raises(CatalogError) as err:
        load_departments(write(tmp_path, broken))
    assert message in str(err.value)
    assert "departments.yaml" in str(err.value)
