"""Government contracts (政府合同, issue #11 item 2; work-plan item 三 "加强对政府部门参与或主导签署合同的核查、跟踪，
防止政府失信问题发生"): register a contract a public body signs or leads with its schedule of milestones and payments,
record terms done, amend by supplementary agreement (new terms only), complete or terminate, and turn a default into
a government-integrity record (``records.record_default``), declared by the credit office or found by the daily job.

Rules (``rules/contracts.yaml``): the payment terms add up exactly to the contract amount; a term falls due between
the signing day and ``max_days_after_end`` days after the end date; a term still not done ``grace_days`` calendar
days after its due date is a default. The terms are the government party's obligations.

Scope: the credit office registers any body's contracts; a department officer (``contracts.manage``) only those of
bodies its own department answers for (``PublicBody.unit_code`` = its department code), and may not declare a
default. Counterparty: by USCC when given: a registry subject holding it is linked; an unknown code is kept with the
name only (no registry subject is created from a contract: the registry's own intake does that), the code recorded
in the audit event. Nothing is overwritten silently: every change is audited on the contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.auth.tokens import clean_text
from xinyong.codes.uscc import is_valid_uscc
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.government import records
from xinyong.government.bodies import body_or_404
from xinyong.government.contract_rules import contract_rules
from xinyong.government.contract_schemas import AmendIn, ContractIn, TermIn
from xinyong.government.models import GovContract, GovContractTerm, PublicBody
from xinyong.intake.normalise import uscc as normalise_uscc
from xinyong.subjects.models import Department, Subject

MANAGE = "contracts.manage"
READ = "government.read"
TARGET = "gov_contract"
OPEN_STATUSES = ("performing", "defaulted")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Problem:
    """A rule a contract breaks: its field, the term's seq (None for the contract) and the Chinese reason."""

    field: str
    seq: int | None
    reason: str


# --------------------------------------------------------------------------------------------- scope
def own_department_code(ctx: Context) -> str | None:
    """The code of the acting department officer's department; None for the credit office and the console."""
    if ctx.role != "department_officer":
        return None
    dept = fetch(ctx.session, Department, ctx.department_id) if ctx.department_id else None
    if dept is None:
        raise PermissionDenied(ctx.role, MANAGE, "账号未关联部门，不能登记或维护政府合同")
    return dept.code


def check_body_scope(ctx: Context, body: PublicBody) -> None:
    """A department officer acts only on contracts of bodies its own department answers for."""
    own = own_department_code(ctx)
    if own is not None and body.unit_code != own:
        raise PermissionDenied(
            ctx.role, MANAGE, f"只能登记和维护本部门负责的公共机构（{body.name}不由本部门负责）的合同"
        )


def _office_only(ctx: Context, what: str) -> None:
    if ctx.role == "department_officer":
        raise PermissionDenied(ctx.role, MANAGE, f"{what}由区信用办办理")


def contract_or_404(ctx: Context, contract_id: int) -> GovContract:
    """The contract with ``contract_id``, else ``NotFound``."""
    return fetch_or_404(ctx.session, GovContract, contract_id, f"政府合同 {contract_id} 不存在")


def _managed(ctx: Context, contract_id: int) -> tuple[GovContract, PublicBody]:
    require(ctx, MANAGE)
    contract = contract_or_404(ctx, contract_id)
    body = body_or_404(ctx, contract.body_id)
    check_body_scope(ctx, body)
    return contract, body


def terms_of(ctx: Context, contract_id: int) -> list[GovContractTerm]:
    """The schedule of a contract, by seq."""
    query = select(GovContractTerm).where(GovContractTerm.contract_id == contract_id).order_by(GovContractTerm.seq)
    return list(ctx.session.scalars(query))


# --------------------------------------------------------------------------------------------- rules
def yuan(value: Decimal) -> str:
    """An amount as shown: ``1,234.50``."""
    return f"{value:,.2f}"


def schedule_problems(
    amount: Decimal, signed_on: date, ends_on: date | None, terms: Sequence[TermIn], taken: Sequence[int] = ()
) -> list[Problem]:
    """Every rule the contract amount, dates and terms break (empty when none): amounts ≥ 0 with 2 decimals, known
    kinds, seq unique (and not among ``taken``), due dates within the contract's term, payments summing to the amount.
    ``taken``: seqs of terms already on the contract (an amendment)."""
    rules = contract_rules()
    kinds = rules.term_kind_labels()
    problems: list[Problem] = []
    if amount < 0:
        problems.append(Problem("amount", None, "合同金额不能为负数"))
    if amount != amount.quantize(CENT):
        problems.append(Problem("amount", None, "合同金额最多保留2位小数（元）"))
    if ends_on is not None and ends_on < signed_on:
        problems.append(Problem("ends_on", None, f"履行期限届满日 {ends_on} 早于签订日期 {signed_on}"))
    last_due = (ends_on or signed_on) + timedelta(days=rules.schedule.max_days_after_end)
    seen: set[int] = set(taken)
    payments = Decimal(0)
    for term in terms:
        label = f"第 {term.seq} 个节点"
        if term.seq in seen:
            problems.append(Problem("seq", term.seq, f"节点序号 {term.seq} 重复"))
        seen.add(term.seq)
        if term.kind not in kinds:
            shown = "、".join(f"{k}（{v}）" for k, v in kinds.items())
            problems.append(Problem("kind", term.seq, f"{label}的类型“{term.kind[:16]}”无效，应为：{shown}"))
        if term.due_on < signed_on:
            problems.append(Problem("due_on", term.seq, f"{label}的应履行日期 {term.due_on} 早于签订日期 {signed_on}"))
        elif term.due_on > last_due:
            problems.append(
                Problem(
                    "due_on",
                    term.seq,
                    f"{label}的应履行日期 {term.due_on} 晚于履行期限届满后 {rules.schedule.max_days_after_end} 天"
                    f"（{last_due}）",
                )
            )
        if term.amount is not None and term.amount < 0:
            problems.append(Problem("amount", term.seq, f"{label}的金额不能为负数"))
        elif term.amount is not None and term.amount != term.amount.quantize(CENT):
            problems.append(Problem("amount", term.seq, f"{label}的金额最多保留2位小数（元）"))
        if term.kind == "payment":
            if term.amount is None:
                problems.append(Problem("amount", term.seq, f"{label}是付款节点，请填写节点金额"))
            else:
                payments += term.amount
    return problems


def sum_problem(amount: Decimal, payments: Decimal) -> Problem | None:
    """The payments' total against the contract amount: a problem naming the difference, or None."""
    if payments == amount:
        return None
    diff = payments - amount
    way = "多" if diff > 0 else "少"
    return Problem(
        "amount",
        None,
        f"付款节点金额合计 {yuan(payments)} 元与合同金额 {yuan(amount)} 元不一致（{way} {yuan(abs(diff))} 元）",
    )


def payments_total(terms: Sequence[TermIn | GovContractTerm]) -> Decimal:
    """The sum of the payment terms' amounts."""
    return sum((t.amount or Decimal(0) for t in terms if t.kind == "payment"), Decimal(0))


def _raise_first(problems: Sequence[Problem]) -> None:
    if problems:
        first = problems[0]
        more = f"（另有 {len(problems) - 1} 处问题）" if len(problems) > 1 else ""
        raise InvalidInput(first.reason + more, field=first.field if first.seq is None else f"terms.{first.field}")


def counterparty_subject(ctx: Context, raw: str) -> tuple[str, int | None]:
    """The counterparty's checked code ('' when none given) and the registry subject holding it (None if none)."""
    try:
        code = normalise_uscc(raw or "") or ""
    except ValueError as exc:
        raise InvalidInput(str(exc), field="counterparty_uscc") from None
    if not code:
        return "", None
    if len(code) != 18 or not is_valid_uscc(code):
        raise InvalidInput(
            f"相对方统一社会信用代码“{code[:20]}”无效（应为18位且校验位正确）", field="counterparty_uscc"
        )
    subject_id = ctx.session.scalar(select(Subject.id).where(Subject.uscc == code).order_by(Subject.id).limit(1))
    return code, subject_id


# --------------------------------------------------------------------------------------------- actions
def register_contract(ctx: Context, data: ContractIn) -> GovContract:
    """Register a contract with its schedule, after every rule holds (the first broken one is the error)."""
    require(ctx, MANAGE)
    body = body_or_404(ctx, data.body_id)
    check_body_scope(ctx, body)
    if not body.active:
        raise InvalidInput(f"{body.name}已停用，不能登记新合同", field="body_id")
    number = clean_text(data.contract_no, "contract_no", "合同编号", 64)
    title = clean_text(data.title, "title", "合同名称", 200)
    party = clean_text(data.counterparty_name, "counterparty_name", "相对方名称", 200)
    code, subject_id = counterparty_subject(ctx, data.counterparty_uscc)
    problems = schedule_problems(data.amount, data.signed_on, data.ends_on, data.terms)
    if data.signed_on > ctx.today:
        problems.insert(0, Problem("signed_on", None, f"签订日期 {data.signed_on} 晚于今天"))
    mismatch = sum_problem(data.amount, payments_total(data.terms))
    problems += [mismatch] if mismatch else []
    _raise_first(problems)
    if ctx.session.scalar(select(GovContract.id).where(GovContract.contract_no == number)) is not None:
        raise Conflict(f"合同编号“{number}”已登记", field="contract_no")
    contract = GovContract(
        contract_no=number,
        title=title,
        body_id=body.id,
        counterparty_id=subject_id,
        counterparty_name=party,
        counterparty_uscc=code,
        amount=data.amount.quantize(CENT),
        signed_on=data.signed_on,
        ends_on=data.ends_on,
        status="performing",
        department_id=ctx.department_id if ctx.role == "department_officer" else None,
        registered_by=ctx.actor[:128],
        registered_at=ctx.at,
        note=data.note.strip(),
    )
    ctx.session.add(contract)
    ctx.session.flush()
    _add_terms(ctx, contract, data.terms)
    audit.record(
        ctx,
        "government.contract",
        TARGET,
        contract.id,
        {
            "contract_no": number,
            "body": body.id,
            "amount": str(data.amount),
            "counterparty_uscc": code,
            "terms": len(data.terms),
        },
    )
    return contract


def _add_terms(ctx: Context, contract: GovContract, terms: Sequence[TermIn]) -> None:
    for term in terms:
        ctx.session.add(
            GovContractTerm(
                contract_id=contract.id,
                seq=term.seq,
                kind=term.kind,
                description=clean_text(term.description, "description", "节点说明", 200),
                due_on=term.due_on,
                amount=None if term.amount is None else term.amount.quantize(CENT),
            )
        )
    ctx.session.flush()


def _open(contract: GovContract, what: str) -> None:
    if contract.status not in OPEN_STATUSES:
        label = contract_rules().status_labels()[contract.status]
        raise Conflict(f"合同“{contract.contract_no}”{label}，不能{what}")


def record_term_done(
    ctx: Context,
    term_id: int,
    done_on: date,
    paid_amount: Decimal | None = None,
    note: str = "",
    *,
    contract_id: int | None = None,
) -> GovContractTerm:
    """Record a term done on ``done_on``. A payment takes ``paid_amount`` (default: what is still unpaid); less than
    that is a partial payment: added to ``paid_amount``, the term stays open until fully paid. Never overwrites.
    ``contract_id`` (a page's URL names both): the term must belong to that contract."""
    require(ctx, MANAGE)
    term = fetch(ctx.session, GovContractTerm, term_id)
    if term is None or (contract_id is not None and term.contract_id != contract_id):
        raise NotFound(f"合同节点 {term_id} 不存在" + (f"于合同 {contract_id}" if term is not None else ""))
    contract, _ = _managed(ctx, term.contract_id)
    _open(contract, "登记履行")
    if term.done_on is not None:
        raise Conflict(f"第 {term.seq} 个节点已于 {term.done_on} 登记履行完毕")
    if done_on > ctx.today:
        raise InvalidInput(f"履行日期 {done_on} 晚于今天", field="done_on")
    if done_on < contract.signed_on:
        raise InvalidInput(f"履行日期 {done_on} 早于合同签订日期 {contract.signed_on}", field="done_on")
    detail: dict[str, object] = {"term": term.id, "seq": term.seq, "done_on": done_on.isoformat()}
    if term.kind == "payment":
        already = term.paid_amount or Decimal(0)
        rest = (term.amount or Decimal(0)) - already
        paid = rest if paid_amount is None else paid_amount
        if paid <= 0 and rest > 0:
            raise InvalidInput("支付金额应大于 0", field="paid_amount")
        if paid != paid.quantize(CENT):
            raise InvalidInput("支付金额最多保留2位小数（元）", field="paid_amount")
        if paid > rest:
            raise InvalidInput(f"支付金额 {yuan(paid)} 元超过该节点未付金额 {yuan(rest)} 元", field="paid_amount")
        term.paid_amount = (already + paid).quantize(CENT)
        detail |= {"paid": str(paid), "paid_total": str(term.paid_amount)}
        if term.paid_amount == term.amount:
            term.done_on = done_on
    else:
        if paid_amount is not None:
            raise InvalidInput("履约节点不登记支付金额", field="paid_amount")
        term.done_on = done_on
    detail["complete"] = term.done_on is not None
    if note.strip():
        detail["note"] = clean_text(note, "note", "说明", 500)
    term.recorded_by = ctx.actor[:128]
    ctx.session.flush()
    audit.record(ctx, "government.contract_term", TARGET, contract.id, detail)
    return term


def amend_contract(ctx: Context, contract_id: int, data: AmendIn) -> GovContract:
    """A supplementary agreement: new terms appended (seqs not yet used) and, when given, the new contract amount;
    all payment terms, old and new, must then add up to it. Existing terms are never changed."""
    contract, _ = _managed(ctx, contract_id)
    _open(contract, "变更")
    reason = clean_text(data.reason, "reason", "变更原因", 500)
    existing = terms_of(ctx, contract.id)
    amount = contract.amount if data.amount is None else data.amount
    problems = schedule_problems(amount, contract.signed_on, contract.ends_on, data.terms, [t.seq for t in existing])
    mismatch = sum_problem(amount, payments_total(existing) + payments_total(data.terms))
    problems += [mismatch] if mismatch else []
    _raise_first(problems)
    before = contract.amount
    contract.amount = amount.quantize(CENT)
    _add_terms(ctx, contract, data.terms)
    audit.record(
        ctx,
        "government.contract_amend",
        TARGET,
        contract.id,
        {"reason": reason, "amount_from": str(before), "amount_to": str(amount), "seqs": [t.seq for t in data.terms]},
    )
    return contract


def _record(ctx: Context, contract: GovContract, body: PublicBody, summary: str, on: date, amount: Decimal) -> None:
    records.record_default(ctx, body.id, "contract_default", contract.id, summary, on, amount)


def unpaid(terms: Sequence[GovContractTerm]) -> Decimal:
    """What the payment terms still owe."""
    return sum(
        ((t.amount or Decimal(0)) - (t.paid_amount or Decimal(0)) for t in terms if t.kind == "payment"), Decimal(0)
    )


def declare_default(ctx: Context, contract_id: int, reason: str, on: date | None = None) -> GovContract:
    """The credit office declares a contract in default (e.g. on a court judgment): status ``defaulted`` and a
    government-integrity record of the body."""
    contract, body = _managed(ctx, contract_id)
    _office_only(ctx, "认定政府合同违约")
    if contract.status != "performing":
        label = contract_rules().status_labels()[contract.status]
        raise Conflict(f"合同“{contract.contract_no}”{label}，不能认定违约")
    text = clean_text(reason, "reason", "违约认定理由", 500)
    day = on or ctx.today
    if day > ctx.today or day < contract.signed_on:
        raise InvalidInput(f"违约日期 {day} 应在签订日期 {contract.signed_on} 与今天之间", field="on")
    contract.status = "defaulted"
    ctx.session.flush()
    audit.record(ctx, "government.contract_default", TARGET, contract.id, {"by": "declared", "reason": text})
    owed = unpaid(terms_of(ctx, contract.id))
    _record(
        ctx, contract, body, f"{body.name}未履行合同“{contract.title}”（{contract.contract_no}）：{text}", day, owed
    )
    return contract


def complete_contract(ctx: Context, contract_id: int, on: date | None = None) -> GovContract:
    """A contract whose every term is done is completed (a defaulted one too: its record stays)."""
    contract, _ = _managed(ctx, contract_id)
    _open(contract, "办结")
    pending = [t.seq for t in terms_of(ctx, contract.id) if t.done_on is None]
    if pending:
        raise Conflict(f"第 {'、'.join(map(str, pending))} 个节点尚未履行完毕，不能办结")
    day = on or ctx.today
    if day > ctx.today or day < contract.signed_on:
        raise InvalidInput(f"办结日期 {day} 应在签订日期 {contract.signed_on} 与今天之间", field="on")
    before = contract.status
    contract.status, contract.closed_on = "completed", day
    ctx.session.flush()
    audit.record(ctx, "government.contract_close", TARGET, contract.id, {"from": before, "to": "completed"})
    return contract


def terminate_contract(ctx: Context, contract_id: int, reason: str, on: date | None = None) -> GovContract:
    """A contract ended early (解除或终止), with its reason; terms still open are no longer tracked."""
    contract, _ = _managed(ctx, contract_id)
    _open(contract, "终止")
    text = clean_text(reason, "reason", "终止原因", 500)
    day = on or ctx.today
    if day > ctx.today or day < contract.signed_on:
        raise InvalidInput(f"终止日期 {day} 应在签订日期 {contract.signed_on} 与今天之间", field="on")
    before = contract.status
    contract.status, contract.closed_on = "terminated", day
    ctx.session.flush()
    audit.record(
        ctx, "government.contract_close", TARGET, contract.id, {"from": before, "to": "terminated", "reason": text}
    )
    return contract


# --------------------------------------------------------------------------------------------- the daily job
def default_day(due_on: date) -> date:
    """The first day a term still not done counts as a default: due date + grace + 1."""
    return due_on + timedelta(days=contract_rules().defaults.grace_days + 1)


def past_grace(term: GovContractTerm, as_of: date) -> bool:
    """Not done (or done late) by the end of the grace, as of ``as_of``."""
    first = default_day(term.due_on)
    return first <= as_of and (term.done_on is None or term.done_on >= first)


def daily_step(ctx: Context, as_of: date) -> int:
    """Mark performing contracts with a term past the grace as ``defaulted`` and record the default against the
    body (one record per contract). Returns how many contracts it defaulted (0 on a re-run)."""
    grace_end = as_of - timedelta(days=contract_rules().defaults.grace_days + 1)
    candidates = select(GovContract).where(
        GovContract.status == "performing",
        GovContract.signed_on <= as_of,
        GovContract.id.in_(select(GovContractTerm.contract_id).where(GovContractTerm.due_on <= grace_end)),
    )
    changed = 0
    for contract in list(ctx.session.scalars(candidates.order_by(GovContract.id))):
        terms = terms_of(ctx, contract.id)
        late = [t for t in terms if past_grace(t, as_of)]
        if not late:
            continue
        body = body_or_404(ctx, contract.body_id)
        first = min(late, key=lambda t: t.due_on)
        contract.status = "defaulted"
        ctx.session.flush()
        seqs = [t.seq for t in late]
        audit.record(
            ctx,
            "government.contract_default",
            TARGET,
            contract.id,
            {"by": "daily", "as_of": as_of.isoformat(), "seqs": seqs},
        )
        owed = sum(
            ((t.amount or Decimal(0)) - (t.paid_amount or Decimal(0)) for t in late if t.kind == "payment"), Decimal(0)
        )
        summary = (
            f"{body.name}未按合同“{contract.title}”（{contract.contract_no}）约定履行第 {'、'.join(map(str, seqs))} "
            f"个节点（最早应于 {first.due_on} 履行），逾期超过 {contract_rules().defaults.grace_days} 天"
        )
        _record(ctx, contract, body, summary, default_day(first.due_on), owed)
        changed += 1
    return changed
