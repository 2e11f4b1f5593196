"""Demo 失信案例核查 (issue #7, work-plan item 八): reported dishonesty cases in every stage and closed ones, planted
through ``lists.verification`` so the dashboard, the case pages and the department's notifications have data after
``xinyong demo``.

``plant_cases`` plays each story of ``STORIES`` out on its own days, counted back from the anchor (today, or
2026-11-27 when today is later, so every working-day deadline stays inside the calendar the platform knows; every
date falls within 2021–2026): the office (区信用办) registers the report, the owning department's officer completes
the stages on the story's days — linking one of the subject's credit records at 记录 and its list entry at 惩戒
when there is one — and the office closes some early. Cases at 核查 (one fresh, one overdue), 记录, 监管, 惩戒
(overdue), 整改 and 教育 (overdue); closed ones rectified, punished, unfounded, transferred and merged, and one
from 2021. The daily step then flags the overdue ones. Deterministic for a seed on the same data; the caller commits.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.clock import CHINA_TZ
from xinyong.errors import Conflict
from xinyong.lists import verification
from xinyong.lists.models import ListEntry, VerificationCase
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.subjects.models import Department, Subject

LATEST_ANCHOR = date(2026, 11, 27)
EARLIEST = date(2021, 1, 1)
DEPARTMENTS = ("scjgj", "rsj", "zjj", "sthjfj", "jtj")
PDF = b"%PDF-1.4\n% xinyong demo case evidence\n%%EOF\n"
OWNERS = ("黄志强", "梁秀英", "何伟明", "吴嘉欣", "林国华", "罗丽萍", "郑建军", "谢惠玲")
CANDIDATES = 300


@dataclass(frozen=True)
class Story:
    """One case: opened ``opened`` days before the anchor, stages completed on the days-before of ``steps``;
    ``founded`` False closes at 核查; ``outcome`` closes at the last stage; ``office`` closes early on a day."""

    source: str
    title: str
    summary: str
    opened: int
    steps: tuple[int, ...] = ()
    founded: bool = True
    outcome: str | None = None
    office: tuple[int, str, str] | None = None  # (days before the anchor, outcome, note)


STORIES: dict[str, Story] = {
    "verify": Story("hotline_12345", "预付卡商户停业未退费", "多名消费者反映该商户收取预付费后停业，拒不退费。", 2),
    "verify_overdue": Story(
        "public_report", "拖欠装修款拒不支付", "群众来信反映该企业拖欠装修工程款，多次催收未果。", 45
    ),
    "record": Story(
        "department_referral",
        "违法排污被处罚后仍未整改",
        "区生态环境分局移送：企业超标排污被处罚后仍未整改。",
        25,
        (18,),
    ),
    "supervise": Story(
        "inspection", "双随机抽查发现虚假公示", "双随机抽查发现该企业年报公示信息与实际不符。", 40, (33, 28)
    ),
    "punish": Story(
        "superior_referral",
        "失信被执行人拒不履行判决",
        "市法院通报：该企业为失信被执行人，拒不履行生效判决。",
        70,
        (60, 55, 40),
    ),
    "rectify": Story(
        "hotline_12345", "拖欠农民工工资", "12345 热线反映该企业拖欠 30 余名工人 3 个月工资。", 80, (72, 66, 50, 30)
    ),
    "educate": Story(
        "media", "媒体曝光产品质量问题", "媒体报道该企业销售不合格产品，经查属实。", 120, (110, 104, 90, 70, 20)
    ),
    "rectified": Story(
        "hotline_12345",
        "拖欠工程款纠纷",
        "反映该企业拖欠分包工程款，经调解后仍不支付。",
        200,
        (190, 185, 170, 150, 110, 95),
        outcome="rectified",
    ),
    "punished": Story(
        "department_referral",
        "骗取财政补贴",
        "区财政局移送：企业以虚假材料申领补贴。",
        300,
        (290, 280, 260, 230, 180, 160),
        outcome="punished",
    ),
    "unfounded": Story("public_report", "反映企业无证经营", "匿名举报该企业无证经营。", 60, (50,), founded=False),
    "transferred": Story(
        "media",
        "涉嫌合同诈骗",
        "网络舆情反映该企业以签约为名骗取定金。",
        35,
        (28,),
        office=(20, "transferred", "涉嫌合同诈骗，已移送区公安分局"),
    ),
    "merged": Story(
        "hotline_12345",
        "预付卡商户停业未退费（重复反映）",
        "另一名消费者反映同一商户停业未退费。",
        15,
        office=(14, "merged", "与同一商户的在办案件并案处理"),
    ),
    "archive_2021": Story(
        "department_referral",
        "拒不履行行政处罚决定",
        "区市场监管局移送：企业逾期不缴纳罚款。",
        2000,
        (1990, 1980, 1960, 1930, 1880, 1860),
        outcome="rectified",
    ),
}
NOTES = {
    "verify": "经调取材料、现场核实，反映的问题属实。",
    "record": "已将相关行政处罚决定记入公共信用信息记录并归集到信用平台。",
    "supervise": "已列为重点监管对象，提高双随机抽查比例和频次。",
    "punish": "依法实施失信惩戒措施，限制参与政府采购和评优评先。",
    "rectify": "已责令限期整改，企业已履行相关义务。",
    "educate": "约谈企业负责人，开展诚信教育，企业签署信用承诺书。",
}


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ).astimezone(UTC)


def _weekday(day: date, anchor: date) -> date:
    """``day`` moved to the following Monday when it is a weekend, never past ``anchor``."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return min(day, anchor)


def _pools(ctx: Context) -> tuple[list[int], dict[int, int], dict[int, int]]:
    """Enterprise subjects (those with a penalty record first), a current record of each, a list entry of each."""
    session = ctx.session
    records: dict[int, int] = {}
    stmt = (
        select(CreditRecord.subject_id, CreditRecord.id)
        .where(
            CreditRecord.item_id == "penalty",
            CreditRecord.subject_kind == "legal_person",
            CreditRecord.subject_id.is_not(None),
            current_version(),
        )
        .order_by(CreditRecord.id)
        .limit(CANDIDATES)
    )
    for subject_id, record_id in session.execute(stmt):
        records.setdefault(int(subject_id), int(record_id))
    entries: dict[int, int] = {}
    listed = (
        select(ListEntry.subject_id, ListEntry.id)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .where(ListEntry.status != "dropped", ListEntry.role == "subject", Subject.kind == "legal_person")
        .order_by(ListEntry.id)
        .limit(CANDIDATES)
    )
    for subject_id, entry_id in session.execute(listed):
        entries.setdefault(int(subject_id), int(entry_id))
    ordered = list(dict.fromkeys([*entries, *records]))
    if len(ordered) < len(STORIES):
        more = session.scalars(
            select(Subject.id).where(Subject.kind == "legal_person").order_by(Subject.id).limit(CANDIDATES)
        )
        ordered = list(dict.fromkeys([*ordered, *(int(s) for s in more)]))
    return ordered, records, entries


def plant_cases(ctx: Context, seed: int) -> int:
    """Plant one case per story of ``STORIES`` (see the module docstring); returns how many were planted.
    ``Conflict`` when the registry has no enterprise or none of the departments is registered."""
    require(ctx, "demo.load")
    session = ctx.session
    rng = random.Random(seed)
    anchor = min(ctx.today, LATEST_ANCHOR)
    found = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(DEPARTMENTS)))}
    departments = [found[c] for c in DEPARTMENTS if c in found]
    subjects, records, entries = _pools(ctx)
    if not departments or not subjects:
        raise Conflict("演示失信案例需要主体库中的企业和已登记的部门：请先载入演示数据（xinyong demo）")
    with_entry = [s for s in subjects if s in entries]
    others = [s for s in subjects if s not in entries]
    rng.shuffle(with_entry)
    rng.shuffle(others)
    planted = 0
    for n, story in enumerate(STORIES.values()):
        opened_on = _weekday(anchor - timedelta(days=story.opened), anchor)
        if opened_on < EARLIEST:
            continue
        reaches_punish = len(story.steps) >= 4
        pool = with_entry if reaches_punish and with_entry else others or with_entry
        subject_id = pool.pop() if pool else subjects[n % len(subjects)]
        department = departments[n % len(departments)]
        owner = OWNERS[rng.randrange(len(OWNERS))]
        office = Context(session=session, actor="demo:office", role="credit_office_staff", at=_moment(opened_on, 9))
        case = verification.open_case(
            office,
            story.title,
            subject_id,
            "",
            story.source,
            f"DEMO-{seed}-{n + 1:03d}",
            story.summary,
            department.id,
            owner,
        )
        officer = Context(
            session=session,
            actor=f"demo:officer:{department.code}",
            role="department_officer",
            department_id=department.id,
        )
        if n % 3 == 0:
            verification.attach(dataclasses.replace(officer, at=_moment(opened_on, 11)), case.id, "举报材料.pdf", PDF)
        for k, ago in enumerate(story.steps):
            day = _weekday(anchor - timedelta(days=ago), anchor)
            acting = dataclasses.replace(officer, at=_moment(day, 15))
            stage = case.stage
            last = k == len(story.steps) - 1
            note = NOTES[stage] if story.founded else "经核查，反映的问题不属实。"
            case = verification.complete_stage(
                acting,
                case.id,
                note,
                case.lock_version,
                OWNERS[rng.randrange(len(OWNERS))] if rng.random() < 0.3 else None,
                records.get(subject_id) if stage == "record" else None,
                entries.get(subject_id) if stage == "punish" else None,
                story.founded if stage == "verify" else None,
                stage=stage,
                outcome=story.outcome if last and stage == "educate" else None,
            )
        if story.office is not None:
            ago, outcome, note = story.office
            day = _weekday(anchor - timedelta(days=ago), anchor)
            closer = Context(session=session, actor="demo:office", role="credit_office_staff", at=_moment(day, 16))
            verification.close_case(closer, case.id, outcome, note, case.lock_version)
        planted += 1
    verification.flag_overdue_cases(ctx, anchor)
    return planted


def planted_stages(ctx: Context) -> dict[str, int]:
    """How many demo cases are in each stage (``closed`` included), for checks and the summary."""
    counts: dict[str, int] = {}
    for stage in ctx.session.scalars(select(VerificationCase.stage).where(VerificationCase.source_ref.like("DEMO-%"))):
        counts[stage] = counts.get(stage, 0) + 1
    return counts
