"""Recognising a letter's parts in plain text (pasted, or read from .docx by word_import).

Three steps, each usable alone, so the clerk can correct the middle one in the browser:

- `split_text(text)` gives the letter's logical lines: one per printed paragraph, page-number
  lines kept (tagged later), paragraphs split by a page break joined again.
- `tag_lines(lines)` gives each line a tag from TAGS (what it is in the letter).
- `assemble(lines, agency=None)` builds the letter from tagged lines as a dict in the
  interchange format (../shared/spec/reply-format.md), before `interchange.read_letter`.

Every input line lands somewhere: a line no rule recognises is tagged UNKNOWN and assembled as
a paragraph; only PAGE_NUMBER lines (page numbers, 此页无正文, （盖章）, rule lines) are left out
of the letter. Besides those, the only text assemble leaves out is what the portal prints
itself: heading numbers (一、（一）1.（1）), the "附件：" label and attachment numbers, and the
labels of the one-value lines (签发人：, 办复类别：, 公开属性：); a date is kept as its ISO form.

Heading levels come from the numbering the whole letter uses: chinese style when it uses 一、 or
（一）, else arabic (1. then (1)); the kinds used are ranked in the style's order and numbered 1–4
from the top, so a letter using only （一） and 1. has them at levels 1 and 2 (the portal then
prints 一、 and （一）). A numbered line with a sentence after its number is a run-in heading:
its first sentence (with 。！？) is the heading and the rest its first paragraph.

The package's modules, lowest first, each importing only ones before it: `patterns` (TAGS,
Line, fold, the regular expressions), `recognisers` (what one line is, read from itself),
`lines` (split_text), `sections` (heading levels, the section builder), `tagging` (tag_lines),
`facts` (contact, 抄送, the proposal's facts), `assembly` (assemble, line_value, missing_parts).
"""

from proposals.letters.parsing.assembly import REQUIRED_PARTS, assemble, line_value, missing_parts
from proposals.letters.parsing.facts import attachment_name, parse_cc
from proposals.letters.parsing.lines import split_text
from proposals.letters.parsing.patterns import _FOLD, HEADINGS, PAGE_NUMBER, TAGS, UNKNOWN, Line, fold
from proposals.letters.parsing.recognisers import (
    is_page_number,
    parse_class_code,
    parse_date,
    parse_doc_number,
    parse_publicity,
    parse_signer,
)
from proposals.letters.parsing.sections import heading_style, split_run_in, strip_label
from proposals.letters.parsing.tagging import tag_lines

__all__ = [
    "HEADINGS",
    "Line",
    "PAGE_NUMBER",
    "REQUIRED_PARTS",
    "TAGS",
    "UNKNOWN",
    "_FOLD",
    "assemble",
    "attachment_name",
    "fold",
    "heading_style",
    "is_page_number",
    "line_value",
    "missing_parts",
    "parse_cc",
    "parse_class_code",
    "parse_date",
    "parse_doc_number",
    "parse_publicity",
    "parse_signer",
    "split_run_in",
    "split_text",
    "strip_label",
    "tag_lines",
]
