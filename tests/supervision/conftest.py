"""Supervision fixtures: ``district`` (graded firms, an inspector pool, an evaluation run)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from inspection_factories import District, make_district
from xinyong.auth.context import Context
from xinyong.subjects.models import Department


@pytest.fixture
def district(ctx: Context, db: Session, departments: tuple[Department, Department]) -> District:
    """See ``inspection_factories.make_district``."""
    return make_district(ctx, db, departments)
