"""Rendering an issued report as HTML and PDF, from its stored, signed content only.

``render_html`` fills ``report_document.html`` (a standalone printable A4 document, ``report.css`` inlined) with
the header and facts, the check code, the signature and a QR code (inline SVG made with ``segno``) pointing to
the public verification page ``{public_base_url}/reports/verify/{number}?c={check_code}``. ``render_pdf`` turns
it into a PDF with WeasyPrint, using the cached CJK subset (``reports.fonts``, the default) or the system Noto
Sans CJK SC (``font="system"``, for comparison in the benchmark).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

import segno
from markupsafe import Markup

from xinyong.records.cases import in_china
from xinyong.reports.config import report_settings
from xinyong.reports.fonts import SUBSET_FAMILY, SYSTEM_FAMILY, ensure_subset
from xinyong.reports.models import CreditReport
from xinyong.reports.service import report_check_code, verify_url
from xinyong.web.templating import STATIC_DIR, templates

CSS_FILE = STATIC_DIR / "css" / "report.css"
QR_ERROR_LEVEL = "m"
# Relative column weights by what a column holds (matched on its label); the rest weigh DEFAULT_WEIGHT.
WEIGHTS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("内容", "事由", "事项"), 3.0),
    (("状态", "等级", "版本"), 1.0),
    (("日期", "有效期"), 1.15),
    (("文号", "文书号", "编号"), 1.7),
    (("机关", "部门", "名单", "模型"), 1.6),
)
DEFAULT_WEIGHT = 1.3
WIDTH_RANGE = (4, 60)  # the .rw-N classes of report.css


def column_widths(columns: list[str]) -> list[int]:
    """Whole-percent widths of a table's columns (fixed table layout: far faster to render than automatic)."""
    weights = [next((w for keys, w in WEIGHTS if any(k in c for k in keys)), DEFAULT_WEIGHT) for c in columns]
    total = sum(weights) or 1.0
    low, high = WIDTH_RANGE
    widths = [min(high, max(low, int(100 * w / total))) for w in weights]
    if widths:
        widths[-1] = min(high, max(low, widths[-1] + 100 - sum(widths)))
    return widths


@cache
def _css() -> str:
    return CSS_FILE.read_text(encoding="utf-8")


@cache
def _report_stylesheet() -> Any:
    """``report.css`` parsed once for WeasyPrint (compiling its selectors is a third of a small report's time)."""
    from weasyprint import CSS

    return CSS(string=_css(), base_url=str(STATIC_DIR))


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG (sized by the stylesheet)."""
    code = segno.make(url, error=QR_ERROR_LEVEL)
    return Markup(code.svg_inline(scale=1, border=2, omitsize=True, title="扫码核验报告真伪"))


def document_context(report: CreditReport) -> dict[str, Any]:
    """What the report templates need: the signed document and what is derived from it."""
    url = verify_url(report)
    base = report_settings().public_base_url.rstrip("/")
    return {
        "doc": report.content,
        "check_code": report_check_code(report),
        "signature": report.signature,
        "issued_at": in_china(report.issued_at).strftime("%Y-%m-%d %H:%M"),
        "verify_url": url,
        "verify_home": f"{base}/reports/verify",
        "qr_svg": qr_svg(url),
        "column_widths": column_widths,
    }


def render_html(report: CreditReport, *, inline_css: bool = True) -> str:
    """The report as a standalone HTML document (``report.css`` inlined unless ``inline_css`` is false)."""
    template = templates.env.get_template("report_document.html")
    return template.render({**document_context(report), "css": Markup(_css() if inline_css else "")})


def _font_css(font: Literal["subset", "system"]) -> str:
    """The PDF's font: on the root too, so the page-number margin boxes use it."""
    targets = "html, .report-page, .report-doc, .report-mono"
    if font == "system":
        return f'{targets} {{ font-family: "{SYSTEM_FAMILY}", sans-serif; }}'
    path, _ = ensure_subset()
    return (
        f'@font-face {{ font-family: "{SUBSET_FAMILY}"; src: url("{path.resolve().as_uri()}"); }}\n'
        f'{targets} {{ font-family: "{SUBSET_FAMILY}", "{SYSTEM_FAMILY}", sans-serif; }}'
    )


def render_pdf(report: CreditReport, *, font: Literal["subset", "system"] = "subset") -> bytes:
    """The report as a PDF (A4); ``font`` picks the cached subset (default) or the system font."""
    from weasyprint import CSS, HTML  # imported on use: WeasyPrint loads Pango and fontconfig
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    stylesheets = [_report_stylesheet(), CSS(string=_font_css(font), font_config=fonts)]
    pdf = HTML(string=render_html(report, inline_css=False), base_url=str(STATIC_DIR)).write_pdf(
        stylesheets=stylesheets, font_config=fonts
    )
    assert pdf is not None  # write_pdf returns the bytes when no target is given
    return pdf
