"""The result of an identifier check and the Chinese message of every problem and warning token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["uscc", "ric", "unknown"]

#: Problem tokens (the code is invalid), in the order they are reported. English, stable: stored in
#: ``subject.uscc_problems`` and parsed by other tools. Sources: rules.md §1.
PROBLEM_MESSAGES: dict[str, str] = {
    "empty": "未填写代码（空值）",
    "too_long": "输入过长，不是证照代码",
    "control_chars": "含有控制字符（导出数据可能已损坏）",
    "length": "长度不正确：统一社会信用代码应为18位，公民身份号码应为18位（或旧版15位）",
    "charset": "含有不允许的字符：统一社会信用代码只用数字和大写字母（不含 I、O、Z、S、V），身份证号码只用数字和末位 X",
    "placeholder": "占位代码 00000000000000000X：个体工商户尚无统一社会信用代码，须另填工商注册号",
    "authority_type": "第1位登记管理部门代码与第2位机构类别代码的组合不存在（GB 32100-2015）",
    "division": "行政区划代码不存在（统一社会信用代码第3–8位、身份证号码前6位，GB/T 2260）",
    "birth_date": "出生日期不存在或晚于今天",
    "org_check_char": "第17位（组织机构代码校验码，GB 11714-1997）错误",
    "check_char": "校验码（最后一位）错误",
}

#: Warning tokens (the code is valid but worth a look).
WARNING_MESSAGES: dict[str, str] = {
    "fujian_pilot": "福建省早期试点代码：第18位校验码不符合 GB 32100-2015，但属合法代码",
    "division_unlisted": (
        "行政区划代码不在 GB/T 2260 中，但所属地级区划存在（开发区等登记机关的自编代码，如苏州工业园区 320594）"
    ),
    "division_at_birth": "出生当年该行政区划代码尚未设立或已撤销（号码仍可能有效，如迁入后换发的身份证）",
    "legacy_15": "15位旧身份证号码，已换算出18位号码",
    "ambiguous_kind": "同时符合统一社会信用代码和公民身份号码的规则，按统一社会信用代码处理",
}

MESSAGES: dict[str, str] = {**PROBLEM_MESSAGES, **WARNING_MESSAGES}


@dataclass(frozen=True, slots=True)
class CodeResult:
    """One checked identifier.

    ``input`` is the original text (cut to ``check.MAX_INPUT_CHARS`` when ``too_long``); ``normalized`` the form
    that was checked; ``valid`` means no problems (warnings allowed); ``converted`` the 18-digit form of a legacy
    15-digit ID number.
    """

    input: str
    normalized: str
    kind: Kind
    valid: bool
    problems: list[str]
    warnings: list[str]
    converted: str | None = None

    @property
    def messages(self) -> dict[str, str]:
        """Chinese message of every problem and warning, keyed by token."""
        return {token: MESSAGES[token] for token in (*self.problems, *self.warnings)}

    def to_json(self) -> dict[str, Any]:
        """The JSON object written by ``xinyong codes check`` (``converted`` only when present)."""
        out: dict[str, Any] = {
            "input": self.input,
            "normalized": self.normalized,
            "kind": self.kind,
            "valid": self.valid,
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "messages": self.messages,
        }
        if self.converted is not None:
            out["converted"] = self.converted
        return out
