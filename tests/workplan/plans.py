"""The 2021 plan text (shipped with the package: ``xinyong.workplan.data``) and helpers to load it."""

from __future__ import annotations

from xinyong.auth.context import Context
from xinyong.workplan import service
from xinyong.workplan.data import PLAN_2021_FILE
from xinyong.workplan.schemas import LoadResult

PLAN_2021 = PLAN_2021_FILE.read_text(encoding="utf-8")


def load_2021(ctx: Context) -> LoadResult:
    """Load the 2021 plan as the credit office."""
    return service.load_plan(ctx, PLAN_2021, 2021)


def garbled(text: str = PLAN_2021) -> str:
    """The plan with item 四's units clause broken (no role) and a stray line after item 十八."""
    broken = text.replace("（区检察院负责）", "（区检察院）").replace(
        "\n\n附件：", "\n随便写的一行说明，不属于任何条目\n\n附件："
    )
    assert broken != text
    return broken
