"""Portal tables: articles (新闻、政策、宣传活动、信用创新案例) and honest-enterprise selections with their
nominations (守合同重信用、诚信示范中小企业评选).

Articles keep only sanitised HTML (``portal.articles`` cleans every body before it is stored). A selection is
tied to a red list (``rules/lists/<list_code>.yaml``); publishing it puts every approved nominee on that list
through the lists' own action layer, and the nomination keeps the entry's id.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")

ARTICLE_KINDS: dict[str, str] = {
    "news": "信用动态",
    "policy": "政策法规",
    "campaign": "诚信宣传",
    "innovation_case": "信用创新案例",
}
ARTICLE_STATUSES: dict[str, str] = {"draft": "草稿", "published": "已发布", "withdrawn": "已撤下"}
SELECTION_STATUSES: dict[str, str] = {"open": "推荐中", "reviewing": "评审中", "published": "已公布"}
NOMINATION_STATUSES: dict[str, str] = {
    "nominated": "已推荐",
    "approved": "评审通过",
    "rejected": "未通过",
    "published": "已公布并列入红名单",
}


class Article(Base):
    """A page of the portal written by the credit office."""

    __tablename__ = "portal_article"
    __table_args__ = (Index("ix_portal_article_listing", "kind", "status", "published_at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # ARTICLE_KINDS
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body_html: Mapped[str] = mapped_column(Text)  # sanitised
    campaign: Mapped[str] = mapped_column(String(40), default="")  # e.g. 诚信宣传月, 信用记录关爱日
    source: Mapped[str] = mapped_column(String(200), default="")  # 来源 (unit or document)
    # Innovation cases (信用创新案例): the unit that runs the scheme (镇街 or 部门) and its scenario code
    # (rules/portal.yaml innovation_scenarios); empty for other kinds.
    unit: Mapped[str] = mapped_column(String(200), default="")
    scenario: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdraw_reason: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(128), default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class Selection(Base):
    """One round of an honest-enterprise selection, feeding a red list."""

    __tablename__ = "honest_selection"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    list_code: Mapped[str] = mapped_column(String(40))  # the red list the winners join
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    closes_on: Mapped[date] = mapped_column(Date)  # last day for nominations
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    published_on: Mapped[date | None] = mapped_column(Date)
    decision_doc_no: Mapped[str] = mapped_column(String(64), default="")  # 评选结果（列入决定）文号
    published_by: Mapped[str] = mapped_column(String(128), default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}


class Nomination(Base):
    """A subject nominated in a selection, its review and, once published, its red-list entry."""

    __tablename__ = "honest_nomination"
    __table_args__ = (UniqueConstraint("selection_id", "subject_id", name="uq_honest_nomination_subject"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("honest_selection.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))  # nominating department
    nominated_by: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="nominated")
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(128), default="")
    reviewed_at: Mapped[datetime | None]
    list_entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entry.id"))
    created_at: Mapped[datetime]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}
