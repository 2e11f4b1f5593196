"""Pages: 公共机构名录、政府合同与政务失信记录 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
