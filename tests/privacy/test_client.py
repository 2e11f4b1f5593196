"""The bank's client package (issue #10 item 2): portfolio files read as text (one code a line, or a CSV column,
UTF-8 or GB18030), codes normalised and de-duplicated; errors are Chinese, exit code 2; no platform import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from xinyong_client.cli import app
from xinyong_client.psi import PlatformClient, PsiError, intersect, normal_codes, read_portfolio


def test_lines_file(tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_text("\ufeff91440113MA59AB0001\n\n 91440113ma59ab0002 \n91440113MA59AB0001\n00012345\n", "utf-8")
    assert read_portfolio(path) == ["91440113MA59AB0001", "91440113MA59AB0002", "00012345"]


def test_csv_column_by_name_or_default(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("客户名称,统一社会信用代码,余额\n甲,91440113MA59AB0001,1\n乙,00000000000000001X,2\n", "gb18030")
    assert read_portfolio(path) == ["91440113MA59AB0001", "00000000000000001X"]
    other = tmp_path / "other.csv"
    other.write_text("name,tax_id\nA,91440113MA59AB0003\n", "utf-8")
    assert read_portfolio(other, "tax_id") == ["91440113MA59AB0003"]
    headless = tmp_path / "headless.csv"
    headless.write_text("91440113MA59AB0004,甲\n91440113MA59AB0005,乙\n", "utf-8")
    assert read_portfolio(headless) == ["91440113MA59AB0004", "91440113MA59AB0005"]
    named = tmp_path / "named.csv"
    named.write_text("tax_id,name\n91440113MA59AB0006,甲\n", "utf-8")
    assert read_portfolio(named) == ["91440113MA59AB0006"]  # a header that is no code is not sent
    with pytest.raises(PsiError) as exc:
        read_portfolio(other, "uscc_col")
    assert "没有列" in exc.value.message and "tax_id" in exc.value.message


def test_bad_input_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    with pytest.raises(PsiError):
        normal_codes(["9" * 80])
    with pytest.raises(PsiError) as exc:
        intersect(PlatformClient("http://127.0.0.1:9", "xy_x"), "lists_dishonesty", ["  ", ""])
    assert exc.value.message == "没有可查询的代码"
    result = CliRunner().invoke(
        app, ["psi", "intersect", str(tmp_path / "missing.txt"), "--url", "http://127.0.0.1:9", "--token", "t"]
    )
    assert result.exit_code == 2 and "无法读取文件" in result.stderr


def test_unreachable_platform_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_text("91440113MA59AB0001\n", "utf-8")
    result = CliRunner().invoke(app, ["psi", "intersect", str(path), "--url", "http://127.0.0.1:9", "--token", "t"])
    assert result.exit_code == 2 and "无法连接平台" in result.stderr and "Traceback" not in result.output


def test_the_client_package_does_not_import_the_platform() -> None:
    code = (
        "import sys, xinyong_client.cli, xinyong_client.psi;"
        "print(any(m.split('.')[0] == 'xinyong' for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
