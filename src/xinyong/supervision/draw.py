"""The seeded draw of 双随机: which candidates of each credit grade are inspected. Pure functions, no database.

Algorithm ``xinyong-draw-1`` (re-implementable by anyone from the published seed and candidate list):

1. The candidate list is the lines ``"<subject_id>,<grade>\\n"`` sorted by subject id (ascending integer),
   UTF-8; its SHA-256 (hex) is the published ``candidates_hash``.
2. Per grade, the number drawn is ``ceil(ratio × candidates of that grade)``, computed in decimal arithmetic from
   the ratio as written (so ``0.05 × 20`` is exactly 1, never 2 by a float rounding).
3. Every candidate's key is ``SHA-256("xinyong-draw-1|<seed>|<subject_id>")`` (hex); within each grade the
   candidates with the smallest keys are drawn. The drawn list is ordered by grade (A, B, C, D) then key.

No pseudo-random generator state is involved: the result depends only on the seed, the ratios and the
candidate list, is the same on every machine and Python version, and a candidate's key does not depend on
which other subjects are candidates (adding one subject changes the draw by at most that subject).
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

ALGORITHM = "xinyong-draw-1"
GRADES: tuple[str, ...] = ("A", "B", "C", "D")
MAX_SEED_LENGTH = 64


class DrawError(ValueError):
    """Bad ratios or seed: the message (Chinese) says which and why; nothing is drawn."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A subject that may be drawn, with its credit grade."""

    subject_id: int
    grade: str


@dataclass(frozen=True)
class Draw:
    """The outcome: the hash and per-grade counts of the candidates, the per-grade drawn counts, the drawn list."""

    seed: str
    algorithm: str
    candidates_hash: str
    candidates_by_grade: dict[str, int]
    drawn_by_grade: dict[str, int]
    drawn: list[Candidate]


def parse_ratios(value: str | Mapping[str, object]) -> dict[str, Decimal]:
    """Ratios per grade from ``"A=0.02,B=0.05,C=1,D=1"`` or a mapping; every grade must be given once, each a
    decimal in [0, 1]. ``DrawError`` with a Chinese message otherwise."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, str):
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise DrawError(f"抽查比例格式应为 等级=比例，如 A=0.02（收到 {part!r}）")
            grade, _, ratio = part.partition("=")
            pairs.append((grade.strip().upper(), ratio.strip()))
    else:
        pairs = [(str(k).strip().upper(), str(v).strip()) for k, v in value.items()]
    ratios: dict[str, Decimal] = {}
    for grade, text in pairs:
        if grade not in GRADES:
            raise DrawError(f"未知的信用等级 {grade!r}（可用：{'、'.join(GRADES)}）")
        if grade in ratios:
            raise DrawError(f"等级 {grade} 的抽查比例重复给出")
        try:
            ratio = Decimal(text)
        except InvalidOperation:
            raise DrawError(f"等级 {grade} 的抽查比例无法解析为数字：{text!r}") from None
        if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
            raise DrawError(f"等级 {grade} 的抽查比例应在 0 到 1 之间（收到 {text}）")
        ratios[grade] = ratio
    missing = [g for g in GRADES if g not in ratios]
    if missing:
        raise DrawError(f"缺少等级 {'、'.join(missing)} 的抽查比例（四个等级均须给出，不抽查的写 0）")
    return {g: ratios[g] for g in GRADES}


def ratios_text(ratios: Mapping[str, Decimal]) -> dict[str, str]:
    """Ratios as the strings stored and published (as written, e.g. ``"0.02"``)."""
    return {g: str(ratios[g]) for g in GRADES if g in ratios}


def check_seed(seed: str) -> str:
    """A seed: 1–64 printable characters without ``|`` (the key separator)."""
    text = str(seed).strip()
    if not text or len(text) > MAX_SEED_LENGTH or "|" in text or not text.isprintable():
        raise DrawError(f"随机种子应为 1 到 {MAX_SEED_LENGTH} 个可打印字符，且不含“|”")
    return text


def candidates_text(candidates: Iterable[Candidate]) -> bytes:
    """The canonical candidate list (step 1): ``subject_id,grade`` lines sorted by subject id."""
    ordered = sorted(candidates, key=lambda c: c.subject_id)
    return "".join(f"{c.subject_id},{c.grade}\n" for c in ordered).encode("utf-8")


def candidates_hash(candidates: Iterable[Candidate]) -> str:
    """SHA-256 (hex) of the canonical candidate list."""
    return hashlib.sha256(candidates_text(candidates)).hexdigest()


def quota(count: int, ratio: Decimal) -> int:
    """``ceil(ratio × count)`` in decimal arithmetic (step 2)."""
    return int((ratio * count).to_integral_value(rounding=ROUND_CEILING))


def draw_key(seed: str, subject_id: int) -> str:
    """A candidate's key (step 3)."""
    return hashlib.sha256(f"{ALGORITHM}|{seed}|{subject_id}".encode()).hexdigest()


def draw(candidates: Sequence[Candidate], ratios: Mapping[str, Decimal], seed: str) -> Draw:
    """Draw ``ceil(ratio × n)`` candidates of each grade by smallest key; see the module docstring."""
    seed = check_seed(seed)
    unknown = sorted({c.grade for c in candidates} - set(GRADES))
    if unknown:
        raise DrawError(f"候选名单中有未知的信用等级：{'、'.join(unknown)}")
    seen: set[int] = set()
    for c in candidates:
        if c.subject_id in seen:
            raise DrawError(f"候选名单中主体 {c.subject_id} 重复")
        seen.add(c.subject_id)
    by_grade: dict[str, list[Candidate]] = {g: [] for g in GRADES}
    for c in candidates:
        by_grade[c.grade].append(c)
    counts = Counter({g: len(by_grade[g]) for g in GRADES})
    drawn: list[Candidate] = []
    drawn_by_grade: dict[str, int] = {}
    for grade in GRADES:
        group = by_grade[grade]
        k = quota(len(group), ratios.get(grade, Decimal(0)))
        keyed = ((draw_key(seed, c.subject_id), c) for c in group)
        chosen = (
            heapq.nsmallest(k, keyed, key=lambda pair: pair[0])
            if k < len(group)
            else sorted(keyed, key=lambda pair: pair[0])
        )
        drawn.extend(c for _, c in chosen)
        drawn_by_grade[grade] = len(chosen)
    return Draw(
        seed=seed,
        algorithm=ALGORITHM,
        candidates_hash=candidates_hash(candidates),
        candidates_by_grade={g: counts[g] for g in GRADES},
        drawn_by_grade=drawn_by_grade,
        drawn=drawn,
    )
