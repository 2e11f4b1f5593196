"""``xinyong-client``: the bank's side of the platform's privacy-preserving queries.

``xinyong-client psi sets`` lists the scopes; ``psi intersect --scope S FILE`` runs PSI of a portfolio (one code a
line, or a CSV column) and prints the codes in the platform's set (or only how many, for a cardinality-only
scope); ``psi check --scope S CODE ...`` runs one private membership query (匿踪查询) per code. The platform's
address and the bank's API token come from ``--url``/``--token`` or ``XINYONG_URL``/``XINYONG_TOKEN``. Exit codes:
0 done; 1 (``check``) some code is in the set; 2 refused or bad input, the reason on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import typer

from xinyong_client.psi import PlatformClient, PsiError, check, intersect, read_portfolio

app = typer.Typer(help="xinyong 客户端：隐私求交与匿踪查询 (PSI and private membership queries)", no_args_is_help=True)
psi_app = typer.Typer(help="隐私求交（PSI）与匿踪查询", no_args_is_help=True)
app.add_typer(psi_app, name="psi")

URL = typer.Option(..., "--url", envvar="XINYONG_URL", help="平台地址，如 https://xinyong.example")
TOKEN = typer.Option(..., "--token", envvar="XINYONG_TOKEN", help="本行的接口令牌 xy_…", show_default=False)
SCOPE = typer.Option("lists_dishonesty", "--scope", help="求交范围（psi sets 列出）")
JSON = typer.Option(False, "--json", help="以 JSON 输出")


@app.callback()
def callback() -> None:
    """xinyong 客户端"""


def _fail(message: str) -> None:
    typer.echo(f"错误: {message}", err=True)
    raise typer.Exit(2)


def _run(action, *args):  # type: ignore[no-untyped-def]
    try:
        return action(*args)
    except PsiError as exc:
        _fail(exc.message)
    except httpx.HTTPError as exc:
        _fail(f"无法连接平台：{type(exc).__name__}")


@psi_app.command("sets")
def sets(url: str = URL, token: str = TOKEN, as_json: bool = JSON) -> None:
    """列出可求交的范围、模式与当前版本。"""
    with PlatformClient(url, token) as platform:
        rows = _run(platform.sets)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        mode = "返回交集明细" if row["reveal_intersection"] else "仅返回交集数量"
        typer.echo(f"{row['scope']}\t第 {row['version']} 版\t{mode}\t{row['label']}")


@psi_app.command("intersect")
def intersect_cmd(
    file: Path = typer.Argument(..., help="客户名单：每行一个代码，或 CSV（--column 指定列）"),
    url: str = URL,
    token: str = TOKEN,
    scope: str = SCOPE,
    column: str | None = typer.Option(None, "--column", help="CSV 中代码所在列名"),
    as_json: bool = JSON,
) -> None:
    """隐私求交：本行客户中有哪些（或有多少）在平台集合中；平台只知道本次提交了多少个代码。"""
    codes = _run(read_portfolio, file, column)
    with PlatformClient(url, token) as platform:
        result = _run(intersect, platform, scope, codes)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"{scope} 第 {result.version} 版：提交 {result.client_elements} 个代码，命中 {result.count} 个")
    for code in result.matches or []:
        typer.echo(code)


@psi_app.command("check")
def check_cmd(
    codes: list[str] = typer.Argument(..., help="要查询的代码（可多个，每个单独匿踪查询）"),
    url: str = URL,
    token: str = TOKEN,
    scope: str = SCOPE,
    as_json: bool = JSON,
) -> None:
    """匿踪查询：逐个查询代码是否在平台集合中，平台不知道查询的是哪个代码。"""
    answers: dict[str, bool] = {}
    with PlatformClient(url, token) as platform:
        for code in codes:
            answers[code.strip().upper()] = bool(_run(check, platform, scope, code))
    if as_json:
        typer.echo(json.dumps({"scope": scope, "results": answers}, ensure_ascii=False, indent=2))
    else:
        for code, hit in answers.items():
            typer.echo(f"{code}\t{'在列' if hit else '未命中'}")
    if any(answers.values()):
        raise typer.Exit(1)


def main() -> None:
    """Entry point of the ``xinyong-client`` script."""
    app()
