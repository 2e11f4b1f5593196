"""The signed document of a report: ``{"format", "header", "facts"}``, and the checks that a stored report is
intact (its signature, its facts digest and its columns agree with the signed header).

The header names the report (number, kind, issuer), the subject, when it was issued, the day its facts are of,
the period and domains, the purpose, the data and rules versions, the facts digest and the signing key. The
signature covers the canonical JSON of the whole document (``reports.canonical``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.records.cases import in_china
from xinyong.reports import canonical
from xinyong.reports.facts import ReportParams
from xinyong.reports.models import REPORT_KINDS, CreditReport
from xinyong.reports.rules import report_rules
from xinyong.reports.signing import verify_signature
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Subject

FORMAT = 1
ISSUER = "番禺区公共信用信息平台"


def domain_labels(domains: tuple[str, ...] | list[str]) -> list[str]:
    """Labels of domain ids in the rulebook (an id no longer in the rulebook is shown as it is)."""
    special = report_rules().special
    return [(d.label if (d := special.domain(i)) else i) for i in domains]


def build_header(
    *,
    number: str,
    params: ReportParams,
    subject: Subject,
    issued_at: datetime,
    purpose: str,
    issued_by_office: bool,
    data_version: str,
    rules_version: str,
    facts_digest: str,
    key_id: str,
) -> dict[str, Any]:
    """The header of a new report."""
    rules = report_rules()
    title = rules.public.name if params.kind == "public" else rules.special.name
    return {
        "number": number,
        "kind": params.kind,
        "kind_label": REPORT_KINDS[params.kind],
        "title": title,
        "issuer": ISSUER,
        "subject_id": subject.id,
        "subject_name": subject.name,
        "subject_kind": subject.kind,
        "subject_kind_label": SUBJECT_KIND_LABELS.get(subject.kind, subject.kind),
        "subject_uscc": subject.uscc if subject.kind != "natural_person" else None,
        "issued_at": in_china(issued_at).isoformat(timespec="seconds"),
        "as_of": params.as_of.isoformat(),
        "period_start": params.period_start.isoformat() if params.period_start else None,
        "period_end": params.period_end.isoformat() if params.period_end else None,
        "domains": list(params.domains),
        "domain_labels": domain_labels(params.domains),
        "purpose": purpose,
        "issued_by_office": issued_by_office,
        "data_version": data_version,
        "rules_version": rules_version,
        "facts_digest": facts_digest,
        "key_id": key_id,
    }


def document(header: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    """The signed document."""
    return {"format": FORMAT, "header": header, "facts": facts}


def params_of(report: CreditReport) -> ReportParams:
    """The parameters a stored report was built with (from its columns)."""
    return ReportParams(
        kind=report.kind,
        as_of=report.as_of,
        period_start=report.period_start,
        period_end=report.period_end,
        domains=tuple(report.domains or ()),
    )


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def intact(session: Session, report: CreditReport) -> bool:
    """Whether the stored report is the document that was signed: the signature verifies over the canonical
    content with the registered key, the facts digest matches the facts, and the row's columns match the header."""
    content = report.content
    if not isinstance(content, dict) or not isinstance(content.get("header"), dict):
        return False
    header = content["header"]
    try:
        payload = canonical.canonical(content)
        facts_digest = canonical.digest(content.get("facts"))
    except TypeError:
        return False
    expected = {
        "number": report.number,
        "kind": report.kind,
        "subject_id": report.subject_id,
        "as_of": report.as_of.isoformat(),
        "period_start": _day(report.period_start),
        "period_end": _day(report.period_end),
        "domains": list(report.domains or ()),
        "data_version": report.data_version,
        "rules_version": report.rules_version,
        "facts_digest": report.facts_digest,
        "key_id": report.key_id,
    }
    if any(header.get(k) != v for k, v in expected.items()) or facts_digest != report.facts_digest:
        return False
    return verify_signature(session, report.key_id, payload, report.signature)
