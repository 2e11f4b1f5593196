"""Deterministic rows of a synthetic Panyu district: the same (subjects, seed) gives the same rows everywhere.

Pure: no database, no clock, no keys. ``DistrictGenerator(subjects, seed).rows()`` yields one dict per subject with
every ``subject`` column (ids from ``first_id``) plus ``ric``, the plaintext ID number of a natural person, which
the loader encrypts and drops; ``uscc_problems``, ``ric_*`` and ``created_at`` are left for the loader to fill.
All choices come from one ``random.Random(seed)`` (Mersenne Twister: platform-independent), drawn in a fixed
order from tuples — never from the global generator, ``hash()`` or set iteration.

Demo assumptions (synthetic; Panyu's real register is not public, its size is of order 0.5 million, rules.md §2):

* Mix of subjects (share of N, exact quotas by largest remainder, then shuffled):
  enterprises 55% (有限责任公司 47, 股份有限公司 0.4, 分公司 4, 个人独资企业 2.6, 合伙企业 1 — authority 9 type 1),
  个体工商户 35% (authority 9 type 2; 3% of them — 1.05% of N — have no code yet: the 双公示 placeholder
  ``00000000000000000X`` plus a 15-digit 工商注册号), 农民专业合作社 1% (9/3), social organisations 1%
  (authority 5: 社会团体 0.45 type 1, 民办非企业单位 0.5 type 2, 基金会 0.05 type 3), 事业单位 0.5%
  (authority 1 type 2, kind ``government_body``), natural persons 7.5%.
* Every USCC is registered in Panyu (division 440113) with ``make_uscc``. Organisation-code bodies (chars 9–16)
  are unique across the district by construction: each family of bodies is a permutation of its own range —
  ``MA…`` (market entities registered from 2015-10-01), numeric ``5…``–``7…`` (market entities registered before
  the USCC reform), ``L…`` (older 个体工商户), ``MJ…`` / ``3…`` (social organisations), ``MB…`` / ``4…``
  (事业单位); departments use ``00…`` (see :func:`department_uscc`).
* Registration dates 1990–2024 (cooperatives from 2007), yearly registrations growing 12% a year; 4% of market
  entities registered before 2021 are 注销 and 1% 吊销, the rest 存续.
* Townships: the 16 units of ``codes.divisions.PANYU_TOWNSHIPS`` weighted by ``names.TOWNSHIP_WEIGHTS``.
* Natural persons: born 1946–2004 (mode 1986); 55% Panyu-born (division 440126 番禺县 before 1992, 440181 番禺市
  1992–1999, 440113 from 2000, with a third of pre-2000 births registered under 440113), 45% elsewhere in
  Guangdong; sequence parity matches the sex of the name; numbers unique.
* Planted code errors, so the code-quality check has something to find: ``round(N × 0.003%)`` erroneous codes
  (alternately a wrong 18th char, and a wrong 17th GB 11714 char with a recomputed 18th) and ``round(N × 0.002%)``
  duplicates (a later subject given an earlier subject's code), at least one of each when N ≥ 1000, none below.
  At N = 1,000,000 that is 30 + 20 over ~925,000 coded organisations: a rate of ~0.0054%, just over the work
  plan's 0.005% ceiling, so the check has a finding to report.
* 广州禾丰食品有限公司 (the search example) exists for every N ≥ 100.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xinyong.codes.divisions import PANYU_DIVISION, PANYU_TOWNSHIPS
from xinyong.codes.ric import ric_check_char
from xinyong.codes.uscc import ALPHABET, PLACEHOLDER, make_uscc, uscc_check_char
from xinyong.demo import names as N

HEFENG = "广州禾丰食品有限公司"  # the search example
HEFENG_MIN_SUBJECTS = 100
ERRONEOUS_SHARE = 0.00003  # 0.003% of N
DUPLICATE_SHARE = 0.00002  # 0.002% of N
PLANT_MIN_SUBJECTS = 1000  # below this, nothing is planted
USCC_REFORM = date(2015, 10, 1)  # 三证合一: codes issued from here on have MA/MJ/MB bodies
REGISTRATION_YEARS = (1990, 2024)
REG_NO_AUTHORITY = "440126"  # 番禺 工商 registration-number prefix (confidence L; synthetic numbers)
GROWTH = 1.12


@dataclass(frozen=True)
class Profile:
    """One kind of demo subject: stored kind, 机构类型 label, USCC authority/type and share of N (percent)."""

    key: str
    kind: str
    label: str | None
    authority: str  # "" = no USCC (natural person, placeholder individual business)
    org_type: str
    share: float
    first_year: int = REGISTRATION_YEARS[0]


PROFILES: tuple[Profile, ...] = (
    Profile("llc", "legal_person", "有限责任公司", "9", "1", 47.0),
    Profile("joint_stock", "legal_person", "股份有限公司", "9", "1", 0.4),
    Profile("branch", "unincorporated_org", "分公司", "9", "1", 4.0),
    Profile("sole_proprietorship", "unincorporated_org", "个人独资企业", "9", "1", 2.6),
    Profile("partnership", "unincorporated_org", "合伙企业", "9", "1", 1.0),
    Profile("individual", "individual_business", "个体工商户", "9", "2", 33.95),
    Profile("individual_placeholder", "individual_business", "个体工商户", "", "", 1.05),
    Profile("cooperative", "legal_person", "农民专业合作社", "9", "3", 1.0, first_year=2007),
    Profile("social_group", "legal_person", "社会团体", "5", "1", 0.45),
    Profile("non_enterprise", "legal_person", "民办非企业单位", "5", "2", 0.5),
    Profile("foundation", "legal_person", "基金会", "5", "3", 0.05),
    Profile("public_institution", "government_body", "事业单位", "1", "2", 0.5),
    Profile("natural_person", "natural_person", None, "", "", 7.5),
)
PROFILE_BY_KEY = {p.key: p for p in PROFILES}
_ONE_PER_TOWNSHIP = ("社区卫生服务中心", "文化站", "农业技术推广站", "公共服务中心", "综合保障中心")
_MARKET = frozenset(
    {
        "llc",
        "joint_stock",
        "branch",
        "sole_proprietorship",
        "partnership",
        "individual",
        "individual_placeholder",
        "cooperative",
    }
)


def quotas(subjects: int) -> dict[str, int]:
    """Exact number of subjects of each profile for N (largest remainder; ties in profile order)."""
    total = sum(p.share for p in PROFILES)
    raw = [(subjects * p.share / total) for p in PROFILES]
    counts = [math.floor(x) for x in raw]
    order = sorted(range(len(PROFILES)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: subjects - sum(counts)]:
        counts[i] += 1
    return {p.key: c for p, c in zip(PROFILES, counts, strict=True)}


def planted_counts(subjects: int) -> tuple[int, int]:
    """(erroneous, duplicate) codes planted for N subjects."""
    if subjects < PLANT_MIN_SUBJECTS:
        return 0, 0
    return max(1, round(subjects * ERRONEOUS_SHARE)), max(1, round(subjects * DUPLICATE_SHARE))


def department_uscc(code: str, org_type: str = "1") -> str:
    """A synthetic, valid USCC for a district department (authority 1 机构编制, division 440113).

    The real codes are not in the seed material; the body ``00`` + 6 digits comes from SHA-256 of the
    department's code, so it is stable and never collides with subject bodies (which never start with ``00``).
    """
    digits = int(hashlib.sha256(code.encode()).hexdigest(), 16) % 1_000_000
    return make_uscc("1", org_type, PANYU_DIVISION, f"00{digits:06d}")


def reg_no_check_digit(first14: str) -> str:
    """ISO 7064 MOD 11,10 check digit of a 15-digit 工商注册号 (GS15-2006)."""
    p = 10
    for ch in first14:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)


@dataclass(frozen=True)
class DemoPlan:
    """What a (subjects, seed) pair will produce, known before any row is generated."""

    subjects: int
    seed: int
    by_profile: dict[str, int]
    by_kind: dict[str, int]
    erroneous: int
    duplicates: int
    hefeng: bool


def plan_of(subjects: int, seed: int) -> DemoPlan:
    """The plan of (subjects, seed) without generating anything."""
    counts = quotas(subjects)
    by_kind: dict[str, int] = {}
    for p in PROFILES:
        by_kind[p.kind] = by_kind.get(p.kind, 0) + counts[p.key]
    erroneous, duplicates = planted_counts(subjects)
    return DemoPlan(
        subjects=subjects,
        seed=seed,
        by_profile=counts,
        by_kind=by_kind,
        erroneous=erroneous,
        duplicates=duplicates,
        hefeng=subjects >= HEFENG_MIN_SUBJECTS,
    )


class _BodyPool:
    """Unique organisation-code bodies: ``prefix`` + the encoding of a permutation ``(a·i + b) mod space``."""

    def __init__(
        self, rng: random.Random, prefix: str, alphabet: str, width: int, offset: int = 0, space: int | None = None
    ) -> None:
        self.prefix, self.alphabet, self.width, self.offset = prefix, alphabet, width, offset
        self.space = space or len(alphabet) ** width
        a = self.space // 3 + int(rng.random() * (self.space // 2))
        while math.gcd(a, self.space) != 1:
            a += 1
        self.a, self.b, self.i = a, int(rng.random() * self.space), 0

    def next(self) -> str:
        if self.i >= self.space:
            raise OverflowError(f"body pool {self.prefix!r} exhausted")
        v = self.offset + (self.a * self.i + self.b) % self.space
        self.i += 1
        base, chars = len(self.alphabet), []
        for _ in range(self.width):
            v, r = divmod(v, base)
            chars.append(self.alphabet[r])
        return self.prefix + "".join(reversed(chars))


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


@dataclass
class GenerationLog:
    """Filled while rows are generated: which subject ids received planted codes."""

    erroneous_ids: list[int] = field(default_factory=list)
    duplicate_ids: list[int] = field(default_factory=list)  # the second holders
    duplicate_of: dict[int, int] = field(default_factory=dict)  # second holder id → first holder id
    hefeng_id: int | None = None
    placeholders: int = 0


class DistrictGenerator:
    """Rows of the demo district for ``subjects`` and ``seed``; ids start at ``first_id``."""

    def __init__(self, subjects: int, seed: int, first_id: int = 1) -> None:
        if subjects < 0:
            raise ValueError("subjects must be ≥ 0")
        self.subjects, self.seed, self.first_id = subjects, seed, first_id
        self.log = GenerationLog()
        rng = self._rng = random.Random(seed)
        counts = quotas(subjects)
        keys = [p.key for p in PROFILES]
        sequence = [i for i, k in enumerate(keys) for _ in range(counts[k])]
        rng.shuffle(sequence)
        self._sequence = sequence
        erroneous, duplicates = planted_counts(subjects)
        coded = [pos for pos, i in enumerate(sequence) if PROFILES[i].authority]
        self._hefeng_pos = -1
        llc = keys.index("llc")
        if subjects >= HEFENG_MIN_SUBJECTS:
            llc_positions = [pos for pos, i in enumerate(sequence) if i == llc]
            self._hefeng_pos = llc_positions[int(rng.random() * len(llc_positions))]
        candidates = [pos for pos in coded if pos != self._hefeng_pos]
        picks = [candidates[j] for j in rng.sample(range(len(candidates)), erroneous + 2 * duplicates)]
        self._erroneous = set(picks[:erroneous])
        # Each duplicate is a pair of coded subjects: the later one is given the earlier one's code.
        pairs = picks[erroneous:]
        self._dup_source: dict[int, int] = {max(a, b): min(a, b) for a, b in zip(pairs[0::2], pairs[1::2], strict=True)}
        self._source_positions = set(self._dup_source.values())
        self._saved_codes: dict[int, str] = {}
        self.plan = plan_of(subjects, seed)
        self._setup_tables()

    # -- tables --------------------------------------------------------------------------------------------------
    def _setup_tables(self) -> None:
        rng = self._rng
        self._townships = [
            (t.code, t.name, t.name.removesuffix("街道").removesuffix("镇"), t.kind) for t in PANYU_TOWNSHIPS
        ]
        self._township_cum = _cumulative([N.TOWNSHIP_WEIGHTS[t[2]] for t in self._townships])
        self._surnames = [s for s, _ in N.SURNAMES]
        self._surname_cum = _cumulative([w for _, w in N.SURNAMES])
        self._company_trades = [t for t, _ in N.COMPANY_TRADES]
        self._company_cum = _cumulative([w for _, w in N.COMPANY_TRADES])
        self._shops = [t for t, _ in N.SHOP_TRADES]
        self._shop_cum = _cumulative([w for _, w in N.SHOP_TRADES])
        first, last = REGISTRATION_YEARS
        self._years = list(range(first, last + 1))
        self._year_cum = _cumulative([GROWTH ** (y - first) for y in self._years])
        self._year_start = [date(y, 1, 1).toordinal() for y in self._years]
        self._year_len = [date(y + 1, 1, 1).toordinal() - date(y, 1, 1).toordinal() for y in self._years]
        digits = "0123456789"
        self._pools = {
            "MA": _BodyPool(rng, "MA", ALPHABET, 6),
            "MJ": _BodyPool(rng, "MJ", ALPHABET, 6),
            "MB": _BodyPool(rng, "MB", ALPHABET, 6),
            "L": _BodyPool(rng, "L", ALPHABET, 7),
            "old_market": _BodyPool(rng, "", digits, 8, offset=50_000_000, space=30_000_000),
            "old_social": _BodyPool(rng, "", digits, 8, offset=30_000_000, space=10_000_000),
            "old_public": _BodyPool(rng, "", digits, 8, offset=40_000_000, space=10_000_000),
            "reg_no": _BodyPool(rng, "", digits, 8, offset=60_000_000, space=40_000_000),
        }
        self._names: set[str] = {HEFENG} if self._hefeng_pos >= 0 else set()
        self._rics: set[str] = set()

    # -- small draws ---------------------------------------------------------------------------------------------
    def _pick(self, seq: Sequence[str]) -> str:
        return seq[int(self._rng.random() * len(seq))]

    def _weighted(self, seq: Sequence[str], cum: list[float]) -> str:
        return seq[bisect.bisect_right(cum, self._rng.random() * cum[-1])]

    def _brand(self, length: int) -> str:
        r, chars = self._rng.random, N.BRAND_CHARS
        n = len(chars)
        return "".join(chars[int(r() * n)] for _ in range(length))

    def _person(self, female: bool | None = None) -> tuple[str, bool]:
        r = self._rng.random
        if female is None:
            female = r() < 0.5
        chars = N.GIVEN_CHARS_FEMALE if female else N.GIVEN_CHARS_MALE
        n = len(chars)
        given = chars[int(r() * n)] if r() < 0.3 else chars[int(r() * n)] + chars[int(r() * n)]
        return self._weighted(self._surnames, self._surname_cum) + given, female

    def _township(self) -> tuple[str, str, str, str]:
        return self._townships[bisect.bisect_right(self._township_cum, self._rng.random() * self._township_cum[-1])]

    def _address(self, township: tuple[str, str, str, str], residential: bool = False) -> str:
        r = self._rng.random
        _, name, short, kind = township
        place = short + "街" if kind == "街道" else name
        text = f"广州市番禺区{place}{self._pick(N.ROADS[short])}{1 + int(r() * 300)}号"
        if residential or r() < 0.3:
            text += f"{1 + int(r() * 30)}栋{1 + int(r() * 30)}0{1 + int(r() * 8)}"
            text += "房" if residential else "铺"
        return text

    def _registered_on(self, first_year: int, last_year: int | None = None) -> date:
        r = self._rng.random
        lo = first_year - self._years[0]
        hi = (last_year if last_year is not None else self._years[-1]) - self._years[0]
        base = self._year_cum[lo - 1] if lo > 0 else 0.0
        i = bisect.bisect_right(self._year_cum, base + r() * (self._year_cum[hi] - base), lo, hi)
        return date.fromordinal(self._year_start[i] + int(r() * self._year_len[i]))

    def _unique_name(self, key: str, township: tuple[str, str, str, str], rep: str) -> str:
        """Draw names until one is not yet taken (repeated attempts lengthen the 字号)."""
        for attempt in itertools.count():
            name = self._name(key, township, rep, attempt)
            if name not in self._names:
                self._names.add(name)
                return name
        raise AssertionError("unreachable")  # pragma: no cover

    # -- names by profile ----------------------------------------------------------------------------------------
    def _brand_len(self, attempt: int) -> int:
        return (3 if self._rng.random() < 0.25 else 2) + attempt // 8

    def _company(self, attempt: int, suffix: str = "有限公司") -> str:
        r = self._rng.random()
        city = "广州" if r < 0.55 else "广州市" if r < 0.9 else "广州市番禺区"
        trade = self._weighted(self._company_trades, self._company_cum)
        return f"{city}{self._brand(self._brand_len(attempt))}{trade}{suffix}"

    def _name(self, key: str, township: tuple[str, str, str, str], rep: str, attempt: int) -> str:
        short, pick, brand = township[2], self._pick, self._brand
        if key == "llc":
            return self._company(attempt)
        if key == "joint_stock":
            return self._company(attempt, "股份有限公司")
        if key == "branch":
            city = pick(("广东", "广州", "广州", "深圳", "佛山", "东莞", "中山"))
            trade = self._weighted(self._company_trades, self._company_cum)
            return f"{city}{brand(self._brand_len(attempt))}{trade}有限公司{pick(('番禺', short))}分公司"
        if key == "sole_proprietorship":
            kind = pick(("五金厂", "制衣厂", "皮具厂", "商行", "贸易商行", "饰品厂", "印刷厂", "电子厂", "塑料厂"))
            return f"广州市番禺区{short}{brand(self._brand_len(attempt))}{kind}"
        if key == "partnership":
            kind = pick(
                (
                    "投资合伙企业（有限合伙）",
                    "企业管理咨询合伙企业（有限合伙）",
                    "股权投资合伙企业（有限合伙）",
                    "科技合伙企业（普通合伙）",
                )
            )
            return f"广州{brand(self._brand_len(attempt))}{kind}"
        if key in ("individual", "individual_placeholder"):
            shop = self._weighted(self._shops, self._shop_cum)
            mark = rep[0] + "记" if attempt == 0 and self._rng.random() < 0.3 else brand(self._brand_len(attempt))
            return f"番禺区{short}{mark}{shop}"
        if key == "cooperative":
            return f"广州市番禺区{short}{brand(self._brand_len(attempt))}{pick(N.COOPERATIVE_TRADES)}专业合作社"
        if key == "social_group":
            where = short if attempt < 2 else brand(1 + attempt // 4)
            return f"广州市番禺区{where}{pick(N.SOCIAL_GROUP_SECTORS)}{pick(N.SOCIAL_GROUP_FORMS)}"
        if key == "non_enterprise":
            return f"广州市番禺区{brand(self._brand_len(attempt))}{pick(N.NON_ENTERPRISE_FORMS)}"
        if key == "foundation":
            return f"广州市番禺区{brand(self._brand_len(attempt))}{pick(N.FOUNDATION_FORMS)}"
        if key == "public_institution":
            form = pick(N.PUBLIC_INSTITUTION_FORMS)
            if form in _ONE_PER_TOWNSHIP and attempt == 0:
                return f"广州市番禺区{township[1]}{form}"
            return f"广州市番禺区{short}{brand(self._brand_len(attempt))}{form}"
        raise ValueError(key)  # pragma: no cover

    # -- codes ---------------------------------------------------------------------------------------------------
    def _body(self, key: str, registered: date) -> str:
        old = registered < USCC_REFORM
        if key in ("social_group", "non_enterprise", "foundation"):
            return self._pools["old_social" if old else "MJ"].next()
        if key == "public_institution":
            return self._pools["old_public" if old else "MB"].next()
        if key == "individual":
            return self._pools["L" if old else "MA"].next()
        return self._pools["old_market" if old else "MA"].next()

    def _corrupt(self, code: str) -> str:
        """A wrong check char: the 18th (even plantings) or the 17th with a recomputed 18th (odd ones)."""
        r = self._rng.random
        if len(self.log.erroneous_ids) % 2 == 0:
            i = ALPHABET.index(code[17])
            return code[:17] + ALPHABET[(i + 1 + int(r() * (len(ALPHABET) - 1))) % len(ALPHABET)]
        org = "0123456789X"
        i = org.index(code[16])
        first17 = code[:16] + org[(i + 1 + int(r() * (len(org) - 1))) % len(org)]
        return first17 + uscc_check_char(first17)

    def _ric(self, female: bool) -> str:
        r = self._rng
        while True:
            year = min(2004, int(r.triangular(1946, 2005, 1986)))
            birth = date.fromordinal(date(year, 1, 1).toordinal() + int(r.random() * 365))
            if r.random() < 0.55:
                local = "440113" if year >= 2000 or r.random() < 1 / 3 else "440126" if year < 1992 else "440181"
                division = local
            else:
                division = self._pick(N.GUANGDONG_BIRTH_DIVISIONS)
            seq = int(r.random() * 500) * 2 + (0 if female else 1)
            first17 = f"{division}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self._rics:
                self._rics.add(first17)
                return first17 + ric_check_char(first17)

    # -- rows ----------------------------------------------------------------------------------------------------
    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row in id order (a generator: call once per instance)."""
        r = self._rng.random
        log = self.log
        for pos, index in enumerate(self._sequence):
            profile = PROFILES[index]
            key = profile.key
            sid = self.first_id + pos
            township = self._township()
            row: dict[str, Any] = {
                "id": sid,
                "kind": profile.kind,
                "name": "",
                "uscc": None,
                "uscc_problems": None,
                "reg_no": None,
                "ric": None,
                "ric_cipher": None,
                "ric_hash": None,
                "ric_masked": None,
                "legal_representative": None,
                "organisation_type": profile.label,
                "township_code": township[0],
                "address": None,
                "registered_on": None,
                "status": "存续",
                "source": "demo",
                "created_at": None,
            }
            if key == "natural_person":
                name, female = self._person()
                row["name"] = name
                row["ric"] = self._ric(female)
                row["address"] = self._address(township, residential=True)
                yield row
                continue
            rep = self._person()[0]
            row["legal_representative"] = rep
            if key == "individual_placeholder":
                registered = self._registered_on(profile.first_year, USCC_REFORM.year)
            else:
                registered = self._registered_on(profile.first_year)
            row["registered_on"] = registered
            if pos == self._hefeng_pos:
                row["name"] = HEFENG
                log.hefeng_id = sid
            else:
                row["name"] = self._unique_name(key, township, rep)
            row["address"] = self._address(township)
            if key in _MARKET and registered.year < 2021:
                x = r()
                row["status"] = "注销" if x < 0.04 else "吊销" if x < 0.05 else "存续"
            if not profile.authority:
                pool = self._pools["reg_no"].next()
                first14 = REG_NO_AUTHORITY + pool[:8]
                row["uscc"] = PLACEHOLDER
                row["reg_no"] = first14 + reg_no_check_digit(first14)
                log.placeholders += 1
                yield row
                continue
            code = make_uscc(profile.authority, profile.org_type, PANYU_DIVISION, self._body(key, registered))
            if pos in self._source_positions:
                self._saved_codes[pos] = code
            if pos in self._erroneous:
                code = self._corrupt(code)
                log.erroneous_ids.append(sid)
            elif pos in self._dup_source:
                source = self._dup_source[pos]
                code = self._saved_codes.pop(source)
                log.duplicate_ids.append(sid)
                log.duplicate_of[sid] = self.first_id + source
            row["uscc"] = code
            yield row

    def chunks(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """``rows()`` in lists of at most ``size``."""
        it = self.rows()
        while chunk := list(itertools.islice(it, size)):
            yield chunk
