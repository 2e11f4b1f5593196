"""JSON API ``/api/v1/government``: 公共机构名录、政府合同与政务失信记录 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/government", tags=["公共机构名录、政府合同与政务失信记录"])
