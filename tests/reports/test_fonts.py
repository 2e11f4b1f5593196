"""The font subset: built from the system Noto Sans CJK SC, renamed, covering what it is asked to, cached and
rebuilt when missing; a missing system font is a clear error. (The full subset is exercised by the PDF tests.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from xinyong.reports import fonts

SMALL = ((0x20, 0x7E), (0x5800, 0x5810), (0x5586, 0x5586), (0x73FA, 0x73FA))  # ASCII, 堃, 喆, 珺


def test_the_ranges_cover_the_unified_ideographs_and_extension_a() -> None:
    covered = fonts._codepoints(fonts.RANGES)
    assert {0x4E00, 0x9FFF, 0x3400, 0x4DBF, 0x3001, 0xFF08}.issubset(covered)
    assert all(ord(ch) in covered for ch in "堃喆珺龑犇垚")


def test_the_system_font_is_found() -> None:
    path, index = fonts.system_font()
    assert path.is_file() and index >= 0


def test_a_missing_system_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_fc_match", lambda: None)
    monkeypatch.setattr(fonts, "KNOWN_PATHS", (Path("/nonexistent/NotoSansCJK-Regular.ttc"),))
    with pytest.raises(fonts.FontMissing) as caught:
        fonts.system_font()
    assert "fonts-noto-cjk" in caught.value.message and caught.value.status == 503


def test_a_subset_is_built_renamed_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_REPORT_FONT_DIR", str(tmp_path / "fonts"))
    original = fonts.build_subset
    monkeypatch.setattr(fonts, "build_subset", lambda target: original(target, ranges=SMALL))
    path, seconds = fonts.ensure_subset()
    assert path == tmp_path / "fonts" / fonts.SUBSET_FILE and seconds > 0
    font = TTFont(str(path))
    assert font["name"].getDebugName(1) == "Xinyong Report Sans"
    assert font["name"].getDebugName(6) == "XinyongReportSans-Regular"
    cmap = font.getBestCmap()
    assert {ord("堃"), ord("喆"), ord("珺"), ord("A")}.issubset(cmap) and ord("中") not in cmap
    assert "Open Font License" in (font["name"].getDebugName(13) or "")
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".lock")) == [fonts.SUBSET_FILE]
    assert fonts.ensure_subset() == (path, 0.0)  # cached
    path.unlink()
    assert fonts.ensure_subset()[1] > 0  # rebuilt when missing
