"""Reading uploaded files: CSV encodings and shapes, Excel cells and sheets, broken files, JSON records."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from xinyong.intake.parse import (
    ENCODING_UNKNOWN,
    PRECISION_LOST,
    SAMPLE_BYTES,
    XLSX_BROKEN,
    FileProblem,
    RawRow,
    Table,
    find_columns,
    header_key,
    open_table,
    table_from_records,
)

HEADER = "行政相对人名称,统一社会信用代码,处罚决定日期\n"


def csv_table(data: bytes, filename: str = "data.csv", **kwargs: object) -> Table:
    return open_table(io.BytesIO(data), filename, **kwargs)  # type: ignore[arg-type]


def problem(data: bytes, filename: str = "data.csv", **kwargs: object) -> str:
    with pytest.raises(FileProblem) as caught:
        table = csv_table(data, filename, **kwargs)
        list(table.rows)
    assert caught.value.field is None
    return caught.value.message


def xlsx_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_rows(*rows: list[object], title: str = "数据") -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return workbook


# --- CSV encodings --------------------------------------------------------------------------------------------


def test_utf8_without_bom() -> None:
    table = csv_table((HEADER + "番禺某公司,91440113MA59AAAA0X,2021-03-05\n").encode())
    assert table.format == "csv" and table.encoding == "utf-8"
    assert table.headers == ["行政相对人名称", "统一社会信用代码", "处罚决定日期"]
    assert list(table.rows) == [RawRow(1, ("番禺某公司", "91440113MA59AAAA0X", "2021-03-05"), {})]


def test_utf8_with_bom() -> None:
    table = csv_table(b"\xef\xbb\xbf" + (HEADER + "甲,1,2\n").encode())
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "行政相对人名称"
    assert [r.cells for r in table.rows] == [("甲", "1", "2")]


def test_gbk() -> None:
    table = csv_table((HEADER + "番禺区某某餐饮店,,2021/3/5\r\n").encode("gbk"))
    assert table.encoding == "gb18030"
    assert table.headers[2] == "处罚决定日期"
    assert [r.cells for r in table.rows] == [("番禺区某某餐饮店", "", "2021/3/5")]


def test_gb18030_only_characters_in_a_name() -> None:
    name = "陈㐀明䶮"  # U+3400 and U+4DAE: in GB18030, not in GBK
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    table = csv_table((HEADER + f"{name},,2021-03-05\n").encode("gb18030"))
    assert table.encoding == "gb18030"
    assert next(table.rows).cells[0] == name


def test_multibyte_character_cut_at_the_end_of_the_sample_is_still_utf8() -> None:
    data = bytearray(HEADER.encode())
    while len(data) + 12 < SAMPLE_BYTES:
        data += b"a,b,c\n"
    data += b"y" * (SAMPLE_BYTES - 2 - len(data)) + b"\n"
    data += "番,禺,区\n".encode()  # "番" is 3 bytes starting at the sample's last byte
    assert data[SAMPLE_BYTES - 1 : SAMPLE_BYTES + 2] == "番".encode()
    table = csv_table(bytes(data))
    assert table.encoding == "utf-8"
    assert list(table.rows)[-1].cells == ("番", "禺", "区")


def test_utf16_is_refused() -> None:
    data = (HEADER + "甲,1,2\n").encode("utf-16")
    assert problem(data) == ENCODING_UNKNOWN
    assert problem((HEADER + "甲,1,2\n").encode("utf-16-le")) == ENCODING_UNKNOWN


def test_random_bytes_are_refused() -> None:
    data = random.Random(4).randbytes(5000).replace(b"PK", b"pk")
    assert problem(data) == ENCODING_UNKNOWN


def test_undecodable_row_further_on_names_the_row() -> None:
    lines = [HEADER.encode()] + [b"a,b,c\n"] * 12000  # an all-ASCII sample: UTF-8
    lines.insert(11001, "番禺,x,y\n".encode("gbk"))  # beyond the 64 KiB sample
    message = problem(b"".join(lines))
    assert message.startswith("第 11001 行（文件第 11002 行）含有无法按 UTF-8 解码的字符")


# --- CSV shapes -----------------------------------------------------------------------------------------------


def test_empty_file() -> None:
    assert problem(b"") == "文件为空"
    assert problem(b"\xef\xbb\xbf") == "文件为空"
    assert problem(b"\r\n \r\n") == "文件为空"


def test_blank_rows_are_skipped_but_keep_their_numbers() -> None:
    table = csv_table(b"a,b\n1,2\n,\n \t, \n4,5\n\n6,7\n")
    assert [(r.row_no, r.cells) for r in table.rows] == [(1, ("1", "2")), (4, ("4", "5")), (6, ("6", "7"))]


def test_rows_are_counted_from_the_header_row() -> None:
    table = csv_table(b"\n,,\na,b\n1,2\n")
    assert table.headers == ["a", "b"]
    assert [r.row_no for r in table.rows] == [1]


def test_rows_are_streamed() -> None:
    table = csv_table(b"a\n1\n2\n")
    assert iter(table.rows) is table.rows
    assert next(table.rows).row_no == 1


def test_cells_are_padded_or_cut_to_the_header() -> None:
    table = csv_table(b"a,b,c\n1\n1,2,3,4,5\n")
    assert [r.cells for r in table.rows] == [("1", "", ""), ("1", "2", "3")]


def test_trailing_blank_header_columns_are_dropped() -> None:
    table = csv_table(b"a,b,,\n1,2,,\n")
    assert table.headers == ["a", "b"]
    assert next(table.rows).cells == ("1", "2")


def test_blank_header_between_columns_is_refused() -> None:
    assert problem(b"a,,c\n1,2,3\n") == "表头为空：第 2 列。每列都要有表头，多余的空列请删除"


def test_duplicate_header_is_refused() -> None:
    message = problem("行政相对人名称,证件号码, 行政相对人名称 \n".encode())
    assert message == "表头重复：“行政相对人名称”（第 1 列和第 3 列）"


def test_header_names_are_trimmed() -> None:
    assert csv_table("\ufeff 甲\u3000,乙\n".encode()).headers == ["甲", "乙"]


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_tab_and_semicolon_delimiters(delimiter: str) -> None:
    table = csv_table(f"a{delimiter}b{delimiter}c\n1{delimiter}2,5{delimiter}3\n".encode())
    assert table.headers == ["a", "b", "c"]
    assert next(table.rows).cells == ("1", "2,5", "3")


def test_old_mac_line_endings() -> None:
    table = csv_table(b"a,b\r1,2\r3,4\r")
    assert [r.cells for r in table.rows] == [("1", "2"), ("3", "4")]


def test_quoted_cells_with_newlines_and_commas() -> None:
    table = csv_table('a,b\n"第一行\n第二行","1,2"\n3,4\n'.encode())
    rows = list(table.rows)
    assert rows[0].cells == ("第一行\n第二行", "1,2")
    assert rows[1].row_no == 2


def test_unclosed_quote_is_a_file_problem_naming_the_row() -> None:
    data = b'a,b\n1,2\n"3,4\n' + b"x" * 200_000 + b"\n"
    assert problem(data).startswith("第 2 行起格式错误：某个单元格以英文双引号开头却没有结束引号")


def test_formula_looking_text_in_csv_is_plain_data() -> None:
    table = csv_table('名称,备注\n=1+2,@SUM(A1)\n"=HYPERLINK(""http://x"")",-5\n'.encode())
    rows = list(table.rows)
    assert rows[0] == RawRow(1, ("=1+2", "@SUM(A1)"), {})
    assert rows[1] == RawRow(2, ('=HYPERLINK("http://x")', "-5"), {})


# --- size limit and streams -----------------------------------------------------------------------------------


def test_file_larger_than_the_limit() -> None:
    data = (HEADER + "甲,1,2\n" * 100).encode()
    limit = f"{(len(data) - 1) / 1048576:.3g}"
    assert problem(data, max_bytes=len(data) - 1) == f"文件超过大小上限 {limit} MB，请拆分后分批上传"
    assert problem(b"x" * (3 << 20), max_bytes=2 << 20) == "文件超过大小上限 2 MB，请拆分后分批上传"
    assert len(list(csv_table(data, max_bytes=len(data)).rows)) == 100


class Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_unseekable_stream_is_spooled_and_limited() -> None:
    data = (HEADER + "甲,1,2\n" * 10).encode("gbk")
    table = open_table(Unseekable(data), "x.csv")  # type: ignore[arg-type]
    assert table.encoding == "gb18030" and len(list(table.rows)) == 10
    with pytest.raises(FileProblem, match="文件超过大小上限"):
        open_table(Unseekable(data), "x.csv", max_bytes=100)  # type: ignore[arg-type]


def test_reads_from_the_current_position_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes((HEADER + "甲,1,2\n").encode())
    with path.open("rb") as fh:
        assert [r.cells[0] for r in open_table(fh, path.name).rows] == ["甲"]


# --- Excel ----------------------------------------------------------------------------------------------------


def test_xlsx_cells_become_text() -> None:
    workbook = sheet_rows(
        ["名称", "整数", "小数", "极小", "日期", "时间", "布尔", "15位", "空"],
        ["番禺", 5, 12.0, 1e-7, datetime(2021, 3, 5), datetime(2021, 3, 5, 14, 30), True, 440113000123456, None],
        ["", 0.1, 1234.5, 2.5e-3, date(2022, 1, 31), None, False, "00123", None],
    )
    table = csv_table(xlsx_bytes(workbook), "upload.xlsx")
    assert table.format == "xlsx" and table.encoding is None
    assert table.headers == ["名称", "整数", "小数", "极小", "日期", "时间", "布尔", "15位", "空"]
    rows = list(table.rows)
    assert rows[0] == RawRow(
        1, ("番禺", "5", "12", "0.0000001", "2021-03-05", "2021-03-05 14:30:00", "TRUE", "440113000123456", ""), {}
    )
    assert rows[1] == RawRow(2, ("", "0.1", "1234.5", "0.0025", "2022-01-31", "", "FALSE", "00123", ""), {})


def test_xlsx_formula_and_error_cells_are_cell_problems() -> None:
    workbook = sheet_rows(["名称", "金额", "代码"], ["甲", "=SUM(1,2)", "#REF!"])
    row = next(csv_table(xlsx_bytes(workbook), "x.xlsx").rows)
    assert row.cells == ("甲", "=SUM(1,2)", "#REF!")
    assert row.problems == {
        1: "单元格含公式（=SUM(1,2)），请复制后“粘贴为数值”再上传",
        2: "单元格是错误值 #REF!，请修正后再上传",
    }


def test_xlsx_18_digit_numbers_lost_precision() -> None:
    workbook = sheet_rows(
        ["统一社会信用代码", "证件号码", "注册号"], [914401130000000001, 4.40113198503121e17, 440113000123456]
    )
    row = next(csv_table(xlsx_bytes(workbook), "x.xlsx").rows)
    assert row.problems == {0: PRECISION_LOST, 1: PRECISION_LOST}
    assert row.cells[2] == "440113000123456"
    assert PRECISION_LOST == "代码被 Excel 存为数字，已丢失精度，请将该列设为文本格式后重新填写"


def test_xlsx_blank_rows_keep_their_numbers_and_header_may_start_lower() -> None:
    workbook = sheet_rows([None], ["a", "b"], [1, 2], [None, None], ["", " "], [3, 4])
    table = csv_table(xlsx_bytes(workbook), "x.xlsx")
    assert table.headers == ["a", "b"]
    assert [(r.row_no, r.cells) for r in table.rows] == [(1, ("1", "2")), (4, ("3", "4"))]


def test_xlsx_short_rows_are_padded() -> None:
    workbook = sheet_rows(["a", "b", "c"], ["x"])
    assert next(csv_table(xlsx_bytes(workbook), "x.xlsx").rows).cells == ("x", "", "")


def test_xlsx_merged_header_cells_are_refused() -> None:
    workbook = sheet_rows(["行政相对人名称", None, "处罚决定日期"], ["甲", "乙", "2021-03-05"])
    workbook.active.merge_cells("A1:B1")
    assert problem(xlsx_bytes(workbook), "x.xlsx") == "表头存在合并单元格（A1:B1），请取消合并，每列单独一个表头"


def test_xlsx_merged_data_cells_are_cell_problems() -> None:
    workbook = sheet_rows(["机关", "名称"], ["番禺区市场监督管理局", "甲"], [None, "乙"], [None, "丙"])
    workbook.active.merge_cells("A2:A3")
    rows = list(csv_table(xlsx_bytes(workbook), "x.xlsx").rows)
    assert rows[0].problems == {}
    assert rows[1].problems == {0: "该单元格位于合并单元格 A2:A3 中，请取消合并并在每一行分别填写"}
    assert rows[2].problems == {}


def test_xlsx_data_sheet_is_preferred_and_instructions_are_ignored() -> None:
    workbook = Workbook()
    guide = workbook.active
    guide.title = "填写说明"
    guide.append(["序号", "说明"])
    data = workbook.create_sheet("数据")
    data.append(["名称"])
    data.append(["甲"])
    assert csv_table(xlsx_bytes(workbook), "x.xlsx").headers == ["名称"]

    workbook = Workbook()
    workbook.active.title = "填写说明"
    hidden = workbook.create_sheet("选项")
    hidden.sheet_state = "hidden"
    hidden.append(["选项"])
    sheet = workbook.create_sheet("Sheet1")
    sheet.append(["名称"])
    assert csv_table(xlsx_bytes(workbook), "x.xlsx").headers == ["名称"]


def test_xlsx_without_any_header_row() -> None:
    workbook = Workbook()
    assert problem(xlsx_bytes(workbook), "x.xlsx") == "文件中没有表头行（所有行都为空）"


def test_truncated_xlsx_is_refused() -> None:
    data = xlsx_bytes(sheet_rows(["名称"], ["甲"]))
    assert problem(data[: len(data) // 2], "x.xlsx") == XLSX_BROKEN
    assert problem(data[:-30], "x.xlsx") == XLSX_BROKEN


def test_xlsx_with_a_corrupt_sheet_is_refused() -> None:
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes(sheet_rows(["名称"], ["甲"]))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for info in good.infolist():
            body = good.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) // 2]
            broken.writestr(info, body)
    assert problem(out.getvalue(), "x.xlsx").startswith(XLSX_BROKEN)


def test_zip_that_is_not_an_xlsx() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert problem(out.getvalue(), "x.xlsx") == "文件是压缩包而不是 Excel（.xlsx）文件，请上传 .xlsx 或 CSV 文件"


def test_format_is_detected_by_content_not_name() -> None:
    as_csv = csv_table(xlsx_bytes(sheet_rows(["名称"], ["甲"])), "named.csv")
    assert as_csv.format == "xlsx" and [r.cells for r in as_csv.rows] == [("甲",)]
    as_xlsx = csv_table("名称\n甲\n".encode(), "named.xlsx")
    assert as_xlsx.format == "csv" and [r.cells for r in as_xlsx.rows] == [("甲",)]


def test_old_xls_and_html_exports_are_refused_with_a_hint() -> None:
    assert "旧版 Excel（.xls）" in problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "x.xls")
    html = "<html><body><table><tr><td>名称</td></tr></table></body></html>".encode()
    assert "网页或 XML 格式" in problem(html, "导出.xls")
    assert "通过接口提交" in problem(b'[{"a": 1}]', "data.json")


# --- JSON records ---------------------------------------------------------------------------------------------


def test_records_become_a_table() -> None:
    table = table_from_records(
        [
            {"subject_name": "甲", "fine_amount": 0.5, "count": 3, "flag": True},
            {"subject_name": None, "doc_no": "番市监罚〔2021〕1号", "fine_amount": 2.0},
            {},
            {"subject_name": "丙", "fine_amount": 9.1e17, "extra": ["x"]},
        ]
    )
    assert table.format == "json" and table.encoding is None
    assert table.headers == ["subject_name", "fine_amount", "count", "flag", "doc_no", "extra"]
    rows = list(table.rows)
    assert rows[0] == RawRow(1, ("甲", "0.5", "3", "true", "", ""), {})
    assert rows[1] == RawRow(2, ("", "2", "", "", "番市监罚〔2021〕1号", ""), {})
    assert rows[2].row_no == 4  # the empty record 3 is skipped but counted
    assert rows[2].problems == {
        1: "数值超过15位有效数字已丢失精度，代码请以字符串提交",
        5: "不支持的值类型（应为字符串、数字、布尔值或 null）",
    }


def test_records_must_be_objects_and_not_none() -> None:
    with pytest.raises(FileProblem, match="没有提交任何记录"):
        table_from_records([])
    with pytest.raises(FileProblem, match="第 2 条记录不是对象"):
        table_from_records([{"a": 1}, ["a"]])  # type: ignore[list-item]
    with pytest.raises(FileProblem, match="记录中有空的字段名"):
        table_from_records([{"a": 1, " ": 2}])


def test_record_keys_are_kept_as_sent() -> None:
    table = table_from_records([{" subject_name ": "甲"}])
    assert table.headers == [" subject_name "]
    assert next(table.rows).cells == ("甲",)


def test_header_key_ignores_width_case_and_required_markers() -> None:
    assert header_key(" 执行标的金额（元）* ") == header_key("执行标的金额(元)")
    assert header_key("文书号（必填）") == header_key("文书号（选填）") == "文书号"
    assert header_key("ＵＳＣＣ") == header_key("uscc")


def test_find_columns_takes_the_leftmost_header_and_the_first_name_that_matches() -> None:
    headers = ["备注", "统一社会信用代码*", "名称", "名称", "决定日期（必填）"]
    names = {
        "code": ("统一社会信用代码", "信用代码"),
        "name": ("主体名称", "名称"),
        "decided": ("决定日期",),
        "removed": ("移出日期",),
    }
    assert find_columns(headers, names) == {"code": 1, "name": 2, "decided": 4}
