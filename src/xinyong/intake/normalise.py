"""Per-type normalisers for intake cells: raw cell text in, the stored form out (pure, fast functions).

Each normaliser returns the normalised string, ``None`` for a blank cell, or raises :class:`NormaliseError`
with a specific Chinese reason. Forms (sources: rules.md §3 for the 双公示 field types; the catalogue's
``TYPE_LABELS``):

* every type: surrounding whitespace is trimmed, including full-width spaces (U+3000), NBSP and zero-width
  marks that exports add; text fields are otherwise kept exactly as sent (no NFKC on Chinese text);
* codes and numbers: full-width → half-width (NFKC, only for non-ASCII input), codes upper-case;
* dates → ISO ``YYYY-MM-DD`` from ``2021-03-05``, ``2021/3/5``, ``2021.3.5``, ``20210305``, ``2021年3月5日``,
  any of these with a time part, and Excel serial day numbers (1900 date system, 5 digits: ``44260`` →
  ``2021-03-05``);
* amounts (万元, rules.md §3: 罚款金额 in 万元 with 6 decimals) → exactly 6 decimals, ``"0.500000"``: a bare
  number, optionally with ``,`` thousands separators or a ``万元`` suffix; ``元`` is refused (wrong unit).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from xinyong.auth.pii import normalize_phone
from xinyong.codes.normalize import normalize_code
from xinyong.errors import InvalidInput

#: Characters trimmed from both ends of every cell: Unicode whitespace (incl. U+3000 and NBSP) and the
#: zero-width marks (ZWSP, ZWNJ, ZWJ, word joiner, BOM) that copy-paste and exports leave behind.
PADDING = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
)

AMOUNT_DECIMALS = 6
# Excel's 1900 date system: serial 1 = 1900-01-01, and Excel counts a 1900-02-29 that never existed, so from
# serial 61 on the day is 1899-12-30 + serial. Only 5-digit serials (1927-05-18 … 2173-10-14) are taken for
# dates: shorter numbers are far more likely typos than days.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL = re.compile(r"[1-9][0-9]{4}(?:\.[0-9]+)?", re.ASCII)
_DATE = re.compile(
    r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
    r"(?:(?:\s+|T)[0-9]{1,2}(?::[0-9]{1,2}){1,2}(?:\.[0-9]+)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?",
    re.ASCII,
)
_COMPACT_DATE = re.compile(r"(?:19|20)[0-9]{6}", re.ASCII)
_NUMBER = re.compile(r"([+-]?)(?=\.?[0-9])([0-9]*)(?:\.([0-9]*))?", re.ASCII)
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?", re.ASCII)
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.ASCII | re.IGNORECASE)
_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?", re.ASCII)
_SPACES = re.compile(r"\s+")
_MULTI_SEPARATORS = re.compile(r"[;；]")


class NormaliseError(ValueError):
    """A cell that cannot be brought into its field's form; ``reason`` is the Chinese explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean(value: str) -> str:
    """``value`` without surrounding whitespace and zero-width marks (see ``PADDING``)."""
    return value.strip(PADDING)


def half_width(value: str) -> str:
    """Full-width letters, digits and punctuation → half-width (NFKC); ASCII input is returned as is."""
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def text(value: str) -> str | None:
    """A text field: trimmed only (Chinese text is never NFKC-normalised)."""
    return value.strip(PADDING) or None


def _refuse_scientific(value: str) -> None:
    if ("E" in value or "e" in value) and _SCIENTIFIC.fullmatch(value):
        raise NormaliseError("代码被 Excel 转成了科学计数法，已丢失精度：请将该列设为文本格式后重新填写代码")


def code(value: str) -> str | None:
    """A registration number (工商注册号, 组织机构代码, ...): half-width, no inner spaces, upper-case."""
    s = value.strip(PADDING)
    if not s:
        return None
    if s.isascii() and s.isalnum():
        return s.upper()
    s = half_width(s)
    _refuse_scientific(s)
    return _SPACES.sub("", s).upper() or None


def uscc(value: str) -> str | None:
    """A USCC or ID number in its checked form (``xinyong.codes.normalize_code``: NFKC, no spaces or dashes)."""
    s = value.strip(PADDING)
    if not s:
        return None
    if s.isascii() and s.isalnum():
        return s.upper()
    _refuse_scientific(half_width(s))
    return normalize_code(s) or None


def excel_serial_date(serial: float) -> date:
    """The day of an Excel serial number in the 1900 date system (``44260`` → 2021-03-05)."""
    days = int(serial)
    if days == 60:
        raise NormaliseError("Excel 日期序号 60 对应不存在的 1900-02-29")
    if days < 60:
        days += 1
    return _EXCEL_EPOCH + timedelta(days=days)


def _checked_date(year: int, month: int, day: int, shown: str) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise NormaliseError(f"日期不存在：“{shown}”") from None


def iso_date(value: str) -> str | None:
    """A date → ``YYYY-MM-DD`` (forms in the module docstring); a time part is dropped."""
    s = value.strip(PADDING)
    if not s:
        return None
    if len(s) == 10 and s[4] == "-" and s[7] == "-" and s.isascii():  # already ISO: the common case
        try:
            date.fromisoformat(s)
        except ValueError:
            pass
        else:
            return s
    t = half_width(s)
    m = _DATE.fullmatch(t)
    if m:
        return _checked_date(int(m[1]), int(m[2]), int(m[3]), s)
    if _COMPACT_DATE.fullmatch(t):
        return _checked_date(int(t[:4]), int(t[4:6]), int(t[6:]), s)
    if _SERIAL.fullmatch(t):
        return excel_serial_date(float(t)).isoformat()
    raise NormaliseError(f"日期格式不正确：“{s}”，应为 YYYY-MM-DD（如 2021-03-05）")


def amount(value: str) -> str | None:
    """An amount in 万元 → exactly 6 decimals (``"1,234.5"`` → ``"1234.500000"``); must be ≥ 0."""
    s = value.strip(PADDING)
    if not s:
        return None
    whole, _, fraction = s.partition(".")
    if whole.isdigit() and whole.isascii() and (not fraction or (fraction.isdigit() and fraction.isascii())):
        fraction = fraction.rstrip("0")  # fast path: a plain decimal number
        if len(fraction) <= AMOUNT_DECIMALS:
            return f"{whole.lstrip('0') or '0'}.{fraction.ljust(AMOUNT_DECIMALS, '0')}"
    t = half_width(s)
    if t.endswith("万元"):
        t = t[:-2].rstrip()
    elif t.endswith("元") or t[:1] in "¥￥":
        raise NormaliseError(f"金额单位应为万元：“{s}”请换算为万元后只填写数字（如 1.5 表示 1.5 万元）")
    if "," in t:
        if not _GROUPED.fullmatch(t):
            raise NormaliseError(f"金额格式不正确：“{s}”的千位分隔符位置不对")
        t = t.replace(",", "")
    m = _NUMBER.fullmatch(t)
    if m is None:
        raise NormaliseError(f"金额格式不正确：“{s}”，应为数字（单位万元，如 0.5）")
    sign, whole, fraction = m[1], m[2].lstrip("0") or "0", (m[3] or "").rstrip("0")
    if len(fraction) > AMOUNT_DECIMALS:
        raise NormaliseError(f"金额最多{AMOUNT_DECIMALS}位小数（单位万元）：“{s}”")
    if sign == "-" and (whole != "0" or fraction):
        raise NormaliseError(f"金额不能为负数：“{s}”")
    return f"{whole}.{fraction.ljust(AMOUNT_DECIMALS, '0')}"


def integer(value: str) -> str | None:
    """A whole number (``"1,200"``, ``"12.0"`` from Excel and full-width digits accepted) → ``"1200"``."""
    s = value.strip(PADDING)
    if not s:
        return None
    t = half_width(s)
    if "," in t:
        if not _GROUPED.fullmatch(t):
            raise NormaliseError(f"整数格式不正确：“{s}”的千位分隔符位置不对")
        t = t.replace(",", "")
    m = _NUMBER.fullmatch(t)
    if m is None or (m[3] or "").strip("0"):
        raise NormaliseError(f"应为整数：“{s}”")
    number = int(m[2] or "0")
    return str(-number if m[1] == "-" else number)


def phone(value: str) -> str | None:
    """A mainland mobile number (11 digits, ``xinyong.auth.pii.normalize_phone``) or a landline ``020-12345678``."""
    s = value.strip(PADDING)
    if not s:
        return None
    try:
        return normalize_phone(s)
    except InvalidInput:
        pass
    t = _SPACES.sub("", half_width(s))
    if t.startswith("("):  # (020)12345678
        t = t[1:].replace(")", "-", 1)
    if _LANDLINE.fullmatch(t):
        return t
    raise NormaliseError("电话号码格式不正确：应为11位手机号或带区号的固定电话（如 020-12345678）")


class EnumValues:
    """An enumeration: the exact label (trimmed) or one of its codes (half-width; ``1`` for ``001`` too).

    ``first_of_many`` serves fields that allow several values separated by ``;`` / ``；`` with the first one
    counting (e.g. 处罚类别, see its catalogue ``help``).
    """

    __slots__ = ("allowed", "by_text")

    def __init__(self, values: Sequence[str], value_codes: Mapping[str, str]) -> None:
        self.allowed = tuple(values)
        by_text: dict[str, str] = {v: v for v in values}
        for key, label in value_codes.items():
            by_text.setdefault(half_width(key).strip().upper(), label)
        # Codes like "001" lose their leading zeros in Excel number cells: accept "1" when unambiguous.
        unpadded: dict[str, set[str]] = {}
        for key, label in value_codes.items():
            k = half_width(key).strip()
            if k.isdigit() and k != k.lstrip("0"):
                unpadded.setdefault(k.lstrip("0") or "0", set()).add(label)
        for key, labels in unpadded.items():
            if len(labels) == 1 and key not in by_text:
                by_text[key] = labels.pop()
        self.by_text = by_text  # exact text → label: the hot path of RowChecker looks values up here first

    def lookup(self, value: str) -> str | None:
        """The label ``value`` stands for, or ``None``."""
        s = value.strip(PADDING)
        found = self.by_text.get(s)
        if found is None and s:
            found = self.by_text.get(half_width(s).upper())
        return found

    def __call__(self, value: str) -> str | None:
        s = value.strip(PADDING)
        if not s:
            return None
        found = self.by_text.get(s)
        if found is None:
            found = self.by_text.get(half_width(s).upper())
            if found is None:
                raise NormaliseError(f"取值“{s}”不在可选值中（可选：{'、'.join(self.allowed)}）")
        return found

    def first_of_many(self, value: str) -> str | None:
        """The first label when ``value`` is several allowed values separated by ``;``/``；``, else ``None``."""
        parts = [p for p in (p.strip(PADDING) for p in _MULTI_SEPARATORS.split(value)) if p]
        if len(parts) < 2:
            return None
        labels = [self.lookup(p) for p in parts]
        if any(label is None for label in labels):
            return None
        return labels[0]
