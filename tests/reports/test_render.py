"""Rendering: the standalone HTML (signed content only, escaped, QR code to the verification page) and the PDF —
rare name characters (堃 喆 珺) come out as text, and the embedded font is the cached subset (or the system font
when asked)."""

from __future__ import annotations

import io
from datetime import date

import pypdf

from reports.world import World
from xinyong.reports import service
from xinyong.reports.models import CreditReport
from xinyong.reports.render import column_widths, render_html, render_pdf

RARE = "堃喆珺"


def person_report(world: World) -> CreditReport:
    world.record(
        "番市监罚〔2026〕3号",
        date(2026, 5, 1),
        subject=world.person,
        data={"content": "罚款，当事人陈珺签收"},
    )
    return service.issue_report(world.subject_ctx(world.person), world.person.id, "public", purpose="为陈珺办理入职")


def text_and_fonts(pdf: bytes) -> tuple[str, set[str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {
        str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()
    }
    return text, fonts


def test_html_states_the_signed_content_with_a_qr_code(world: World) -> None:
    world.record("番市监罚〔2026〕1号", date(2026, 5, 1), data={"content": "<script>alert(1)</script>"})
    report = service.issue_report(
        world.office_ctx(),
        world.firm.id,
        "special",
        period_start=date(2024, 1, 1),
        period_end=date(2026, 11, 27),
        domains=["market_supervision", "tax"],
        purpose="招标投标<b>",
    )
    html = render_html(report)
    code = service.report_check_code(report)
    assert html.startswith("<!doctype html>") and "<style>" in html and "@page" in html
    assert report.number in html and code in html and report.signature in html
    assert f"https://credit.panyu.example/reports/verify/{report.number}?c={code}" in service.verify_url(report)
    assert "<svg" in html and 'class="segno"' in html
    assert "专用信用报告（替代有无违法违规记录证明）" in html and "2024-01-01 至 2026-11-27" in html
    assert "市场监管、税务" in html and "发现违法违规记录 1 条" in html and "未发现违法违规记录" in html
    assert "&lt;script&gt;" in html and "<script>" not in html and "招标投标&lt;b&gt;" in html
    assert "本报告不含：行政强制信息、刑事裁判（犯罪记录）信息" in html


def test_pdf_renders_rare_characters_with_the_subset_font(world: World) -> None:
    pdf = render_pdf(person_report(world))
    assert pdf.startswith(b"%PDF")
    text, fonts = text_and_fonts(pdf)
    for ch in RARE:
        assert ch in text
    assert "公共信用报告" in text and "王堃喆" in text
    assert fonts and all("Xinyong-Report-Sans" in f for f in fonts), fonts


def test_pdf_with_the_system_font(world: World) -> None:
    text, fonts = text_and_fonts(render_pdf(person_report(world), font="system"))
    assert all(ch in text for ch in RARE)
    assert any("Noto-Sans-CJK-SC" in f for f in fonts) and not any("Xinyong" in f for f in fonts)


def test_column_widths_fill_the_table() -> None:
    widths = column_widths(["类别", "文书号", "种类", "内容或事由", "决定日期", "决定机关", "状态"])
    assert sum(widths) == 100 and widths[3] == max(widths) and all(4 <= w <= 60 for w in widths)
    assert column_widths([]) == []
