"""The negative check: the shipped catalogue is clean; a planted catalogue item or record is found, stored on the
run and fails the check."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from factories import departments
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.catalog.items import ITEMS_DIR, load_catalog
from xinyong.monitoring import negative_check, queries, service
from xinyong.monitoring.model_yaml import load_model


def test_the_shipped_catalogue_and_an_empty_database_pass(ctx: Context) -> None:
    result = queries.check_negative(ctx)
    assert result.ok and result.findings == [] and "rules.md §7" in result.source


def test_a_planted_catalogue_item_is_found(tmp_path: Path) -> None:
    items = tmp_path / "items"
    shutil.copytree(ITEMS_DIR, items)
    licence = items / "licence.yaml"
    text = licence.read_text(encoding="utf-8")
    licence.write_text(
        text.replace("name: 行政许可信息", "name: 行政许可信息（含物业费缴纳情况）", 1), encoding="utf-8"
    )
    found = negative_check.scan_catalogue(load_catalog(items), load_model().negative_check.keywords())
    assert [(f.kind, f.item, f.where, f.category) for f in found] == [("catalogue", "licence", "数据项名称", "物业费")]


def test_planted_records_are_found_and_fail_the_run(ctx: Context) -> None:
    market, _ = departments(ctx.session)
    batch = make_batch(ctx.session, market, submitted_on=date(2026, 11, 20))
    make_record(ctx.session, batch, doc_no="番交罚〔2026〕7号", decided_on=date(2026, 11, 2), category="行人闯红灯")
    make_record(
        ctx.session,
        batch,
        doc_no="番罚〔2026〕8号",
        decided_on=date(2026, 11, 3),
        data={"content": "未拴绳遛狗"},
        row_no=2,
    )
    make_record(ctx.session, batch, doc_no="番罚〔2026〕9号", decided_on=date(2026, 11, 3), row_no=3)
    result = queries.check_negative(ctx)
    assert not result.ok
    assert {(f.keyword, f.category, tuple(f.docs)) for f in result.findings} == {
        ("闯红灯", "闯红灯/行人交通违法", ("番交罚〔2026〕7号",)),
        ("遛狗", "遛狗/养犬", ("番罚〔2026〕8号",)),
    }
    run = service.run_month(ctx, "2026-11")
    assert not run.negative_ok
    assert {f.keyword for f in queries.run_detail(ctx, "2026-11").negative} == {"闯红灯", "遛狗"}
