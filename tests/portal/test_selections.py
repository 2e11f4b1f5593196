"""Honest-enterprise selections on the service (issue #8, work-plan item 十七): the office opens a round for a red
list, departments nominate until the closing day (ineligible subjects refused with every reason, duplicates 409,
late nominations 409), the office reviews and publishes, and publication puts every approved nominee on the red
list through ``lists.entries`` — all or nothing — visible in ``lists.active`` and the public list; SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select
from tests.portal.conftest import Desk, on

from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.lists import entries
from xinyong.lists.active import entries_in_force
from xinyong.lists.entry_queries import public_entries
from xinyong.lists.models import ListEntry
from xinyong.portal import selection_queries, selections
from xinyong.portal.models import Nomination, Selection
from xinyong.records.cases import StaleCase

CLOSES = date(2026, 12, 10)
AFTER = date(2026, 12, 11)
REASON = "合同管理制度健全，近三年合同履约率100%，无合同违法失信记录。"


def open_round(desk: Desk, list_code: str = "contract_honouring") -> Selection:
    return selections.open_selection(
        desk.office, list_code, 2026, "2026年度番禺区“守合同重信用”企业评选", CLOSES, "请各部门于12月10日前推荐。"
    )


def test_a_round_goes_from_nomination_to_the_red_list(desk: Desk) -> None:
    round_ = open_round(desk)
    a, b, c = desk.firms[:3]
    first = selections.nominate(desk.officer, round_.id, a.id, REASON)
    second = selections.nominate(desk.officer, round_.id, b.id, REASON)
    third = selections.nominate(desk.office, round_.id, c.id, REASON)
    assert (first.department_id, third.department_id) == (desk.market.id, None)

    late = on(desk.officer, AFTER)
    with pytest.raises(Conflict, match="已于 2026-12-10 截止") as closed:
        selections.nominate(late, round_.id, desk.firms[3].id, REASON)
    assert closed.value.code == "selection_closed"
    with pytest.raises(Conflict, match="截止后方可评审"):
        selections.review(desk.office, first.id, "approve", "", first.lock_version)

    office = on(desk.office, AFTER)
    with pytest.raises(Conflict, match="尚有 3 个推荐未评审"):
        selections.publish_selection(office, round_.id, "番发改〔2026〕88号", round_.lock_version)
    selections.review(office, first.id, "approve", "材料齐全，符合条件", first.lock_version)
    selections.review(office, second.id, "approve", "", second.lock_version)
    with pytest.raises(InvalidInput, match="请填写评审意见"):
        selections.review(office, third.id, "reject", "", third.lock_version)
    selections.review(office, third.id, "reject", "推荐材料未附合同履约证明", third.lock_version)
    assert round_.status == "reviewing" and second.review_note == "评审通过"

    public = on(desk.public, AFTER)
    before = selection_queries.public_selection(public, round_.id)
    assert before.winners_list == [] and before.status_label == "评审中" and before.nominations == 3

    selections.publish_selection(office, round_.id, "番发改〔2026〕88号", round_.lock_version)
    assert (round_.status, round_.published_on, round_.decision_doc_no) == ("published", AFTER, "番发改〔2026〕88号")
    assert [n.status for n in (first, second, third)] == ["published", "published", "rejected"]
    assert first.list_entry_id is not None and third.list_entry_id is None
    in_force = entries_in_force(desk.office.session, [a.id, b.id, c.id], AFTER)
    assert {(e.subject_id, e.list_code) for e in in_force} == {
        (a.id, "contract_honouring"),
        (b.id, "contract_honouring"),
    }
    entry = desk.office.session.get(ListEntry, first.list_entry_id)
    assert entry is not None and entry.decision_doc_no == "番发改〔2026〕88号"
    assert entry.expires_on == date(2028, 12, 11) and entry.department_id == desk.market.id  # 24 months
    listed = public_entries(public, "contract_honouring")
    assert {i.subject_name for i in listed.items} == {a.name, b.name}
    assert all("2026年度番禺区“守合同重信用”企业评选" in i.reasons for i in listed.items)

    shown = selection_queries.public_selection(public, round_.id)
    assert [w.subject_name for w in shown.winners_list] == [a.name, b.name]
    assert (
        shown.status_label == "已公布" and shown.winners == 2 and shown.list_url == "/lists/public/contract_honouring"
    )
    with pytest.raises(Conflict, match="已公布结果"):
        selections.review(office, third.id, "approve", "", third.lock_version)
    with pytest.raises(Conflict, match="已公布结果"):
        selections.nominate(office, round_.id, desk.firms[3].id, REASON)
    actions = desk.office.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("selections.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["selections.open"] + ["selections.nominate"] * 3 + ["selections.review"] * 3 + [
        "selections.publish"
    ]
    assert desk.office.session.scalar(select(AuditEvent).where(AuditEvent.action == "lists.publish")) is not None


def test_ineligible_subjects_are_refused_with_every_reason(desk: Desk) -> None:
    db = desk.office.session
    round_ = open_round(desk)
    listed, punished, clean = desk.firms[:3]
    published_entry(db, listed, "wage_arrears", published_on=date(2026, 3, 2))
    make_record(
        db, make_batch(db, desk.market), doc_no="番市监罚〔2026〕812号", decided_on=date(2026, 9, 1), subject=punished
    )
    for subject, words in (
        (listed, "在“拖欠农民工工资失信联合惩戒对象名单”上"),
        (punished, "有 1 条行政处罚在公示期内：番市监罚〔2026〕812号（2026-09-01）"),
        (desk.person, "只评选法人、非法人组织，该主体是自然人"),
        (desk.shop, "该主体是个体工商户"),
    ):
        with pytest.raises(InvalidInput, match="不符合“守合同重信用企业”评选条件") as refused:
            selections.nominate(desk.officer, round_.id, subject.id, REASON)
        assert words in refused.value.message and refused.value.field == "subject_id"
    assert db.scalar(select(Nomination.id)) is None

    selections.nominate(desk.officer, round_.id, clean.id, REASON)
    with pytest.raises(Conflict, match="已在本次评选中被推荐") as twice:
        selections.nominate(desk.other_officer, round_.id, clean.id, "另一个部门也推荐该企业，理由充分。")
    assert twice.value.code == "duplicate_nomination" and twice.value.status == 409
    with pytest.raises(InvalidInput, match="推荐理由过短"):
        selections.nominate(desk.officer, round_.id, desk.firms[3].id, "好")
    with pytest.raises(NotFound):
        selections.nominate(desk.officer, round_.id, 987654, REASON)

    sme = selections.open_selection(desk.office, "integrity_model_sme", 2026, "2026年度诚信示范中小企业评选", CLOSES)
    assert selections.nominate(desk.officer, sme.id, desk.shop.id, REASON).status == "nominated"  # 个体工商户 allowed


def test_eligibility_is_checked_again_at_review(desk: Desk) -> None:
    db = desk.office.session
    round_ = open_round(desk)
    firm = desk.firms[0]
    nomination = selections.nominate(desk.officer, round_.id, firm.id, REASON)
    make_record(
        db, make_batch(db, desk.market), doc_no="番市监罚〔2026〕990号", decided_on=date(2026, 11, 30), subject=firm
    )
    office = on(desk.office, AFTER)
    detail = selection_queries.selection_detail(office, round_.id)
    assert "番市监罚〔2026〕990号" in detail.nominations_list[0].problems[0]
    with pytest.raises(InvalidInput, match=r"不能评审通过：有 1 条行政处罚在公示期内.*请作“未通过”处理"):
        selections.review(office, nomination.id, "approve", "", nomination.lock_version)
    selections.review(office, nomination.id, "reject", "推荐后受到行政处罚", nomination.lock_version)
    with pytest.raises(Conflict, match="没有评审通过的推荐"):
        selections.publish_selection(office, round_.id, "番发改〔2026〕89号", round_.lock_version)


def test_publication_is_all_or_nothing_and_names_the_nominee_that_failed(desk: Desk) -> None:
    db = desk.office.session
    round_ = open_round(desk)
    good, bad = desk.firms[:2]
    noms = [selections.nominate(desk.officer, round_.id, s.id, REASON) for s in (good, bad)]
    office = on(desk.office, AFTER)
    for n in noms:
        selections.review(office, n.id, "approve", "符合条件", n.lock_version)
    published_entry(db, bad, "wage_arrears", published_on=AFTER)  # listed after the review
    with pytest.raises(Conflict, match=f"“{bad.name}”（推荐 {noms[1].id}）未能列入“守合同重信用企业”") as failed:
        selections.publish_selection(office, round_.id, "番发改〔2026〕90号", round_.lock_version)
    assert failed.value.code == "selection_publish_failed" and "所有推荐均未列入红名单" in failed.value.message
    assert db.scalars(select(ListEntry).where(ListEntry.list_code == "contract_honouring")).all() == []
    db.refresh(round_)
    assert round_.status == "reviewing" and [db.get(Nomination, n.id).status for n in noms] == ["approved"] * 2  # type: ignore[union-attr]

    selections.review(office, noms[1].id, "reject", "已被列入失信名单", noms[1].lock_version)
    selections.publish_selection(office, round_.id, "番发改〔2026〕90号", round_.lock_version)
    assert [e.subject_id for e in entries_in_force(db, [good.id, bad.id], AFTER) if e.kind == "red"] == [good.id]


def test_a_failure_inside_the_lists_layer_rolls_everything_back(desk: Desk) -> None:
    db = desk.office.session
    round_ = selections.open_selection(desk.office, "integrity_model_sme", 2026, "诚信示范中小企业评选", CLOSES)
    noms = [selections.nominate(desk.officer, round_.id, s.id, REASON) for s in desk.firms[:2]]
    office = on(desk.office, AFTER)
    for n in noms:
        selections.review(office, n.id, "approve", "符合条件", n.lock_version)
    entries.propose(desk.office, "integrity_model_sme", desk.firms[1].id, "另行拟列入", "")  # a race: listed aside
    with pytest.raises(Conflict, match=f"推荐 {noms[1].id}）未能列入“诚信示范中小企业”：.*已在（或已拟列入）"):
        selections.publish_selection(office, round_.id, "番科工商信〔2026〕5号", round_.lock_version)
    assert db.scalar(select(ListEntry).where(ListEntry.subject_id == desk.firms[0].id)) is None
    db.execute(ListEntry.__table__.delete())
    db.delete(desk.sme_department)  # 区科工商信局 not registered: entries.propose refuses inside the savepoint
    db.flush()
    with pytest.raises(Conflict, match="认定部门（代码 kgsxj）尚未登记"):
        selections.publish_selection(office, round_.id, "番科工商信〔2026〕5号", round_.lock_version)
    assert db.scalar(select(ListEntry.id)) is None


def test_opening_a_round_is_checked(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match="评选只能对应红名单：contract_honouring"):
        selections.open_selection(desk.office, "wage_arrears", 2026, "错误的评选", CLOSES)
    with pytest.raises(InvalidInput, match="不能早于今天"):
        selections.open_selection(desk.office, "contract_honouring", 2026, "过期评选", date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="评选年度应在 2025 至 2027 年之间"):
        selections.open_selection(desk.office, "contract_honouring", 2030, "远期评选", CLOSES)
    round_ = open_round(desk)
    with pytest.raises(Conflict, match=f"已有未公布的评选（编号 {round_.id}"):
        open_round(desk)


def test_permissions_and_what_each_department_sees(desk: Desk) -> None:
    round_ = open_round(desk)
    for who in (desk.officer, desk.public, dataclasses.replace(desk.office, role="regulator")):
        with pytest.raises(PermissionDenied):
            selections.open_selection(who, "contract_honouring", 2026, "越权评选", CLOSES)
    for who in (
        desk.public,
        dataclasses.replace(desk.office, role="regulator"),
        dataclasses.replace(desk.office, role="bank"),
    ):
        with pytest.raises(PermissionDenied):
            selections.nominate(who, round_.id, desk.firms[0].id, REASON)
    mine = selections.nominate(desk.officer, round_.id, desk.firms[0].id, REASON)
    selections.nominate(desk.other_officer, round_.id, desk.firms[1].id, REASON)
    late = on(desk.officer, AFTER)
    with pytest.raises(PermissionDenied):
        selections.review(late, mine.id, "approve", "", mine.lock_version)
    with pytest.raises(PermissionDenied):
        selections.publish_selection(late, round_.id, "文号", round_.lock_version)
    own = selection_queries.selection_detail(desk.officer, round_.id)
    assert [n.subject_name for n in own.nominations_list] == [desk.firms[0].name]
    everything = selection_queries.selection_detail(desk.office, round_.id)
    assert [n.department_name for n in everything.nominations_list] == [desk.market.name, desk.justice.name]
    reads = desk.office.session.scalars(
        select(AuditEvent.actor).where(AuditEvent.action == "read.honest_selection").order_by(AuditEvent.id)
    ).all()
    assert reads == ["scjgj:officer", "office:staff"]
    with pytest.raises(PermissionDenied):
        selection_queries.selection_detail(desk.public, round_.id)
    public = selection_queries.public_selection(desk.public, round_.id)
    assert public.accepting and public.status_label == "推荐中" and public.winners_list == []
    assert "没有处于公示期内的行政处罚" in public.eligibility and public.organisers == "区市场监管局、区发改局"
    assert [c.id for c in selection_queries.public_selections(desk.public)] == [round_.id]


def test_a_stale_review_or_publication_is_refused(desk: Desk) -> None:
    round_ = open_round(desk)
    nomination = selections.nominate(desk.officer, round_.id, desk.firms[0].id, REASON)
    office = on(desk.office, AFTER)
    seen = nomination.lock_version
    selections.review(office, nomination.id, "approve", "", seen)
    with pytest.raises(StaleCase):
        selections.review(office, nomination.id, "reject", "改变主意", seen)
    with pytest.raises(StaleCase):
        selections.publish_selection(office, round_.id, "番发改〔2026〕91号", round_.lock_version - 1 or 99)
