"""Read side of the portal's articles that other pages use (the home page's latest news)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.portal.models import ARTICLE_KINDS, Article


@dataclass(frozen=True)
class ArticleCard:
    """One published article as a list shows it."""

    id: int
    kind: str
    kind_label: str
    title: str
    summary: str
    campaign: str
    published_at: datetime


def latest_articles(session: Session, limit: int = 5, kind: str | None = None) -> list[ArticleCard]:
    """The newest published articles (of one kind, or of every kind), newest first."""
    stmt = select(Article).where(Article.status == "published", Article.published_at.is_not(None))
    if kind is not None:
        stmt = stmt.where(Article.kind == kind)
    stmt = stmt.order_by(Article.published_at.desc(), Article.id.desc()).limit(max(1, min(limit, 100)))
    return [
        ArticleCard(
            id=a.id,
            kind=a.kind,
            kind_label=ARTICLE_KINDS.get(a.kind, a.kind),
            title=a.title,
            summary=a.summary,
            campaign=a.campaign,
            published_at=a.published_at,  # type: ignore[arg-type]  # filtered non-null above
        )
        for a in session.scalars(stmt)
    ]
