"""The letter's fonts: the four GB/T 9704 roles (仿宋, 小标宋, 黑体, 楷体), their @font-face
rules and font chains from settings, the size of the red agency mark, and which packaged files
a letter may read. Pure rules: WeasyPrint itself is imported only by `rendering`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation

STATIC_PREFIX = "static/"
LICENSED_FONT_PREFIX = "letters/fonts/"


@dataclass(frozen=True)
class FontRole:
    label: str
    bundled_file: str  # made by `manage.py buildfonts` into LETTER_FONT_BUILD_DIR
    system_family: str  # the full font, last in the chain, for rare name characters
    generic: str


FONT_ROLES = {
    "fangsong": FontRole("仿宋", "portal-serif-regular.ttf", "Noto Serif CJK SC", "serif"),
    "xiaobiaosong": FontRole("小标宋", "portal-serif-bold.ttf", "Noto Serif CJK SC", "serif"),
    "heiti": FontRole("黑体", "portal-sans-regular.ttf", "Noto Sans CJK SC", "sans-serif"),
    "kaiti": FontRole("楷体", "portal-kai-regular.ttf", "LXGW WenKai", "serif"),
}
# Which parts of the letter use which role (GB/T 9704: letter-layout.md §3).
FONT_SELECTORS = {
    "fangsong": ".letter",
    "xiaobiaosong": ".letter-agency, .letter-title",
    "heiti": ".letter-heading.level-1, .letter-attachment-label",
    "kaiti": ".letter-heading.level-2, .letter-signer-name",
}


def licensed_font_path(role: str) -> Path | None:
    configured = settings.LETTER_FONT_FILES.get(role) or ""
    return Path(configured) if configured else None


def font_css() -> str:
    """@font-face rules and the font chain of every role, from settings; then the sizes of the
    agency mark (agency_mark_css)."""
    rules = []
    for role, spec in FONT_ROLES.items():
        chain = []
        if licensed_font_path(role):
            rules.append(
                f'@font-face {{ font-family: "Letter {role} licensed"; '
                f'src: url("/{LICENSED_FONT_PREFIX}{role}.ttf"); }}'
            )
            chain.append(f'"Letter {role} licensed"')
        rules.append(
            f'@font-face {{ font-family: "Letter {role}"; '
            f'src: url("/{STATIC_PREFIX}fonts/{spec.bundled_file}"); }}'
        )
        chain += [f'"Letter {role}"', f'"{spec.system_family}"', spec.generic]
        rules.append(f"{FONT_SELECTORS[role]} {{ font-family: {', '.join(chain)}; font-weight: normal; }}")
    return "\n".join(rules) + "\n" + agency_mark_css()


def packaged_file(relative_url: str) -> Path | None:
    """The file behind a letter URL: a static file or a configured licensed font."""
    if relative_url.startswith(STATIC_PREFIX):
        try:
            found = finders.find(relative_url[len(STATIC_PREFIX) :])
        except SuspiciousFileOperation:
            return None
        return Path(found) if found else None
    match = re.fullmatch(re.escape(LICENSED_FONT_PREFIX) + r"(\w+)\.ttf", relative_url)
    if match and match[1] in FONT_ROLES:
        return licensed_font_path(match[1])
    return None


def agency_mark_size(name: str) -> float:
    """Point size of the red agency mark: large, but one line within the 156 mm type area."""
    type_area_pt = 156 / 25.4 * 72
    return round(min(30.0, type_area_pt / max(len(name), 1) * 0.98), 1)


# Agency.name holds at most 100 characters.
AGENCY_MARK_MAX_CHARS = 100


def agency_mark_class(name: str) -> str:
    """The class that gives the agency mark its size. A class, not a style attribute: the
    Content-Security-Policy (SEC-21) blocks inline styles in the preview pages."""
    return f"mark-{min(max(len(name), 1), AGENCY_MARK_MAX_CHARS)}"


def agency_mark_css() -> str:
    """One rule per name length, with agency_mark_size's point size."""
    return "".join(
        f".letter-agency.mark-{length} {{ font-size: {agency_mark_size('字' * length)}pt; }}\n"
        for length in range(1, AGENCY_MARK_MAX_CHARS + 1)
    )
