"""Pages ``/catalog`` and ``/catalog/{item_id}``: the public resource catalogue (公共信用信息资源目录).

Read-only and public (``catalog.read``): a table of data items with sharing level, deadline, update frequency
and the template download, and per item the table of its fields.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.catalog.queries import (
    REQUIREMENT_LABELS,
    allowed_values_text,
    catalog_item,
    catalog_items,
    deadline_text,
    requirement,
    requirement_text,
    sharing_label,
    source_department_names,
    type_label,
)
from xinyong.web.deps import get_public_context
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Public = Annotated[Context, Depends(get_public_context)]
ItemId = Annotated[str, Path(max_length=40)]


@router.get("/catalog")
def catalog_page(request: Request, ctx: Public) -> Response:
    """Every data item of the catalogue."""
    items = catalog_items(ctx)
    rows = [
        {
            "item": item,
            "sharing": sharing_label(item.sharing),
            "deadline": deadline_text(item),
            "departments": source_department_names(item),
        }
        for item in items
    ]
    return render(request, "catalog.html", {"nav": "catalog", "rows": rows})


@router.get("/catalog/{item_id}")
def item_page(request: Request, item_id: ItemId, ctx: Public) -> Response:
    """One data item: its facts and the table of its fields."""
    item = catalog_item(ctx, item_id)
    fields = [
        {
            "spec": spec,
            "requirement": requirement(spec),
            "requirement_label": REQUIREMENT_LABELS[requirement(spec)],
            "rule": requirement_text(item, spec),
            "type": type_label(spec),
            "sharing": sharing_label(spec.sharing),
            "allowed": allowed_values_text(spec),
        }
        for spec in item.fields
    ]
    context = {
        "nav": "catalog",
        "item": item,
        "fields": fields,
        "sharing": sharing_label(item.sharing),
        "deadline": deadline_text(item),
        "departments": source_department_names(item),
    }
    return render(request, "catalog_item.html", context)
