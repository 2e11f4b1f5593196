"""The CJK font subset embedded in report PDFs.

WeasyPrint embeds only the glyphs a document uses, but it must first read the font it takes them from: the
system Noto Sans CJK SC collection (Debian ``fonts-noto-cjk``, 65,535 glyphs per face) is slow to read and
subset on every PDF (rules.md §11: 6–16 s). So a subset is built once from it with fontTools and cached in the
setting ``report_font_dir`` (``var/fonts``): ASCII and Latin-1, general punctuation and common symbols, CJK
symbols and punctuation, full-width forms, the whole CJK Unified Ideographs block (U+4E00–U+9FFF) and Extension A
(U+3400–U+4DBF) — so rare characters of names (堃 喆 珺) still render; GB2312 would not be enough (rules.md §11).
The subset is renamed ``Xinyong Report Sans`` (a modified version of an OFL font may not keep its name).

Built on first use (or with ``xinyong reports build-font``): written to a temporary file and renamed into place,
under a lock file so concurrent processes build it once; rebuilt whenever the file is missing. A missing system
font is a clear error naming the package to install.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from xinyong.errors import XinyongError
from xinyong.reports.config import report_settings

SYSTEM_FAMILY = "Noto Sans CJK SC"
SUBSET_FAMILY = "Xinyong Report Sans"
SUBSET_POSTSCRIPT = "XinyongReportSans-Regular"
SUBSET_VERSION = 1  # part of the file name: changing the ranges below builds a new file
SUBSET_FILE = f"xinyong-report-sans-v{SUBSET_VERSION}.otf"
KNOWN_PATHS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
)
# Unicode ranges kept in the subset (inclusive).
RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (·, ×, °)
    (0x2000, 0x206F),  # general punctuation (—, …, ‰)
    (0x2100, 0x218F),  # letterlike symbols and number forms (№, Ⅰ)
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ●)
    (0x2600, 0x26FF),  # miscellaneous symbols (★)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〔〕《》)
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms (（）：，)
)
INSTALL_HINT = "请安装 Debian 软件包 fonts-noto-cjk（make install 会安装）"


class FontMissing(XinyongError):
    """The system CJK font the report subset is made from is not installed."""

    status = 503
    code = "font_missing"


def _family_index(path: Path, family: str = SYSTEM_FAMILY) -> int | None:
    """The index of the face named ``family`` in a font file or collection (None if absent)."""
    try:
        if path.suffix.lower() == ".ttc":
            faces = TTCollection(str(path), lazy=True).fonts
        else:
            faces = [TTFont(str(path), lazy=True)]
    except Exception:  # an unreadable or foreign file is simply not the font
        return None
    for index, face in enumerate(faces):
        if face["name"].getDebugName(1) == family:
            return index
    return None


def _fc_match() -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{SYSTEM_FAMILY}:style=Regular"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


def system_font() -> tuple[Path, int]:
    """(file, face index) of the system Noto Sans CJK SC regular face; ``FontMissing`` when not installed."""
    candidates = [p for p in (_fc_match(), *KNOWN_PATHS) if p is not None]
    for path in candidates:
        if path.is_file():
            index = _family_index(path)
            if index is not None:
                return path, index
    raise FontMissing(f"未找到报告所需的中文字体 {SYSTEM_FAMILY}：{INSTALL_HINT}")


def subset_path() -> Path:
    """Where the cached subset lives (it may not exist yet)."""
    return report_settings().report_font_dir / SUBSET_FILE


def _codepoints(ranges: Iterable[tuple[int, int]]) -> set[int]:
    return {cp for low, high in ranges for cp in range(low, high + 1)}


def _rename(font: TTFont) -> None:
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, text in ((1, SUBSET_FAMILY), (2, "Regular"), (4, SUBSET_FAMILY), (6, SUBSET_POSTSCRIPT)):
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)
    names.setName(f"{SUBSET_POSTSCRIPT};v{SUBSET_VERSION}", 3, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff.topDictIndex[0]
        cff.fontNames = [SUBSET_POSTSCRIPT]
        for key in ("FamilyName", "FullName"):
            if hasattr(top, key):
                setattr(top, key, SUBSET_FAMILY)


def build_subset(
    target: Path, *, ranges: Iterable[tuple[int, int]] = RANGES, source: tuple[Path, int] | None = None
) -> Path:
    """Build the subset of ``source`` (default: the system font) covering ``ranges`` at ``target`` (atomic)."""
    path, index = source or system_font()
    font = TTFont(str(path), fontNumber=index, lazy=False)
    options = subset.Options()
    options.layout_features = []  # horizontal text only: no GSUB closure pulling in vertical and locale forms
    options.name_IDs = ["*"]  # keep the copyright and licence (OFL) records
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_codepoints(ranges))
    subsetter.subset(font)
    _rename(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        font.save(str(temporary))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(target.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_subset(*, rebuild: bool = False) -> tuple[Path, float]:
    """The cached subset, built first when missing (or when ``rebuild``); (path, seconds spent building)."""
    target = subset_path()
    if target.is_file() and not rebuild:
        return target, 0.0
    with _locked(target):
        if target.is_file() and not rebuild:  # built by another process while we waited
            return target, 0.0
        started = time.perf_counter()
        build_subset(target)
        return target, time.perf_counter() - started
