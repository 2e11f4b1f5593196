"""Read side of the registry: search, look-up, code quality. Set-based SQL only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from xinyong.codes.divisions import township_by_code
from xinyong.codes.normalize import normalize_code
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.settings import get_settings
from xinyong.subjects.models import Subject, SubjectNameGram
from xinyong.subjects.names import normalize_name, query_grams
from xinyong.subjects.rules import registry_rules
from xinyong.subjects.schemas import CodeQuality, SearchPage, SubjectOut

RARE_GRAM = 200  # a posting list this short drives the search without looking at the query's other grams
CODE_QUERY = re.compile(r"^[0-9A-Z]{6,18}$")
MAX_QUERY = 50


@dataclass(frozen=True)
class Audience:
    """What the reader may see: the public never sees natural persons or unmasked personal data."""

    include_natural_persons: bool = False
    unmask_personal: bool = False


PUBLIC = Audience()


def to_out(subject: Subject, audience: Audience = PUBLIC) -> SubjectOut:
    """A subject as the audience may see it."""
    township = township_by_code(subject.township_code) if subject.township_code else None
    legal_rep = subject.legal_representative
    if subject.kind == "individual_business" and legal_rep and not audience.unmask_personal:
        # The operator of an individual business is a natural person: mask for the public (design.md §6).
        from xinyong.auth.pii import mask_name

        legal_rep = mask_name(legal_rep)
    return SubjectOut(
        id=subject.id,
        kind=subject.kind,
        kind_label=SubjectOut.kind_label_of(subject.kind),
        name=subject.name,
        uscc=subject.uscc,
        uscc_problems=[p for p in (subject.uscc_problems or "").split(",") if p],
        reg_no=subject.reg_no,
        ric_masked=subject.ric_masked if audience.include_natural_persons else None,
        legal_representative=legal_rep,
        township_code=subject.township_code,
        township_name=township.name if township else None,
        registered_on=subject.registered_on,
        status=subject.status,
    )


def _gram_filter(column: InstrumentedAttribute[str], gram: str) -> ColumnElement[bool]:
    """Condition on a gram column: equality for a bigram, a prefix range for a single character."""
    if len(gram) == 1:
        return and_(column >= gram, column < chr(ord(gram) + 1))
    return column == gram


# Which grams reached the candidate cap, per database and cap. Commonness only steers the choice of the
# driving gram, never which subjects match, so a stale entry can cost speed but not correctness.
_COMMON_GRAMS: dict[tuple[str, int, str], None] = {}
COMMON_GRAMS_MAX = 10_000


def _remember_common(key: tuple[str, int, str]) -> None:
    if len(_COMMON_GRAMS) >= COMMON_GRAMS_MAX:
        _COMMON_GRAMS.clear()
    _COMMON_GRAMS[key] = None


def _bounded_count(session: Session, gram: str, cap: int) -> int:
    inner = (
        select(literal(1))
        .select_from(SubjectNameGram)
        .where(_gram_filter(SubjectNameGram.gram, gram))
        .limit(cap)
        .subquery()
    )
    return session.scalar(select(func.count()).select_from(inner)) or 0


def search_subjects(
    session: Session, query: str, *, offset: int = 0, limit: int | None = None, audience: Audience = PUBLIC
) -> SearchPage:
    """Find subjects by name fragment (any Chinese substring) or by code prefix.

    Name search drives from the rarest bigram of the query (counts are bounded by
    ``search_candidate_cap`` so a common fragment costs no more than a rare one; the first gram rarer than
    ``RARE_GRAM`` is taken at once) and checks the whole fragment against ``name_key``; results are in
    registration order. For a fragment whose every bigram is more common than the cap, the total is reported
    as a lower bound.
    """
    settings = get_settings()
    limit = limit or settings.search_page_size
    if len(query) > MAX_QUERY:
        raise InvalidInput(f"查询词过长（最多 {MAX_QUERY} 字）", field="q")
    if offset < 0 or not 0 < limit <= 100:
        raise InvalidInput("分页参数无效", field="offset")
    text = normalize_name(query)
    if not text:
        raise InvalidInput("请输入名称或统一社会信用代码", field="q")
    kind_ok = True if audience.include_natural_persons else Subject.kind != "natural_person"
    code = normalize_code(query)
    if CODE_QUERY.match(code) and any(ch.isdigit() for ch in code):
        # Natural persons hold no USCC, so the code range alone keeps them out (and stays index-only).
        stmt = select(Subject).where(Subject.uscc >= code, Subject.uscc < code + "~")
        return _page(session, stmt, query, "code", offset, limit, settings.search_candidate_cap, audience)

    cap = settings.search_candidate_cap
    grams = query_grams(text)
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    # Grams already seen to reach the cap (番禺, 有限, 公司 ...) are counted again only when nothing else is left.
    fresh = [g for g in grams if (url, cap, g) not in _COMMON_GRAMS] or grams
    counts: dict[str, int] = {}
    for gram in fresh:
        counts[gram] = _bounded_count(session, gram, cap)
        if counts[gram] >= cap:
            _remember_common((url, cap, gram))
        if counts[gram] == 0:  # every gram of a match is in the index: nothing can match
            return SearchPage(
                query=query, mode="name", total=0, total_is_lower_bound=False, offset=offset, limit=limit, items=[]
            )
        if counts[gram] <= RARE_GRAM:
            break  # rare enough to drive the search; counting the others would cost more than it saves
    driver = min(counts, key=lambda g: counts[g])
    bound = None if counts[driver] < cap else cap
    if len(driver) == 1 and bound:
        # A very common single character: scanning names in id order meets a page of matches at once.
        stmt = select(Subject).where(Subject.name_key.contains(text, autoescape=True), kind_ok)
        return _page(session, stmt, query, "name", offset, limit, bound, audience)
    if bound is None:
        # A short posting list: fetch its ids first, then the subjects by primary key. Both databases then
        # follow the same cheap plan instead of weighing a walk of the whole registry in id order.
        ids = session.scalars(
            select(SubjectNameGram.subject_id).where(_gram_filter(SubjectNameGram.gram, driver)).distinct()
        ).all()
        stmt = select(Subject).where(Subject.id.in_(ids), kind_ok)
    else:
        drive = aliased(SubjectNameGram)
        stmt = select(Subject).join(drive, drive.subject_id == Subject.id)
        stmt = stmt.where(_gram_filter(drive.gram, driver), kind_ok)
    if len(text) > 2:
        # The driving gram is necessary, not sufficient, beyond two characters: check the whole fragment.
        stmt = stmt.where(Subject.name_key.contains(text, autoescape=True))
    return _page(session, stmt, query, "name", offset, limit, bound, audience)


def _page(
    session: Session,
    stmt: Select[tuple[Subject]],
    query: str,
    mode: str,
    offset: int,
    limit: int,
    bound: int | None,
    audience: Audience,
) -> SearchPage:
    ids = stmt.with_only_columns(Subject.id)  # count over ids: no need to read whole rows
    if bound is None:
        total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
        lower = False
    else:
        total = session.scalar(select(func.count()).select_from(ids.limit(bound).subquery())) or 0
        lower = total >= bound
    rows = session.scalars(stmt.order_by(Subject.id).offset(offset).limit(limit)).all()
    return SearchPage(
        query=query,
        mode=mode,
        total=total,
        total_is_lower_bound=lower,
        offset=offset,
        limit=limit,
        items=[to_out(r, audience) for r in rows],
    )


def subject_or_404(session: Session, subject_id: int) -> Subject:
    """The subject with ``subject_id``; ``NotFound`` (field ``subject_id``) when there is none."""
    subject = fetch(session, Subject, subject_id)
    if subject is None:
        raise NotFound("未找到该信用主体", field="subject_id")
    return subject


def subjects_by_uscc(session: Session, uscc: str) -> list[Subject]:
    """All subjects holding ``uscc`` (more than one means a duplicate code)."""
    code = normalize_code(uscc)
    return list(session.scalars(select(Subject).where(Subject.uscc == code).order_by(Subject.id)))


def code_quality(session: Session) -> CodeQuality:
    """Duplicate and erroneous codes in the registry against the work-plan target (set-based)."""
    rule = registry_rules().code_quality
    org = Subject.kind != "natural_person"
    subjects = session.scalar(select(func.count()).where(org)) or 0
    coded = and_(org, Subject.uscc.is_not(None), Subject.uscc != PLACEHOLDER)
    missing = subjects - (session.scalar(select(func.count()).where(coded)) or 0)
    erroneous = session.scalar(select(func.count()).where(coded, Subject.uscc_problems != "")) or 0
    dup = (
        select(Subject.uscc, func.count().label("n"))
        .where(coded)
        .group_by(Subject.uscc)
        .having(func.count() > 1)
        .subquery()
    )
    dup_codes, dup_subjects = session.execute(
        select(func.count(), func.coalesce(func.sum(dup.c.n), 0)).select_from(dup)
    ).one()
    rate = (dup_codes + erroneous) / subjects if subjects else 0.0
    return CodeQuality(
        subjects=subjects,
        duplicate_codes=dup_codes,
        duplicate_subjects=int(dup_subjects),
        erroneous_codes=erroneous,
        missing_codes=missing,
        rate=rate,
        target=rule.target_rate,
        meets_target=rate <= rule.target_rate,
    )
