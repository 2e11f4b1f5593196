"""CLI: ``xinyong codes check`` — check USCCs and resident ID numbers, one per line, JSON lines out."""

from __future__ import annotations

import codecs
import json
import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, cast

import typer

from xinyong.codes.check import RequestedKind, check_code

app = typer.Typer(no_args_is_help=True, help="统一社会信用代码与公民身份号码校验")


# Characters str.splitlines() breaks on that json.dumps(ensure_ascii=False) leaves raw: escape them so that every
# output line is one JSON object for any line-based reader.
_LINE_BREAKS = {ord(ch): f"\\u{ord(ch):04x}" for ch in "\x85\u2028\u2029"}


class KindChoice(StrEnum):
    """What each line is checked as."""

    auto = "auto"
    uscc = "uscc"
    ric = "ric"


@app.callback()
def codes() -> None:
    """统一社会信用代码（GB 32100-2015）与公民身份号码（GB 11643-1999）校验。"""


CHECK_HELP = (
    "逐行读取标准输入中的代码，每行输出一个 JSON 对象（与输入行一一对应）。\n\n"
    "空行、乱码、无法解码的字节、超长行都各得一行结果，不会中断。"
    "即使代码无效，退出码也为 0（输出是报告，请看 valid / problems 字段）。"
)


@app.command("check", help=CHECK_HELP)
def check(
    kind: Annotated[KindChoice, typer.Option("--kind", help="uscc、ric 或 auto（按形状判断）")] = KindChoice.auto,
    encoding: Annotated[
        str, typer.Option("--encoding", help="输入编码（兼容 ASCII 的编码，如 utf-8、gb18030）")
    ] = "utf-8",
    as_of: Annotated[
        datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help="判断出生日期的基准日，默认今天")
    ] = None,
) -> None:
    """Check stdin line by line; one JSON object per input line on stdout; exit code 0 even for invalid codes."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise typer.BadParameter(f"未知编码 {encoding!r}", param_hint="--encoding") from None
    day = as_of.date() if as_of else None
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer  # bytes: split on b"\n" only, decode each line ourselves
    for line in stdin:
        text = line.decode(encoding, errors="replace").removesuffix("\n").removesuffix("\r")
        result = check_code(text, cast(RequestedKind, kind.value), as_of=day)
        out = json.dumps(result.to_json(), ensure_ascii=False).translate(_LINE_BREAKS)
        stdout.write(out.encode("utf-8", errors="replace") + b"\n")
    stdout.flush()
