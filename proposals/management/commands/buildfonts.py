"""`manage.py buildfonts`: the letter's free fallback fonts, subset once at build time.

Debian's Noto CJK fonts are OpenType collections with CFF outlines: embedding them costs
seconds per letter (../shared/spec/pdf-performance.md). This command cuts each role's font down
to GB2312 plus the punctuation a letter uses and converts CFF outlines to TrueType, so a letter
renders in tens of milliseconds. The full system fonts stay last in every font chain for rare
name characters (堃, 玥, 昇). Run by `make`; re-running rebuilds only missing files.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# output file → (source file from Debian's font packages, face name inside a collection or None).
# Licences: static/fonts/LICENSE-*.txt (SIL OFL 1.1).
SOURCES = {
    "portal-serif-regular.ttf": (
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "Noto Serif CJK SC",
    ),
    "portal-serif-bold.ttf": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    "portal-sans-regular.ttf": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "portal-kai-regular.ttf": ("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", None),
}
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ×, ÷, ·, °
    (0x2010, 0x2027),  # dashes, quotes, ellipsis, bullet
    (0x2030, 0x203B),  # ‰, ′, ※
    (0x2100, 0x2122),  # ℃, №, ™
    (0x2160, 0x216B),  # Roman numerals Ⅰ–Ⅻ
    (0x2460, 0x249B),  # ①–⑳, ⑴–⒇, ⒈–⒛
    (0x3000, 0x303F),  # CJK punctuation: 、。〈〉《》「」『』【】〔〕
    (0x3220, 0x3229),  # ㈠–㈩
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE5),  # ￠￡￥
]


def letter_characters() -> list[int]:
    """GB2312 (all 6,763 hanzi and its symbols) plus the ranges a letter needs."""
    codepoints = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                codepoints.add(ord(bytes([first, second]).decode("gb2312")))
    for start, end in EXTRA_RANGES:
        codepoints.update(range(start, end + 1))
    return sorted(codepoints)


def face_index(path: str, face: str | None) -> int:
    if face is None:
        return 0
    from fontTools.ttLib import TTCollection

    collection = TTCollection(path, lazy=True)
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == face:
            return index
    raise CommandError(f"{path} 中没有字体“{face}”")


def cff_to_truetype(font) -> None:
    """Replace CFF outlines with quadratic TrueType outlines (fontTools cu2qu)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        width, _ = hmtx.metrics[name]
        hmtx.metrics[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and PDF text comes from the cmap
    font.sfntVersion = "\x00\x01\x00\x00"
    font["head"].glyphDataFormat = 0


def build(source: str, face: str | None, target: Path, codepoints: list[int]) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=face_index(source, face))
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    if "CFF " in font:
        cff_to_truetype(font)
    font.save(target)


class Command(BaseCommand):
    help = "生成公文字体子集（GB2312，TrueType 轮廓），供答复函 PDF 使用。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="重新生成已存在的字体文件")

    def handle(self, *args, force: bool = False, **options):
        target_dir = Path(settings.LETTER_FONT_BUILD_DIR)
        target_dir.mkdir(parents=True, exist_ok=True)
        codepoints = letter_characters()
        for name, (source, face) in SOURCES.items():
            target = target_dir / name
            if target.exists() and not force:
                continue
            if not Path(source).exists():
                raise CommandError(f"缺少字体源文件 {source}：请先运行 make setup 安装系统字体包。")
            started = time.monotonic()
            build(source, face, target.with_suffix(".tmp"), codepoints)
            target.with_suffix(".tmp").rename(target)
            self.stdout.write(
                f"{name}: {target.stat().st_size / 1e6:.1f} MB, {time.monotonic() - started:.0f} s"
            )
