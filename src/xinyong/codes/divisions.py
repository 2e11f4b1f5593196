"""Administrative division codes (GB/T 2260) and the Panyu township table (rules.md §2).

The GB/T 2260 table is python-stdnum's ``stdnum/cn/loc.dat`` (compiled from the Wikipedia lists of
中华人民共和国行政区划代码), parsed once at import. It holds every province (``440000``), prefecture
(``440100``, incl. ``市辖区`` ``440101``) and county-level code, current and historical, each with the years it
was in use (``[2000-]番禺区``; no years = always). Registration authorities sit at every level, so all three
levels are accepted in a USCC (rules.md §1, chars 3–8 = division of the *registering authority*).

Two additions, both documented here because loc.dat does not hold them:

* ``100000`` — the national level, used by central authorities (e.g. ``111000000000…`` codes of State Council
  departments, ``511000005000…`` of national social organisations).
* *Unlisted* codes: development-zone registrars use codes outside GB/T 2260 under a real prefecture (e.g.
  苏州工业园区 ``320594``, 西安高新区 ``610131``, both seen in real, check-char-valid USCCs). A code whose
  4-digit prefecture prefix is in the table but which is not itself listed is ``unlisted`` (a warning), not an
  error; a code with an unknown prefix is ``unknown`` (an error).
"""

from __future__ import annotations

from importlib import resources
from typing import Literal, NamedTuple

NATIONAL_DIVISION = "100000"
PANYU_DIVISION = "440113"  # rules.md §2


class Span(NamedTuple):
    """One name a division code carried, and the years it was in use (``None`` = open)."""

    start: int | None
    end: int | None
    name: str


def _load_loc_dat() -> dict[str, tuple[Span, ...]]:
    """Parse stdnum's loc.dat: ``11 province=…`` lines, then ``  0101 county="[1983-]市辖区,[…]…"`` lines."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    table: dict[str, tuple[Span, ...]] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            province = line[:2]
            continue
        suffix, _, rest = line.strip().partition(" ")
        value = rest.partition('="')[2].rstrip('"')
        spans = []
        for part in value.split(","):
            if part.startswith("["):
                years, _, name = part[1:].partition("]")
                start, _, end = years.partition("-")
                spans.append(Span(int(start) if start else None, int(end) if end else None, name))
            else:
                spans.append(Span(None, None, part))
        table[province + suffix] = tuple(spans)
    return table


_TABLE = _load_loc_dat()

#: Every GB/T 2260 code in loc.dat (province, prefecture, county; current or historical).
DIVISIONS: frozenset[str] = frozenset(_TABLE)
#: Codes a USCC may carry without any remark: GB/T 2260 plus the national level.
REGISTRATION_DIVISIONS: frozenset[str] = DIVISIONS | {NATIONAL_DIVISION}
#: 4-digit prefixes (province + prefecture) of GB/T 2260 codes.
DIVISION_PREFIXES: frozenset[str] = frozenset(code[:4] for code in DIVISIONS)
#: 港澳台居民居住证 numbers (2018) start with 810000 / 820000 / 830000 in place of a birth division.
RESIDENCE_PERMIT_DIVISIONS: frozenset[str] = frozenset({"810000", "820000", "830000"})

DivisionStatus = Literal["listed", "unlisted", "unknown"]


def division_status(code: str) -> DivisionStatus:
    """``listed`` (GB/T 2260 or national), ``unlisted`` (6 digits under a known prefecture) or ``unknown``."""
    if code in REGISTRATION_DIVISIONS:
        return "listed"
    if len(code) == 6 and code.isascii() and code.isdigit() and code[:4] in DIVISION_PREFIXES:
        return "unlisted"
    return "unknown"


def division_existed_in(code: str, year: int) -> bool:
    """Whether a GB/T 2260 code was in use in ``year`` (loc.dat year ranges, inclusive). Unlisted → False."""
    return any(
        (span.start is None or span.start <= year) and (span.end is None or year <= span.end)
        for span in _TABLE.get(code, ())
    )


def division_name(code: str) -> str | None:
    """The latest name of a GB/T 2260 code (``440113`` → ``番禺区``), or ``None`` if not listed."""
    spans = _TABLE.get(code)
    return spans[-1].name if spans else None


# --- Panyu townships --------------------------------------------------------------------------------------------
# Source: rules.md §2 (NBS 统计用区划代码, current). 沙湾 became a 街道 in 2021 (formerly 沙湾镇 440113118);
# 榄核/东涌/大岗 went to 南沙区 in 2005 and are not Panyu townships.


class Township(NamedTuple):
    """A township-level unit (镇街): 9-digit NBS code, full name, 街道 or 镇."""

    code: str
    name: str
    kind: Literal["街道", "镇"]


PANYU_TOWNSHIPS: tuple[Township, ...] = (
    Township("440113007", "市桥街道", "街道"),
    Township("440113008", "沙头街道", "街道"),
    Township("440113009", "东环街道", "街道"),
    Township("440113010", "桥南街道", "街道"),
    Township("440113011", "小谷围街道", "街道"),
    Township("440113012", "大石街道", "街道"),
    Township("440113013", "洛浦街道", "街道"),
    Township("440113014", "石壁街道", "街道"),
    Township("440113015", "钟村街道", "街道"),
    Township("440113016", "大龙街道", "街道"),
    Township("440113017", "沙湾街道", "街道"),
    Township("440113102", "南村镇", "镇"),
    Township("440113103", "新造镇", "镇"),
    Township("440113104", "化龙镇", "镇"),
    Township("440113105", "石楼镇", "镇"),
    Township("440113120", "石碁镇", "镇"),
)

_TOWNSHIPS_BY_CODE = {t.code: t for t in PANYU_TOWNSHIPS}


def township_by_code(code: str) -> Township | None:
    """The Panyu township with this 9-digit code (the 12-digit NBS form ``…000`` is accepted too)."""
    code = code.strip()
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    return _TOWNSHIPS_BY_CODE.get(code)
