"""Demo list entries (issue #7) in every state, planted through the listing services so the management, entry and
public list pages have data after ``xinyong demo``.

What ``plant_lists`` writes (deterministic for a seed on the same registry), all dated 2025–2026 and never after
today (the anchor is today, or 2026-11-27 when today is later, so every working-day deadline stays inside the
calendar the platform knows):

* 拖欠农民工工资失信联合惩戒对象名单 (区人社局): an employer listed with a responsible person (published), one
  listed and removed early (paid, six months after the correction, with a commitment), one with a recorded
  defence awaiting the decision, one whose defence period is running, one decided and not yet published, one
  proposed, one dropped (defence accepted);
* 严重失信主体名单 (区发改局): a natural person listed (masked on the public page) and an entry revoked;
* red lists: 守合同重信用企业 (区市场监管局: three published, one proposed) and 诚信示范中小企业 (区科工商信局:
  two published, one expired and closed by ``expire_entries``);
* received lists imported from CSV as the market regulator: 市场监督管理严重违法失信名单 (one row removed by the
  source, one subject new to the registry, created unverified) and 经营异常名录.

Returns how many entries were planted (responsible persons included). The caller commits.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import random
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from sqlalchemy import func, select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.uscc import make_uscc
from xinyong.errors import Conflict
from xinyong.lists import entries, received
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Department, Subject

DEPARTMENTS = ("rsj", "fgj", "scjgj", "kgsxj")
LATEST_ANCHOR = date(2026, 11, 27)
PDF = b"%PDF-1.4\n% xinyong demo listing document\n%%EOF\n"
WAGE_REASONS = (
    "拖欠{n}名农民工工资共计{amount}万元，经责令限期支付逾期仍未支付",
    "克扣农民工工资，涉及劳动者{n}人、金额{amount}万元，经责令限期支付仍未支付",
)
HEADER = ("统一社会信用代码", "名称", "列入日期", "列入原因", "作出决定机关", "决定文书号", "移出日期")
SAMR = "广州市番禺区市场监督管理局"


def _officer(ctx: Context, department: Department) -> Context:
    """A department officer of ``department`` acting at the demo's time."""
    return dataclasses.replace(
        ctx, actor=f"demo:officer:{department.code}", role="department_officer", department_id=department.id
    )


def _subjects(ctx: Context, kind: str, limit: int) -> list[Subject]:
    """Subjects of ``kind`` with a valid code and no list entry yet, in id order."""
    listed = select(ListEntry.id).where(ListEntry.subject_id == Subject.id)
    stmt = select(Subject).where(Subject.kind == kind, ~listed.exists())
    if kind != "natural_person":
        stmt = stmt.where(Subject.uscc.is_not(None), Subject.uscc_problems == "")
    return list(ctx.session.scalars(stmt.order_by(Subject.id).limit(limit)))


def plant_lists(ctx: Context, seed: int) -> int:
    """Plant entries in every state on several list types (see the module docstring); the number planted.
    ``Conflict`` when the departments or enough subjects are missing."""
    require(ctx, "demo.load")
    session = ctx.session
    rng = random.Random(seed)
    found = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(DEPARTMENTS)))}
    firms = _subjects(ctx, "legal_person", 400)
    people = _subjects(ctx, "natural_person", 40)
    if len(found) < len(DEPARTMENTS) or len(firms) < 40 or len(people) < 6:
        raise Conflict("演示名单需要主体库中的企业、自然人和已登记的部门：请先载入演示数据（xinyong demo）")
    before = session.scalar(select(func.count()).select_from(ListEntry)) or 0
    rng.shuffle(firms)
    rng.shuffle(people)
    pool, persons = iter(firms), iter(people)
    anchor = min(ctx.today, LATEST_ANCHOR)

    def day(days_ago: int) -> date:
        return anchor - timedelta(days=days_ago)

    _wage_arrears(_officer(ctx, found["rsj"]), pool, persons, rng, day)
    _serious(_officer(ctx, found["fgj"]), pool, persons, day)
    _red(_officer(ctx, found["scjgj"]), _officer(ctx, found["kgsxj"]), pool, day)
    entries.expire_entries(ctx, anchor)
    _received(_officer(ctx, found["scjgj"]), pool, rng, day, seed)
    after = session.scalar(select(func.count()).select_from(ListEntry)) or 0
    return after - before


def _listed(
    ctx: Context,
    list_code: str,
    subject: Subject,
    reasons: str,
    *,
    served: date | None,
    decided: date | None = None,
    published: date | None = None,
    n: int,
    persons: tuple[Subject, ...] = (),
    defence: str | None = None,
    prefix: str = "番人社",
) -> ListEntry:
    """Walk one entry as far as the dates given: notice served, (defence), decided, published."""
    year = (served or decided or published or ctx.today).year
    entry = entries.propose(
        ctx, list_code, subject.id, reasons, "", f"{prefix}限付〔{year}〕{n}号", [p.id for p in persons]
    )
    if served is not None:
        entry = entries.serve_notice(ctx, entry.id, f"{prefix}告〔{year}〕{n}号", served, entry.lock_version)
        entries.attach(ctx, entry.id, f"列入前告知书及送达回证{n}.pdf", PDF)
        if defence is not None:
            entry = entries.record_defence(ctx, entry.id, defence, served + timedelta(days=1), entry.lock_version)
    if decided is not None:
        outcome = "rejected" if defence is not None else None
        entry = entries.decide(ctx, entry.id, f"{prefix}决〔{year}〕{n}号", decided, outcome, entry.lock_version)
    if published is not None:
        entry = entries.publish(ctx, entry.id, published, entry.lock_version)
    return entry


def _wage_arrears(
    ctx: Context, pool: Iterator[Subject], persons: Iterator[Subject], rng: random.Random, day: Callable[[int], date]
) -> None:
    def reasons() -> str:
        return rng.choice(WAGE_REASONS).format(n=rng.randint(10, 60), amount=rng.randint(8, 90))

    code = "wage_arrears"
    # listed, with its legal representative as a responsible person
    _listed(
        ctx,
        code,
        next(pool),
        reasons(),
        served=day(420),
        decided=day(400),
        published=day(398),
        n=1,
        persons=(next(persons),),
    )
    # listed, paid in full, removed early six months after the correction with a commitment
    early = _listed(
        ctx,
        code,
        next(pool),
        reasons(),
        served=day(330),
        decided=day(310),
        published=day(308),
        n=2,
        persons=(next(persons),),
    )
    entries.attach(ctx, early.id, "工资清偿凭证.pdf", PDF)
    entries.remove(
        ctx,
        early.id,
        "early_removal",
        day(40),
        "已全额清偿拖欠工资，自改正之日起满6个月未再发生拖欠，作出信用承诺，准予提前移出",
        corrected_on=day(250),
        commitment_text="本单位承诺依法按时足额支付劳动者工资，如有违反，自愿接受相应惩戒。",
        expected_version=early.lock_version,
    )
    # defence recorded, the period over: awaiting the decision
    _listed(ctx, code, next(pool), reasons(), served=day(30), n=3, defence="已与大部分工人达成还款协议，请求暂缓列入")
    # notice served three days ago: the defence period is running
    _listed(ctx, code, next(pool), reasons(), served=day(3), n=4, persons=(next(persons),))
    # decided, not yet published
    _listed(ctx, code, next(pool), reasons(), served=day(70), decided=day(45), n=5)
    # proposed only
    _listed(ctx, code, next(pool), reasons(), served=None, n=6)
    # defence accepted: not listed
    dropped = _listed(
        ctx, code, next(pool), reasons(), served=day(90), n=7, defence="欠薪系总包单位拨付不到位，已提供证据"
    )
    entries.drop(ctx, dropped.id, "申辩意见成立：欠薪责任在总承包单位，不予列入", dropped.lock_version)


def _serious(ctx: Context, pool: Iterator[Subject], persons: Iterator[Subject], day: Callable[[int], date]) -> None:
    code = "serious_dishonesty"
    reasons = "有履行能力但拒不履行生效法律文书确定的义务，经催告仍不履行"
    _listed(
        ctx, code, next(persons), reasons, served=day(200), decided=day(180), published=day(178), n=11, prefix="番发改"
    )
    revoked = _listed(
        ctx,
        code,
        next(pool),
        "以欺骗手段骗取财政补贴资金",
        served=day(260),
        decided=day(240),
        published=day(238),
        n=12,
        prefix="番发改",
    )
    entries.remove(
        ctx, revoked.id, "revocation", day(100), "列入决定经行政复议撤销", expected_version=revoked.lock_version
    )


def _red(ctx: Context, sme_ctx: Context, pool: Iterator[Subject], day: Callable[[int], date]) -> None:
    for n in range(3):
        entry = entries.propose(ctx, "contract_honouring", next(pool).id, "经“守合同重信用”企业公示活动评定", "")
        entry = entries.decide(ctx, entry.id, f"番市监〔2026〕{30 + n}号", day(150), None, entry.lock_version)
        entries.publish(ctx, entry.id, day(148), entry.lock_version)
    entries.propose(ctx, "contract_honouring", next(pool).id, "拟推荐为“守合同重信用”企业（公示中）", "")
    for n, decided in enumerate((day(120), day(100), day(420))):
        entry = entries.propose(sme_ctx, "integrity_model_sme", next(pool).id, "评选为诚信示范中小企业", "")
        entry = entries.decide(
            sme_ctx, entry.id, f"番科工商信〔{decided.year}〕{n + 1}号", decided, None, entry.lock_version
        )
        entries.publish(sme_ctx, entry.id, decided, entry.lock_version)


def _csv(rows: list[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _received(ctx: Context, pool: Iterator[Subject], rng: random.Random, day: Callable[[int], date], seed: int) -> None:
    rows: list[tuple[str, ...]] = []
    for n in range(4):
        firm = next(pool)
        listed = day(500 - 90 * n)
        removed = day(30).isoformat() if n == 0 else ""
        reasons = "被列入经营异常名录届满3年仍未履行相关义务"
        rows.append(
            (
                firm.uscc or "",
                firm.name,
                listed.isoformat(),
                reasons,
                SAMR,
                f"穗番市监严〔{listed.year}〕{n + 1}号",
                removed,
            )
        )
    new_code = make_uscc("9", "1", "440113", f"DL{seed % 10**6:06d}")
    listed = day(200)
    rows.append(
        (
            new_code,
            "广州演示名单新建贸易有限公司",
            listed.isoformat(),
            "提交虚假材料取得市场主体登记",
            SAMR,
            f"穗番市监严〔{listed.year}〕9号",
            "",
        )
    )
    received.import_received(ctx, "samr_serious_illegal", "严重违法失信名单.csv", _csv(rows), "演示：2026年推送")
    rows = []
    for n in range(8):
        firm = next(pool)
        listed = day(rng.randint(60, 600))
        removed = day(rng.randint(5, 50)).isoformat() if n < 2 else ""
        reasons = "未按规定报送年度报告"
        rows.append(
            (
                firm.uscc or "",
                firm.name,
                listed.isoformat(),
                reasons,
                SAMR,
                f"穗番市监异〔{listed.year}〕{n + 1}号",
                removed,
            )
        )
    received.import_received(ctx, "abnormal_operation", "经营异常名录.csv", _csv(rows), "演示：2026年推送")
