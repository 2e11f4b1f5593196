"""The scorecard validation report as Markdown (``xinyong evaluate validate --markdown``, docs/validation-report.md)."""

from __future__ import annotations

from xinyong.catalog.items import load_catalog
from xinyong.evaluation.models_yaml import GRADES
from xinyong.evaluation.schemas import ValidationReport


def percent(value: float | None) -> str:
    """``0.1234`` → ``12.34%``; ``—`` for no value."""
    return "—" if value is None else f"{value * 100:.2f}%"


def _yes(flag: bool) -> str:
    return "是" if flag else "**否**"


def to_markdown(report: ValidationReport, command: str = "") -> str:
    """The report: summary, pooled bad rates, per month-end grades and bad rates, transitions, summed matrix."""
    items = load_catalog()
    lines = [
        f"## {report.label}（{report.model} 第 {report.version} 版）{report.from_month} 至 {report.to_month}",
        "",
    ]
    if command:
        lines += ["生成命令：", "", "```", command, "```", ""]
    lines += [
        f"- 报告日：{report.report_day.isoformat()}（此日前作出的处罚计入）；观察期 {report.horizon_months} 个月，"
        f"坏样本 = 月末后观察期内新作出{'、'.join(items.item(i).name for i in report.bad_items)}记录"
        "（任何严重程度，未撤销）的主体",
        f"- 模型默认观察期（validation.horizon_months）的依据：{report.horizon_source.strip()}",
        f"- 等级保持率（相邻月末合计）：{percent(report.kept_share)}",
        f"- 合计坏样本率单调（A ≤ B ≤ C ≤ D）：{_yes(report.monotone)}；"
        f"逐月单调 {report.months_monotone}/{len(report.months)} 个月末；"
        f"观察期已完整的月末 {report.complete_months}/{len(report.months)} 个",
        "",
        "### 各等级坏样本率（全部月末合计，主体-月）",
        "",
        "| 等级 | 名称 | 主体-月 | 坏样本 | 坏样本率 |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [f"| {p.grade} | {p.label} | {p.subjects} | {p.bad} | {percent(p.bad_rate)} |" for p in report.pooled]
    lines += [
        "",
        "### 各月末等级与坏样本率",
        "",
        "| 月末 | 来源 | 参评 | " + " | ".join(f"{g} 数 / 坏样本率" for g in GRADES) + " | 单调 | 观察期完整 |",
        "|---|---|---:|" + "---:|" * len(GRADES) + "---|---|",
    ]
    for m in report.months:
        source = f"批次 {m.run_id}" if m.run_id is not None else "临时计算"
        cells = " | ".join(f"{m.grades[g]} / {percent(m.bad_rate[g])}" for g in GRADES)
        lines.append(
            f"| {m.as_of.isoformat()} | {source} | {m.subjects} | {cells} | {_yes(m.monotone)} | "
            f"{'是' if m.complete else '否（至 ' + m.horizon_end.isoformat() + '）'} |"
        )
    lines += [
        "",
        "### 等级稳定性（相邻月末）",
        "",
        "| 上月末 | 本月末 | 两月均参评 | 等级不变 | 保持率 | 新参评 | 退出 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {t.from_as_of.isoformat()} | {t.to_as_of.isoformat()} | {t.subjects} | {t.kept} | "
        f"{percent(t.kept_share)} | {t.entered} | {t.left} |"
        for t in report.transitions
    ]
    lines += [
        "",
        "### 迁移矩阵（相邻月末合计；行：上月末等级，列：本月末等级）",
        "",
        "| | " + " | ".join(GRADES) + " |",
        "|---|" + "---:|" * len(GRADES),
    ]
    lines += [f"| {g1} | " + " | ".join(str(report.matrix[g1][g2]) for g2 in GRADES) + " |" for g1 in GRADES]
    return "\n".join(lines) + "\n"
