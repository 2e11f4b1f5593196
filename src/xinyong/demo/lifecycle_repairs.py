"""Demo credit-repair applications (信用修复) in every state, planted on the demo district's penalty records through
the repair services, so the queues, the applicant's pages and the public effect of a grant can be tried at once.

``plant_repairs`` picks, in id order (deterministic for a given demo load), penalty records of registered subjects
that are eligible on ``ctx.today`` and walks one application to each state: 待受理, 审核中, 审核中 (extended),
准予修复 (the record leaves the public pages from today), 不予修复, 不予受理; plus two external-list applications
(已转办, 外部办理中). Records already holding an application are skipped, so a second run adds new ones only if
eligible records remain. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.records import repairs
from xinyong.records.models import CreditRecord, RepairApplication
from xinyong.records.publication import current_version
from xinyong.records.status import status_expr

PDF = b"%PDF-1.4\n% xinyong demo material\n%%EOF\n"
SIGNER = "法定代表人"
STATES: tuple[str, ...] = ("submitted", "accepted", "extended", "granted", "rejected", "refused")
EXTERNAL: tuple[tuple[str, str, str | None], ...] = (
    ("court_dishonest_debtor", "(2025)粤0113执{n}号", None),
    ("business_abnormal", "穗番市监异〔2025〕{n}号", "in_progress"),
)
SCAN = 200  # records looked at for eligibility per planted application


@dataclass
class PlantedRepairs:
    """What ``plant_repairs`` created: application ids by state."""

    by_state: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.by_state.values())


def _candidates(ctx: Context, wanted: int) -> list[CreditRecord]:
    """Published penalty records of registered subjects with no application yet, eligible today, in id order."""
    today = ctx.today
    taken = select(RepairApplication.id).where(
        RepairApplication.item_id == CreditRecord.item_id,
        RepairApplication.department_id == CreditRecord.department_id,
        RepairApplication.doc_no == CreditRecord.doc_no,
    )
    rows = ctx.session.scalars(
        select(CreditRecord)
        .where(
            CreditRecord.item_id == "penalty",
            CreditRecord.subject_id.is_not(None),
            current_version(),
            status_expr(today) == "published",
            ~taken.exists(),
        )
        .order_by(CreditRecord.id)
        .limit(wanted * SCAN)
    ).all()
    picked: list[CreditRecord] = []
    for record in rows:
        if repairs.check_eligibility(ctx, record.id, today).eligible:
            picked.append(record)
            if len(picked) == wanted:
                break
    return picked


def plant_repairs(ctx: Context, *, per_state: int = 1) -> PlantedRepairs:
    """Plant ``per_state`` applications in each state (see the module docstring); returns their ids."""
    planted = PlantedRepairs()
    records = iter(_candidates(ctx, per_state * len(STATES)))
    for _ in range(per_state):
        for state in STATES:
            record = next(records, None)
            if record is None:
                break
            app = repairs.apply_for_repair(
                ctx,
                record.id,
                "已缴清罚款，违法行为已整改完毕，经执法部门复查合格。",
                repairs.check_eligibility(ctx, record.id).commitment_text,
                SIGNER,
                [("罚款缴纳凭证.pdf", PDF)],
            )
            _walk(ctx, app, state)
            planted.by_state.setdefault(state, []).append(app.id)
    subjects = ctx.session.scalars(
        select(CreditRecord.subject_id)
        .where(CreditRecord.item_id == "penalty", CreditRecord.subject_id.is_not(None))
        .order_by(CreditRecord.id)
        .limit(1)
    ).all()
    for subject_id in subjects:
        for n, (listed, ref, result) in enumerate(EXTERNAL, start=1):
            reference = ref.format(n=8000 + n)
            if ctx.session.scalar(
                select(RepairApplication.id).where(
                    RepairApplication.external_list == listed, RepairApplication.external_ref == reference
                )
            ):
                continue
            app = repairs.apply_external(
                ctx, subject_id, listed, reference, "已履行全部义务。", [("履行完毕证明.pdf", PDF)]
            )
            if result:
                app = repairs.record_external_result(ctx, app.id, result, "认定机关已受理审查", app.lock_version)
            planted.by_state.setdefault(f"external_{result or 'routed'}", []).append(app.id)
    return planted


def _walk(ctx: Context, app: RepairApplication, state: str) -> None:
    if state == "submitted":
        return
    if state == "refused":
        repairs.refuse(ctx, app.id, "缺少罚款缴纳凭证原件扫描件，请补正后重新申请", app.lock_version)
        return
    repairs.accept(ctx, app.id, app.lock_version, "材料齐全，予以受理")
    if state == "extended":
        repairs.extend(ctx, app.id, "需向执法大队核实整改情况", app.lock_version)
    elif state == "granted":
        repairs.grant(ctx, app.id, "已履行行政处罚决定并完成整改，作出信用承诺，准予修复", app.lock_version)
    elif state == "rejected":
        repairs.reject(ctx, app.id, "经核查整改尚未完成，不予修复", app.lock_version)
