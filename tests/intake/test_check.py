"""Row checks: column mapping, required and conditionally required fields, codes, enums, dates, amounts,
parse problems, defaults, and the column-wise batch path giving the same results as the row path."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from factories import ric, uscc
from xinyong.catalog.items import DataItem, load_catalog
from xinyong.codes.ric import ric_check_char
from xinyong.codes.uscc import PLACEHOLDER, uscc_check_char
from xinyong.intake.check import CheckedRow, ColumnMap, Issue, RowChecker, map_columns
from xinyong.intake.parse import FileProblem, RawRow

TODAY = date(2026, 11, 27)
FIRM = uscc(1)
AUTHORITY = uscc(901, authority="1", org_type="1")
PERSON = ric(division="110105")  # 朝阳区 existed in 1985: no division_at_birth warning


def item(item_id: str = "penalty") -> DataItem:
    return load_catalog().item(item_id)


def penalty_row(**changes: str) -> dict[str, str]:
    """A valid penalty row for a legal person, by field key; ``changes`` override or add fields."""
    row = {
        "subject_name": "广州市番禺区某某贸易有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": FIRM,
        "legal_representative": "李四",
        "doc_no": "番市监罚〔2025〕1号",
        "violation_type": "销售过期食品",
        "violation_facts": "经查，当事人经营超过保质期的食品。",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "penalty_category": "罚款",
        "content": "罚款人民币伍仟元整。",
        "fine_amount": "0.5",
        "decided_on": "2025-03-05",
        "valid_until": "2028-03-04",
        "publicity_end": "2028-03-04",
        "authority": "广州市番禺区市场监督管理局",
        "authority_uscc": AUTHORITY,
        "source_department": "广州市番禺区市场监督管理局",
        "source_department_uscc": AUTHORITY,
    }
    row.update(changes)
    return row


def person_row(**changes: str) -> dict[str, str]:
    base = penalty_row(subject_name="张三", subject_category="自然人", uscc="", legal_representative="")
    base.update(id_type="身份证", id_number=PERSON)
    base.update(changes)
    return base


def run(
    rows: list[Mapping[str, str]], item_id: str = "penalty", defaults: Mapping[str, str] | None = None
) -> list[CheckedRow]:
    """Check rows given by field key against a file whose headers are the item's labels."""
    data_item = item(item_id)
    headers = [f.label for f in data_item.fields]
    columns = map_columns(data_item, headers)
    checker = RowChecker(data_item, columns, today=TODAY, defaults=defaults)
    raw = [RawRow(i, tuple(r.get(f.key, "") for f in data_item.fields), {}) for i, r in enumerate(rows, 1)]
    return [checker.check(r) for r in raw]


def one(row: Mapping[str, str], item_id: str = "penalty") -> CheckedRow:
    return run([row], item_id)[0]


def errors(row: CheckedRow) -> dict[str, str]:
    return {i.field: i.reason for i in row.errors}


# --- column mapping -------------------------------------------------------------------------------------------


def test_headers_match_by_label_key_and_template_markers() -> None:
    penalty = item()
    headers = [f.label for f in penalty.fields]
    headers[0] = " 行政相对人名称* "
    headers[1] = "＊行政相对人类别（必填）"
    headers[17] = "罚款金额(万元)"
    headers[4] = "机构代码"  # not a label or key: ignored, so the optional column counts as absent
    headers.append("内部编号")
    headers[20] = "decided_on"
    columns = map_columns(penalty, headers)
    assert columns.index_by_key["subject_name"] == 0
    assert columns.label_by_key["subject_category"] == "＊行政相对人类别（必填）"
    assert columns.index_by_key["fine_amount"] == 17
    assert columns.index_by_key["decided_on"] == 20
    assert "org_code" not in columns.index_by_key
    assert columns.ignored == ("机构代码", "内部编号")
    assert columns.headers == tuple(headers)


def test_missing_columns_are_all_named() -> None:
    penalty = item()
    headers = [f.label for f in penalty.fields if f.key not in ("doc_no", "decided_on", "id_number", "remarks")]
    with pytest.raises(FileProblem) as caught:
        map_columns(penalty, headers)
    assert caught.value.message.startswith("缺少必填列：行政处罚决定书文号、处罚决定日期。")


def test_conditional_columns_may_be_missing_and_rows_that_need_them_fail() -> None:
    penalty = item()
    optional = ("reg_no", "id_type", "id_number", "legal_representative", "uscc")
    headers = [f.label for f in penalty.fields if f.key not in optional]
    columns = map_columns(penalty, headers)
    assert not set(optional) & set(columns.index_by_key)
    checker = RowChecker(penalty, columns, today=date(2026, 11, 27))
    values = {f.label: "" for f in penalty.fields if f.key not in optional}
    values.update(
        {
            "行政相对人名称": "王某",
            "行政相对人类别": "自然人",
            "行政处罚决定书文号": "番罚〔2026〕1号",
            "违法行为类型": "违法",
            "违法事实": "事实",
            "处罚依据": "依据",
            "处罚类别": "警告",
            "处罚内容": "警告",
            "处罚决定日期": "2026-11-20",
            "处罚有效期": "2026-12-20",
            "处罚机关": "机关",
            "处罚机关统一社会信用代码": "11440113MB0000001X",
            "数据来源单位": "机关",
            "数据来源单位统一社会信用代码": "11440113MB0000001X",
        }
    )
    checked = checker.check(RawRow(1, tuple(values[h] for h in headers), {}))
    assert {i.field for i in checked.errors} >= {"证件类型", "证件号码"}


def test_defaulted_columns_may_be_missing() -> None:
    penalty = item()
    headers = [f.label for f in penalty.fields if not f.key.startswith("source_department")]
    with pytest.raises(FileProblem, match="数据来源单位"):
        map_columns(penalty, headers)
    columns = map_columns(penalty, headers, defaulted=("source_department", "source_department_uscc"))
    assert "source_department" not in columns.index_by_key


def test_two_columns_for_one_field_are_refused() -> None:
    penalty = item()
    headers = [f.label for f in penalty.fields] + ["subject_name"]
    with pytest.raises(FileProblem) as caught:
        map_columns(penalty, headers)
    assert caught.value.message == "表头重复：第 1 列“行政相对人名称”和第 30 列“subject_name”都对应字段“行政相对人名称”"


def test_json_keys_map_like_headers() -> None:
    penalty = item()
    columns = map_columns(penalty, [f.key for f in penalty.fields])
    assert columns.index_by_key == {f.key: i for i, f in enumerate(penalty.fields)}


# --- a valid row ----------------------------------------------------------------------------------------------


def test_valid_row_is_normalised() -> None:
    row = one(
        penalty_row(
            uscc=" " + FIRM.lower() + "\u3000",
            fine_amount="1,234.5",
            confiscated_amount="2万元",
            decided_on="2025/3/5",
            valid_until="20280304",
            publicity_end="46816",
            subject_name="\u3000广州市番禺区某某贸易有限公司 ",
        )
    )
    assert row.ok and row.issues == []
    assert row.values["uscc"] == FIRM
    assert row.values["fine_amount"] == "1234.500000"
    assert row.values["confiscated_amount"] == "2.000000"
    assert row.values["decided_on"] == "2025-03-05"
    assert row.values["valid_until"] == "2028-03-04"
    assert row.values["publicity_end"] == "2028-03-04"
    assert row.values["subject_name"] == "广州市番禺区某某贸易有限公司"
    assert row.values["remarks"] is None and row.values["reg_no"] is None
    assert list(row.values) == [f.key for f in item().fields]
    assert row.raw["统一社会信用代码"] == " " + FIRM.lower() + "\u3000"
    assert row.raw["罚款金额（万元）"] == "1,234.5"


def test_natural_person_row() -> None:
    row = one(person_row(id_type="001", id_number=PERSON.lower()))
    assert row.ok, row.issues
    assert row.values["id_type"] == "身份证"
    assert row.values["id_number"] == PERSON


# --- required and required_when -------------------------------------------------------------------------------


def test_required_fields() -> None:
    row = one(penalty_row(doc_no=" ", authority=""))
    assert errors(row) == {
        "行政处罚决定书文号": "行政处罚决定书文号为必填项，不能为空",
        "处罚机关": "处罚机关为必填项，不能为空",
    }


def test_legal_person_needs_uscc_and_legal_representative() -> None:
    row = one(penalty_row(uscc="", legal_representative=""))
    assert errors(row) == {
        "统一社会信用代码": "统一社会信用代码为必填项（行政相对人类别为“法人及非法人组织”时）",
        "法定代表人": "法定代表人为必填项（行政相对人类别为“法人及非法人组织”时）",
    }


def test_legal_person_may_not_use_the_placeholder() -> None:
    row = one(penalty_row(uscc=PLACEHOLDER))
    why = "行政相对人类别为“法人及非法人组织”时"
    assert errors(row) == {"统一社会信用代码": f"统一社会信用代码为必填项（{why}），不能填写占位代码 {PLACEHOLDER}"}
    assert row.values["uscc"] is None


def test_natural_person_needs_id_type_and_number() -> None:
    row = one(person_row(id_type="", id_number=""))
    assert errors(row) == {
        "证件类型": "证件类型为必填项（行政相对人类别为“自然人”时）",
        "证件号码": "证件号码为必填项（行政相对人类别为“自然人”时）",
    }


def test_placeholder_makes_the_registration_number_required() -> None:
    business = penalty_row(subject_category="个体工商户", uscc=PLACEHOLDER, legal_representative="")
    row = one(business)
    assert errors(row) == {"工商注册号": f"工商注册号为必填项（统一社会信用代码填写占位代码 {PLACEHOLDER} 时）"}
    row = one({**business, "reg_no": "440113600123456"})
    assert row.ok and row.values["uscc"] == PLACEHOLDER and row.values["reg_no"] == "440113600123456"


def test_placeholder_is_refused_where_a_real_code_is_required() -> None:
    row = one(penalty_row(authority_uscc=PLACEHOLDER))
    assert errors(row) == {"处罚机关统一社会信用代码": f"处罚机关统一社会信用代码不能填写占位代码 {PLACEHOLDER}"}


# --- codes ----------------------------------------------------------------------------------------------------


def test_uscc_check_char_error_names_the_right_char() -> None:
    right = uscc_check_char(FIRM[:17])
    wrong = FIRM[:17] + ("0" if right != "0" else "1")
    row = one(penalty_row(uscc=wrong))
    assert errors(row) == {"统一社会信用代码": f"统一社会信用代码校验位错误（第18位应为 {right}）"}


def test_uscc_length_and_division_errors() -> None:
    assert errors(one(penalty_row(uscc=FIRM[:17]))) == {"统一社会信用代码": "统一社会信用代码应为18位，实为17位"}
    bad_division = "91999999MA0000015J"
    reason = errors(one(penalty_row(uscc=bad_division)))["统一社会信用代码"]
    assert "第3–8位行政区划代码 999999 不存在" in reason


def test_fujian_pilot_code_is_a_warning() -> None:
    row = one(penalty_row(uscc="91350100M0001TGQXM"))
    assert row.ok
    assert [i.level for i in row.issues] == ["warning"]
    assert "福建省早期试点代码" in row.issues[0].reason


def test_resident_id_number_is_checked_and_never_echoed() -> None:
    wrong = PERSON[:17] + ("0" if PERSON[17] != "0" else "1")
    row = one(person_row(id_number=wrong))
    reason = errors(row)["证件号码"]
    assert reason == f"身份证号码校验位错误（第18位应为 {ric_check_char(PERSON[:17])}）"
    assert PERSON[:17] not in reason
    assert row.values["id_number"] is None


def test_legacy_15_digit_id_number_is_converted_with_a_warning() -> None:
    row = one(person_row(id_number="110105850312123"))
    assert row.ok
    assert row.values["id_number"] == "110105198503121234"
    assert [i.reason for i in row.warnings] == ["15位旧身份证号码，已换算出18位号码"]


def test_other_identity_documents_are_checked_for_length_and_characters() -> None:
    assert one(person_row(id_type="护照号", id_number="e1234 5678")).values["id_number"] == "E12345678"
    assert errors(one(person_row(id_type="护照号", id_number="E12#45678"))) == {
        "证件号码": "证件号码只能由字母、数字和括号组成"
    }
    assert errors(one(person_row(id_type="002", id_number="E12"))) == {"证件号码": "证件号码长度不正确（至少5位）"}


def test_code_in_scientific_notation() -> None:
    assert "科学计数法" in errors(one(penalty_row(uscc="9.14401E+17")))["统一社会信用代码"]


# --- enums ----------------------------------------------------------------------------------------------------


def test_enum_codes_map_to_labels() -> None:
    licence = item("licence")
    base = {f.key: "" for f in licence.fields}
    base.update(
        subject_name="甲公司",
        subject_category="法人及非法人组织",
        uscc=FIRM,
        legal_representative="李四",
        decision_title="食品经营许可决定书",
        doc_no="番市监许〔2025〕1号",
        licence_category="普通",
        content="食品经营",
        decided_on="2025-03-05",
        valid_from="2025-03-05",
        valid_to="2099/12/31",
        authority="番禺区市场监督管理局",
        authority_uscc=AUTHORITY,
        status="1",
        source_department="番禺区市场监督管理局",
        source_department_uscc=AUTHORITY,
    )
    assert one(base, "licence").values["status"] == "有效"
    assert one({**base, "status": "2"}, "licence").values["status"] == "无效"
    assert errors(one({**base, "status": "3"}, "licence")) == {"当前状态": "取值“3”不在可选值中（可选：有效、无效）"}


def test_several_penalty_categories_take_the_first_with_a_warning() -> None:
    row = one(penalty_row(penalty_category="罚款；没收违法所得、没收非法财物"))
    assert row.ok and row.values["penalty_category"] == "罚款"
    assert row.warnings == [
        Issue(
            "处罚类别",
            "填写了多个取值（罚款；没收违法所得、没收非法财物），已按第一个“罚款”处理（多个类别用分号分隔时以第一个为准，其余写入处罚内容）",
            "warning",
        )
    ]
    assert not one(penalty_row(penalty_category="罚款;拘役")).ok


# --- dates and amounts ----------------------------------------------------------------------------------------


def test_decision_date_may_not_lie_in_the_future() -> None:
    assert errors(one(penalty_row(decided_on="2026-11-28", valid_until="2029-01-01"))) == {
        "处罚决定日期": "处罚决定日期（2026-11-28）晚于今天（2026-11-27）"
    }
    assert one(penalty_row(decided_on="2026-11-27")).ok


def test_end_dates_may_not_lie_before_the_start() -> None:
    row = one(penalty_row(valid_until="2025-03-04", publicity_end="2025/1/1"))
    assert errors(row) == {
        "处罚有效期": "处罚有效期（2025-03-04）早于处罚决定日期（2025-03-05）",
        "公示截止期": "公示截止期（2025-01-01）早于处罚决定日期（2025-03-05）",
    }


def test_date_format_error_shows_the_field_help() -> None:
    assert errors(one(penalty_row(valid_until="长期"))) == {
        "处罚有效期": "日期格式不正确：“长期”，应为 YYYY-MM-DD（如 2021-03-05）（处罚决定的有效截止日期）"
    }


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("-5", "金额不能为负数：“-5”"),
        ("0.1234567", "金额最多6位小数（单位万元）：“0.1234567”"),
        ("5000元", "金额单位应为万元：“5000元”请换算为万元后只填写数字（如 1.5 表示 1.5 万元）"),
    ],
)
def test_bad_amounts(amount: str, reason: str) -> None:
    assert errors(one(penalty_row(fine_amount=amount))) == {"罚款金额（万元）": reason}


def test_max_length() -> None:
    assert errors(one(penalty_row(doc_no="号" * 65))) == {"行政处罚决定书文号": "超过最大长度 64 个字符（实为 65 个）"}


# --- parse problems, defaults ---------------------------------------------------------------------------------


def test_cell_problems_become_errors_of_their_field() -> None:
    penalty = item()
    headers = [f.label for f in penalty.fields] + ["内部备注"]
    checker = RowChecker(penalty, map_columns(penalty, headers), today=TODAY)
    cells = tuple(penalty_row().get(f.key, "") for f in penalty.fields)
    fine = headers.index("罚款金额（万元）")
    cells = (*cells[:fine], "=A1*2", *cells[fine + 1 :], "=B2")
    row = checker.check(RawRow(7, cells, {fine: "单元格含公式（=A1*2），请复制后“粘贴为数值”再上传", 29: "x"}))
    assert row.row_no == 7
    assert row.errors == [Issue("罚款金额（万元）", "单元格含公式（=A1*2），请复制后“粘贴为数值”再上传", "error")]
    assert row.values["fine_amount"] is None
    assert row.raw["内部备注"] == "=B2"


def test_problem_on_a_required_cell_is_its_only_error() -> None:
    penalty = item()
    columns = map_columns(penalty, [f.label for f in penalty.fields])
    checker = RowChecker(penalty, columns, today=TODAY)
    cells = tuple(penalty_row(doc_no="").get(f.key, "") for f in penalty.fields)
    doc = columns.index_by_key["doc_no"]
    row = checker.check(RawRow(1, cells, {doc: "该单元格位于合并单元格 K2:K3 中，请取消合并并在每一行分别填写"}))
    assert [i.reason for i in row.errors] == ["该单元格位于合并单元格 K2:K3 中，请取消合并并在每一行分别填写"]


def test_defaults_fill_blank_cells_and_missing_columns() -> None:
    penalty = item()
    defaults = {"source_department": "广州市番禺区市场监督管理局", "source_department_uscc": AUTHORITY}
    blank_source = penalty_row(source_department="", source_department_uscc=" ")
    [row] = run([blank_source], defaults=defaults)
    assert row.ok and row.values["source_department"] == "广州市番禺区市场监督管理局"
    assert row.values["source_department_uscc"] == AUTHORITY
    [row] = run([penalty_row(source_department="番禺区市场监管局")], defaults=defaults)
    assert row.values["source_department"] == "番禺区市场监管局"  # a filled cell wins

    headers = [f.label for f in penalty.fields if not f.key.startswith("source_department")]
    columns = map_columns(penalty, headers, defaulted=defaults)
    checker = RowChecker(penalty, columns, today=TODAY, defaults=defaults)
    cells = tuple(penalty_row().get(f.key, "") for f in penalty.fields if not f.key.startswith("source_department"))
    row = checker.check(RawRow(1, cells, {}))
    assert row.ok and row.values["source_department_uscc"] == AUTHORITY


def test_hand_made_column_map_names_raw_cells_by_label() -> None:
    penalty = item()
    columns = ColumnMap({"subject_name": 0, "doc_no": 1}, {}, ())
    row = RowChecker(penalty, columns, today=TODAY).check(RawRow(1, ("甲", "番罚〔2025〕1号"), {}))
    assert row.raw == {"行政相对人名称": "甲", "行政处罚决定书文号": "番罚〔2025〕1号"}
    assert not row.ok


def test_checked_row_is_built_and_compared_like_a_dataclass() -> None:
    row = CheckedRow(3, {"doc_no": "1"}, [Issue("备注", "提示", "warning")], {"文号": "1"})
    assert row.raw == {"文号": "1"} and row.ok and row.errors == [] and len(row.warnings) == 1
    assert row == CheckedRow(3, {"doc_no": "1"}, [Issue("备注", "提示", "warning")], {"文号": "1"})
    assert row != CheckedRow(3, {"doc_no": "1"}, [], {"文号": "1"})
    assert "row_no=3" in repr(row)


# --- many kinds of rows at once ------------------------------------------------------------------------------


def mixed_rows() -> list[dict[str, str]]:
    wrong_check = FIRM[:17] + ("0" if uscc_check_char(FIRM[:17]) != "0" else "1")
    return [
        penalty_row(),
        person_row(),
        penalty_row(uscc=wrong_check),
        penalty_row(uscc="91350100M0001TGQXM"),
        penalty_row(uscc=PLACEHOLDER),
        penalty_row(subject_category="个体工商户", uscc=PLACEHOLDER, legal_representative=""),
        penalty_row(subject_category="个体工商户", uscc=PLACEHOLDER, reg_no="440113600123456"),
        penalty_row(fine_amount="-1"),
        penalty_row(fine_amount=" 1,000 "),
        penalty_row(decided_on="2030-01-01"),
        penalty_row(valid_until="2020-01-01"),
        penalty_row(decided_on="2025年3月5日"),
        penalty_row(penalty_category="罚款;警告"),
        penalty_row(penalty_category=" 罚款 "),
        penalty_row(doc_no="号" * 65),
        penalty_row(subject_name="   "),
        person_row(id_number="110105850312123"),
        person_row(id_number=ric()),  # division_at_birth warning
        person_row(id_type="", id_number=""),
        person_row(id_type="护照号", id_number="E1"),
        penalty_row(authority_uscc=PLACEHOLDER),
        penalty_row(uscc=FIRM.lower()),
    ]


def test_every_row_gets_values_for_every_field_and_every_error_a_reason() -> None:
    checked = run(mixed_rows())
    keys = [f.key for f in item().fields]
    assert all(list(row.values) == keys for row in checked)
    assert [row.ok for row in checked] == [
        True, True, False, True, False, False, True, False, True, False, False,
        True, True, True, False, False, True, True, False, False, False, True,
    ]  # fmt: skip
    assert all(issue.reason and issue.field for row in checked for issue in row.issues)
    assert [i.reason for i in checked[17].warnings] == [
        "出生当年该行政区划代码尚未设立或已撤销（号码仍可能有效，如迁入后换发的身份证）"
    ]


def test_a_row_checked_twice_gives_the_same_result() -> None:
    first = run(mixed_rows())
    assert run(mixed_rows()) == first  # cached USCC verdicts do not change the outcome
    penalty = item()
    checker = RowChecker(penalty, map_columns(penalty, [f.label for f in penalty.fields]), today=TODAY)
    raw = [RawRow(i, tuple(r.get(f.key, "") for f in penalty.fields), {}) for i, r in enumerate(mixed_rows(), 1)]
    assert checker.check_many(iter(raw)) == first


def test_trusted_code_with_wrong_check_characters_is_a_warning() -> None:
    penalty = item()
    headers = [f.label for f in penalty.fields]
    columns = map_columns(penalty, headers)
    registered = "11440113MB0000001X"  # a department code registered with a warning; check characters fail
    row = RawRow(1, tuple(registered if h == "处罚机关统一社会信用代码" else "" for h in headers), {})
    plain = RowChecker(penalty, columns, today=date(2026, 11, 27)).check(row)
    assert any(i.field == "处罚机关统一社会信用代码" for i in plain.errors)
    trusted = RowChecker(penalty, columns, today=date(2026, 11, 27), trusted_codes=(registered,)).check(row)
    assert not any(i.field == "处罚机关统一社会信用代码" for i in trusted.errors)
    assert any(i.field == "处罚机关统一社会信用代码" and "已按登记代码接受" in i.reason for i in trusted.warnings)
    assert trusted.values["authority_uscc"] == registered
