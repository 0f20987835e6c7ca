"""Recognising a reply letter's parts in plain text (proposals/letters/parsing.py) and the
`parseletter` command.

The corpus in tests/fixtures/letters/ holds real-style letters (.txt) with the interchange JSON
each must give (.json, same stem). Letters are compared item by item (title, salutation,
opening, each heading, each paragraph, closing, date, each contact line, each 抄送 recipient,
class code, 文号 …) and the share of items in the right field is printed and asserted.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from proposals.letters import parsing
from proposals.letters.interchange import read_letter
from proposals.letters.parsing import Line, assemble, split_text, tag_lines

CORPUS = Path(__file__).resolve().parent / "fixtures" / "letters"
LETTERS = sorted(CORPUS.glob("*.txt"))


def parse(text: str, agency: str | None = None) -> dict:
    """split + tag + assemble."""
    return assemble(tag_lines(split_text(text)), agency=agency)


def tags_of(text: str) -> list[tuple[str, str]]:
    return [(line.tag, line.text) for line in tag_lines(split_text(text))]


# ---- Comparing letters item by item ---------------------------------------------------------

DEFAULTS = {
    "class_code": None,
    "kind": "建议",
    "deputies_more": False,
    "deputies_count": None,
    "salutation": None,
    "consulted": [],
    "closing": [],
    "heading_style": "chinese",
    "doc_number": None,
    "signer": None,
    "publicity": None,
    "signature": None,
    "date": None,
    "contact": {},
    "contact_block_lines": [],
    "cc": [],
    "cc_line": "",
    "attachments": [],
}


def normalised(letter: dict) -> dict:
    """The letter with optional keys filled in as the format's defaults."""
    d = {**DEFAULTS, **letter}
    if isinstance(d["closing"], str):
        d["closing"] = [d["closing"]]
    d.setdefault("addressee_title", "委员" if d["kind"] == "提案" else "代表")
    d["contact"] = {k: v for k, v in (d["contact"] or {}).items() if v}
    d["cc_line"] = d["cc_line"] or ""
    return d


def _section_items(sections: list[dict], path: str) -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    for i, section in enumerate(sections, start=1):
        here = f"{path}{i}"
        items.append((f"标题{here}", section.get("heading")))
        for j, paragraph in enumerate(section.get("paragraphs") or [], start=1):
            items.append((f"段落{here}-{j}", paragraph))
        items.extend(_section_items(section.get("subsections") or [], f"{here}."))
    return items


def letter_items(letter: dict) -> dict[str, object]:
    """Every item of a letter that has to land in the right field, keyed by where it is."""
    d = normalised(letter)
    items: list[tuple[str, object]] = [
        (key, d.get(key))
        for key in (
            "agency",
            "title",
            "session",
            "proposal_number",
            "proposal_title",
            "kind",
            "addressee_title",
            "deputies",
            "deputies_more",
            "deputies_count",
            "salutation",
            "opening",
            "consulted",
            "heading_style",
            "class_code",
            "doc_number",
            "signer",
            "publicity",
            "signature",
            "date",
            "cc_line",
        )
    ]
    items += _section_items(d["sections"], "")
    items += [(f"结束语{i}", p) for i, p in enumerate(d["closing"], start=1)]
    items += [(f"附件{i}", a) for i, a in enumerate(d["attachments"], start=1)]
    items += [(f"联系方式行{i}", c) for i, c in enumerate(d["contact_block_lines"], start=1)]
    items += [(f"联系方式.{k}", v) for k, v in sorted(d["contact"].items())]
    items += [(f"抄送{i}", (c["recipient"], c.get("copies"))) for i, c in enumerate(d["cc"], start=1)]
    return dict(items)


def mismatches(actual: dict, expected: dict) -> tuple[list[str], int]:
    """(one line per item in the wrong field, number of items compared)."""
    got, want = letter_items(actual), letter_items(expected)
    keys = list(dict.fromkeys([*want, *got]))
    wrong = []
    for key in keys:
        if got.get(key, "（无）") != want.get(key, "（无）"):
            wrong.append(
                f"  {key}:\n    得到 {got.get(key, '（无）')!r}\n    应为 {want.get(key, '（无）')!r}"
            )
    return wrong, len(keys)


def expected_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def test_corpus_is_big_enough():
    assert len(LETTERS) >= 15
    for path in LETTERS:
        assert path.with_suffix(".json").exists(), path.name
        assert 300 <= len(re.sub(r"\s", "", path.read_text(encoding="utf-8"))) <= 6000, path.name


@pytest.mark.parametrize("path", LETTERS, ids=[p.stem for p in LETTERS])
def test_corpus_letter(path):
    actual = parse(path.read_text(encoding="utf-8-sig"))
    wrong, total = mismatches(actual, expected_of(path))
    assert not wrong, f"{path.name}: {len(wrong)}/{total} 项不对：\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", LETTERS, ids=[p.stem for p in LETTERS])
def test_corpus_letter_passes_read_letter(path):
    read_letter(parse(path.read_text(encoding="utf-8-sig")), path.name)


def test_corpus_accuracy(capsys):
    right = total = 0
    for path in LETTERS:
        wrong, n = mismatches(parse(path.read_text(encoding="utf-8-sig")), expected_of(path))
        right += n - len(wrong)
        total += n
    share = right / total
    with capsys.disabled():
        print(f"\n答复函识别准确率：{right}/{total} = {share:.1%}（{len(LETTERS)} 件）")
    assert share >= 0.95


# ---- Character preservation -----------------------------------------------------------------


def _output_text(letter: dict) -> str:
    """All text of the assembled letter in print order, without whitespace."""
    parts = [letter["agency"], letter["title"], letter.get("salutation") or "", letter["opening"]]

    def walk(sections):
        for s in sections:
            parts.append(s["heading"] or "")
            parts.extend(s["paragraphs"])
            walk(s.get("subsections") or [])

    walk(letter["sections"])
    closing = letter["closing"]
    parts.extend([closing] if isinstance(closing, str) else closing)
    parts.extend(letter["attachments"])
    parts.append(letter.get("signature") or "")
    parts.extend(letter["contact_block_lines"])
    parts.append(letter["cc_line"])
    return re.sub(r"\s", "", "".join(parts))


ONE_VALUE = ("class_code", "signer", "publicity", "doc_number", "date")


def _kept(line: Line, letter: dict) -> str:
    """What of an input line the letter must hold as text (labels the portal prints removed)."""
    if line.tag in ONE_VALUE or line.tag == parsing.PAGE_NUMBER:
        return ""
    if line.tag in parsing.HEADINGS:
        return parsing.strip_label(line.text)
    if line.tag == "attachment":
        return parsing.attachment_name(line.text)
    if line.tag == "signature" and letter["signature"] is None:
        return ""  # the agency's own name: printed from `agency`
    return line.text


def assert_preserved(lines: list[Line], letter: dict, *, in_order: bool) -> None:
    out = _output_text(letter)
    position = 0
    for line in lines:
        kept = re.sub(r"\s", "", _kept(line, letter))
        if not kept:
            continue
        if line.tag in ONE_VALUE:
            continue
        found = out.find(kept, position if in_order else 0)
        assert found >= 0, f"丢失或顺序不对：{line.tag} {line.text!r}"
        if in_order:
            position = found + len(kept)
    for line in lines:
        if line.tag == "signature" and letter["signature"] is None:
            assert re.sub(r"\s", "", line.text) in re.sub(r"\s", "", letter["agency"])
        if line.tag == "date":
            assert letter["date"] == parsing.parse_date(line.text).isoformat()
        if line.tag == "class_code":
            assert letter["class_code"] == parsing.parse_class_code(line.text)


@pytest.mark.parametrize("path", LETTERS, ids=[p.stem for p in LETTERS])
def test_every_character_is_kept_in_order(path):
    text = path.read_text(encoding="utf-8-sig")
    lines = tag_lines(split_text(text))
    letter = assemble(lines)
    assert_preserved(lines, letter, in_order=True)

    # split_text itself loses nothing but whitespace (page numbers move after the joined line).
    def content(lines):
        return re.sub(r"\s", "", "".join(x for x in lines if not parsing.is_page_number(x)))

    assert content(split_text(text)) == content(text.replace("\ufeff", "").splitlines())


def test_seed_letter_parses_fast():
    text = (CORPUS / "suizhou-hrss-12.txt").read_text(encoding="utf-8")
    parse(text)
    start = time.perf_counter()
    for _ in range(5):
        parse(text)
    assert (time.perf_counter() - start) / 5 < 0.1
