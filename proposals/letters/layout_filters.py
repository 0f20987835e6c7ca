"""Template filters of the reply letter's layout rules (proposals/letters/wording.py), applied to
the strings the template prints, so the public version splits its redacted title too. Loaded as
`{% load letter_layout %}` (settings.TEMPLATES registers this module under that name)."""

from django import template

from proposals.letters import wording

register = template.Library()


@register.filter
def title_lines(title: str) -> list[str]:
    """The title's printed lines (wording.title_lines)."""
    return wording.title_lines(title or "")


@register.filter
def run_in(heading: str) -> bool:
    """True when the heading is printed run-in with its first paragraph (wording.is_run_in)."""
    return wording.is_run_in(heading or "")


@register.filter
def numbered_paragraph(heading: str) -> bool:
    """True when the section is a numbered paragraph (wording.is_numbered_paragraph)."""
    return wording.is_numbered_paragraph(heading or "")
