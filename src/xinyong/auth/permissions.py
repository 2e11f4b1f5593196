"""Roles and the permissions they grant, in one place; every service function calls ``require``.

Scoping beyond the role (own department, own subject, a bank's authorisation) is checked by the helpers
below, which every service uses instead of comparing ids itself.
"""

from __future__ import annotations

from xinyong.auth.context import Context
from xinyong.errors import XinyongError

ROLES: dict[str, str] = {
    "public": "公众",
    "subject": "信用主体（本人/本单位）",
    "department_officer": "部门数据报送员",
    "credit_office_staff": "区信用办工作人员",
    "credit_office_admin": "区信用办管理员",
    "regulator": "监管执法人员",
    "bank": "金融机构",
    "provider": "守信激励服务提供方",
    "auditor": "审计员",
    "system": "系统（命令行与定时任务）",
}

_PUBLIC = {
    "subjects.search_public",
    "catalog.read",
    "records.read_public",
    "commitments.read_public",
    "inspections.read_public",  # 一公开: published plans and their results
    "lists.read_public",  # the public list pages (natural persons masked)
    "reports.verify",  # anyone holding a report checks it by number (the QR code)
    "portal.read",  # published articles, innovation cases and selection results
}
_LOGGED_IN = _PUBLIC | {"account.change_password", "notifications.read"}
# A subject's own side of the record lifecycle (issue #5): object, apply for repair, sign commitments.
_SUBJECT_LIFECYCLE = {"objections.submit", "repairs.apply", "commitments.sign", "lifecycle.read_own"}
# Credit reports and the portal (issue #8): a subject downloads its own reports; the credit office issues them for
# others (audited), writes the portal's articles and runs the honest-enterprise selections; departments nominate.
_OWN_REPORTS = {"reports.issue_own"}
# 信易贷 and honesty incentives (issue #9): the office registers institutions, products and providers, runs the
# personal honesty score and reads the statistics; an SME registers and publishes needs; a person reads its own
# score and issues consent tokens; a bank reads matching needs and records outcomes; a provider asks eligibility.
_LENDING_OFFICE = {"lending.manage", "lending.read", "incentives.manage", "incentives.read"}
_SUBJECT_LENDING = {"lending.register", "incentives.own"}
# Privacy-preserving queries (issue #10): a bank runs PSI and private membership queries and takes part in a
# federated training; department analysts query the data sandbox; the credit office rebuilds the compiled sets,
# reads the exchange logs and sandbox releases, and starts federated runs.
_PRIVACY_OFFICE = {"privacy.manage", "privacy.read", "sandbox.query", "federated.run"}
# Government integrity, judicial credibility and special campaigns (issue #11). The credit office keeps the register of
# public bodies, the contracts, the arrears ledger and the court's enforcement notices, and runs the campaigns and the
# repeated-violator detection. Civil servants' integrity files are kept and checked by the credit office and by the
# officers of the departments that ``rules/integrity.yaml`` ``integrity_departments`` names (区委组织部, 区人社局:
# 录用、调任 checks);
# a department registers its own contracts, rectifies the enforcement cases assigned to it and reports on the
# campaigns it takes part in; a firm complains of arrears owed to it.
_GOVERNMENT_OFFICE = {
    "government.read",
    "bodies.manage",
    "integrity.read",
    "integrity.record",
    "integrity.check",
    "contracts.manage",
    "arrears.manage",
    "arrears.complain",
    "enforcement.import",
    "enforcement.assign",
    "enforcement.rectify",
    "campaigns.read",
    "campaigns.manage",
    "campaigns.report",
    "violators.run",
}
_DEPARTMENT_GOVERNMENT = {
    "integrity.read",
    "integrity.record",
    "integrity.check",
    "contracts.manage",
    "enforcement.rectify",
    "campaigns.report",
}
_PORTAL_OFFICE = {"reports.issue", "reports.read", "portal.publish", "selections.manage", "selections.nominate"}
# Handling cases of the actor's department (a department officer: its own department's records only).
_HANDLER = {
    "objections.read",
    "objections.verify",
    "repairs.read",
    "repairs.decide",
    "commitments.read",
    "commitments.record",
    "commitments.verify",
    "records.revoke",
}
# Staff of any department: the registry, credit records up to 有条件共享 fields (audited), the scorecards.
_STAFF_READ = {
    "subjects.read",
    "records.read",
    "quality.read",
    "departments.read",
    "evaluation.read",
    "workplan.read",
    "monitoring.read",  # city credit monitoring scores, warnings and the negative check (issue #12)
    "dashboard.read",  # the leadership dashboard (大屏, issue #12 item 3)
    "government.read",  # contracts, arrears, enforcement cases and their summaries (issue #11; not integrity files)
    "campaigns.read",  # special campaigns and the repeated-violator list (issue #11)
}
# A department's own data: submitting batches, reading its batches and feedback, its 不予共享 fields.
_DEPARTMENT = {"intake.submit", "intake.read", "records.read_restricted"}
# 双随机、一公开 (issue #6): plans, draws, results, the inspector pool; regulators run them for their department.
# Lists (issue #7): the listing procedure for the actor's department's list types, received-list imports, the
# joint check (一键查询) and its feedback (惩戒反馈), dishonesty case verification of the actor's department.
_LISTS = {
    "lists.read",
    "lists.manage",
    "lists.import",
    "checks.run",
    "checks.feedback",
    "verification.read",
    "verification.handle",
}
_INSPECTION = {
    "inspections.read",
    "inspections.plan",
    "inspections.record_result",
    "inspections.manage_pool",
    "evaluation.run",
}
_OFFICE = (
    _LOGGED_IN
    | _STAFF_READ
    | {
        "subjects.read_pii",
        "subjects.write",
        "subjects.correct_code",
        "calendar.write",
        "authorisations.grant",
        "authorisations.read",
        "tokens.read",
        "quality.reference_upload",
        # the credit office runs the objection desk (accept, self-check) and routes external-list repairs
        "objections.handle",
        "repairs.route_external",
        "objections.submit",
        "repairs.apply",
        "lifecycle.read_own",
        "evaluation.run",  # the monthly credit evaluation (issue #6)
        "checks.read_all",  # feedback rates of every department
        "measures.update",  # progress of the measures ledger (跟踪检查)
        "verification.open",  # registers reported dishonesty cases and assigns them
        "workplan.manage",  # loads the year's work plan (工作要点, issue #12)
        "workplan.report",  # reports progress on behalf of a unit named on the item
        "monitoring.run",  # computes a month's monitoring indicators (issue #12)
        "monitoring.enter",  # manual indicator values with evidence
        "monitoring.city_results",  # the city's published district results (issue #12 item 4)
    }
    | _LENDING_OFFICE
    | _GOVERNMENT_OFFICE
    | _PRIVACY_OFFICE
    | _PORTAL_OFFICE
    | _LISTS
    | _INSPECTION
    | _DEPARTMENT
    | _HANDLER
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "public": frozenset(_PUBLIC),
    "subject": frozenset(
        _LOGGED_IN
        | _SUBJECT_LIFECYCLE
        | _OWN_REPORTS
        | _SUBJECT_LENDING
        | {"subjects.read_own", "authorisations.grant", "authorisations.read"}
        | {"arrears.complain"}  # a firm complains of arrears a public body owes it (issue #11 item 3)
    ),
    "department_officer": frozenset(
        _LOGGED_IN
        | _STAFF_READ
        | _DEPARTMENT
        | _HANDLER
        | _LISTS
        | {"tokens.read", "selections.nominate", "workplan.report"}  # progress on own work-plan items
        | {"monitoring.enter"}  # manual monitoring values of indicators naming the own department
        | {"sandbox.query"}  # aggregate queries over the data sandbox's approved views (issue #10)
        | _DEPARTMENT_GOVERNMENT  # scoped in the services: own department, own unit, integrity departments only
    ),
    # regulators check commitments after approval (国办发〔2020〕42号: 事中事后核查) and read the cases
    "regulator": frozenset(
        _LOGGED_IN
        | _STAFF_READ
        | _INSPECTION
        | {"commitments.read", "commitments.verify", "lists.read", "checks.run", "checks.feedback"}
    ),
    "bank": frozenset(_LOGGED_IN | {"bank.query", "lending.needs", "lending.outcome", "privacy.psi", "federated.run"}),
    "provider": frozenset(_LOGGED_IN | {"incentives.check"}),
    "auditor": frozenset(_LOGGED_IN | {"audit.read", "audit.export", "audit.verify"}),
    "credit_office_staff": frozenset(_OFFICE),
    "credit_office_admin": frozenset(
        _OFFICE | {"accounts.manage", "tokens.manage", "audit.verify", "demo.load", "departments.manage", "jobs.run"}
    ),
}
# The operator at the console (CLI, scheduled jobs) may do everything.
ROLE_PERMISSIONS["system"] = frozenset().union(*ROLE_PERMISSIONS.values())

# Roles an API token may carry (machine clients only; people log in).
TOKEN_ROLES = frozenset({"department_officer", "bank", "provider"})


class PermissionDenied(XinyongError, PermissionError):
    """The acting role lacks the permission, or the object is outside the actor's scope."""

    status = 403
    code = "forbidden"

    def __init__(self, role: str, permission: str, reason: str = "") -> None:
        label = ROLES.get(role, role)
        super().__init__(reason or f"{label}无权执行此操作（{permission}）")
        self.role = role
        self.permission = permission


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` grants ``permission``."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def require(ctx: Context, permission: str) -> None:
    """Raise ``PermissionDenied`` unless the context's role (and token scopes, if any) grant ``permission``."""
    if not allowed(ctx.role, permission):
        raise PermissionDenied(ctx.role, permission)
    if ctx.scopes is not None and permission not in ctx.scopes:
        raise PermissionDenied(ctx.role, permission, f"该令牌未被授权执行此操作（{permission}）")


def require_department(ctx: Context, department_id: int | None, permission: str) -> None:
    """``require`` plus: a department-scoped actor may only touch its own department's data."""
    require(ctx, permission)
    if ctx.role == "department_officer" and (ctx.department_id is None or ctx.department_id != department_id):
        raise PermissionDenied(ctx.role, permission, "只能访问本部门的数据")


def require_own_subject(ctx: Context, subject_id: int, permission: str) -> None:
    """``require`` plus: a subject's own account may only act on that subject."""
    require(ctx, permission)
    if ctx.role == "subject" and ctx.subject_id != subject_id:
        raise PermissionDenied(ctx.role, permission, "只能访问本主体的信息")
