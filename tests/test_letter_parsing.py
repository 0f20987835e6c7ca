"""Recognising a reply letter's parts in plain text (proposals/letters/parsing.py) and the
`parseletter` command.

The corpus in tests/fixtures/letters/ holds real-style letters (.txt) with the interchange JSON
each must give (.json, same stem). Letters are compared item by item (title, salutation,
opening, each heading, each paragraph, closing, date, each contact line, each 抄送 recipient,
class code, 文号 …) and the share of items in the right field is printed and asserted.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import example, given, settings
from hypothesis import strategies as st

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
    if line.tag in ("title", "letterhead") and letter["class_code"]:
        # A class code printed after the title or the letterhead: `…的答复（A）`.
        pattern = r"\s*[(（]\s*[A-DＡ-Ｄ]\s*[类類]?\s*[)）]\s*$|\s+[A-DＡ-Ｄ]\s*[类類]?\s*$"
        return re.sub(pattern, "", line.text)
    return line.text


def assert_preserved(lines: list[Line], letter: dict, *, in_order: bool) -> None:
    """Every input line is in the letter: its text (heading numbers, 附件 labels and page numbers
    aside) in a text field, in order when `in_order`; a one-value line as its key's value, or as
    text when the key holds another value."""
    out = _output_text(letter)
    position = 0
    for line in lines:
        if line.tag in ONE_VALUE:
            value = parsing.line_value(line)
            if value is not None and value == letter[line.tag]:
                continue
            kept = re.sub(r"\s", "", line.text)
            if (
                line.tag == "doc_number"
                and letter["doc_number"]
                and kept.startswith(re.sub(r"\s", "", letter["doc_number"]))
            ):
                continue  # a 文号 line with 签发人 / class code beside the number
            assert kept in out, f"丢失：{line.tag} {line.text!r}"
            continue
        kept = re.sub(r"\s", "", _kept(line, letter))
        if not kept:
            continue
        found = out.find(kept, position if in_order else 0)
        assert found >= 0, f"丢失或顺序不对：{line.tag} {line.text!r}"
        if in_order:
            position = found + len(kept)
    for line in lines:
        if line.tag == "signature" and letter["signature"] is None:
            assert re.sub(r"\s", "", line.text) in re.sub(r"\s", "", letter["agency"])


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


# Speed is measured by `manage.py benchletters` (the 解析 figures), not by a timed test: a
# timing assertion fails on a busy machine whatever the code does.


# ---- Focused rules --------------------------------------------------------------------------

HEAD = [
    "随州市交通运输局",
    "对市五届人大一次会议第12号建议的答复",
    "沈宝栋、李芸等代表：",
    "你们提出的“关于加强农村公路养护的建议”（第12号）收悉，现答复如下：",
]
BODY = ["一、关于养护资金", "今年全市安排农村公路养护资金3200万元，比上年增长8%。"]
FOOT = ["随州市交通运输局", "2023年7月18日"]


def letter_text(*lines: str) -> str:
    return "\n\n".join(lines)


def tag_of(text: str, line: str) -> str:
    """The tag `line` gets inside the letter `text` (its last occurrence)."""
    for tag, got in reversed(tags_of(text)):
        if got == line:
            return tag
    raise AssertionError(f"没有这一行：{line}\n{tags_of(text)}")


def test_split_text_normalises_lines():
    text = (
        "\ufeff  随州市交通运输局\r\n\r\n\u3000\u3000对市五届人大一次会议第12号建议的答复\u3000\r\n"
        " \t \n沈宝栋代表：\r"
    )
    assert split_text(text) == ["随州市交通运输局", "对市五届人大一次会议第12号建议的答复", "沈宝栋代表："]


def test_split_text_joins_a_paragraph_cut_by_a_page_break():
    text = letter_text(
        "积极开展劳模先进典型和先进事迹的宣传工作，深入挖掘劳模先进事迹和成果，大力弘扬新时代劳模精",
        "— 2 —",
        "神，使尊重劳动成为全社会的广泛共识。",
        "二、关于推优表先",
    )
    assert split_text(text) == [
        "积极开展劳模先进典型和先进事迹的宣传工作，深入挖掘劳模先进事迹和成果，大力弘扬新时代劳模精"
        "神，使尊重劳动成为全社会的广泛共识。",
        "— 2 —",
        "二、关于推优表先",
    ]


@pytest.mark.parametrize(
    "second",
    [
        "二、关于推优表先",
        "（二）加强宣传",
        "2.加强宣传",
        "联系人：王丽",
        "2023年7月18日",
        "抄送：市政府督查室",
        "附件：征询意见表",
        "随州市交通运输局",
    ],
)
def test_split_text_keeps_a_new_part_after_an_unfinished_line(second):
    first = "市人社局始终把技能人才奖励激励作为推进技能人才队伍建设的重要抓手积极推荐"
    assert split_text(letter_text(first, second)) == [first, second]


def test_split_text_keeps_short_lines_and_finished_sentences_apart():
    lines = ["一、关于在社会上大力弘扬劳动精神、工匠精神、劳模精神方面", "积极开展劳模宣传工作。"]
    assert split_text(letter_text(*lines)) == lines
    lines = ["今年全市安排农村公路养护资金3200万元，比上年增长8%，取得明显成效。", "积极开展劳模宣传工作。"]
    assert split_text(letter_text(*lines)) == lines
    assert split_text("随州市交通运输局\n(A)") == ["随州市交通运输局", "(A)"]


def test_split_text_joins_a_wrapped_cc_line():
    text = "抄送：市人大常委会选任工委（2份）、市政府督查室（2份）、\n市政协提案委（1份）"
    assert split_text(text) == ["抄送：市人大常委会选任工委（2份）、市政府督查室（2份）、市政协提案委（1份）"]


@pytest.mark.parametrize(
    "line", ["— 2 —", "-2-", "- 12 -", "第2页", "第 2 页 共 5 页", "共5页 第2页", "2/5", "3"]
)
def test_page_numbers(line):
    text = letter_text(*HEAD, BODY[0], line, BODY[1], *FOOT)
    assert tag_of(text, line) == "page_number"
    letter = parse(text)
    assert letter["sections"][0]["paragraphs"] == [BODY[1]]
    assert line not in letter["closing"]


@pytest.mark.parametrize(
    "line",
    [
        "发布时间：2023-08-01 10:23  来源：市交通运输局  浏览次数：1024",
        "来源：随州市人民政府 发布时间：2023年8月1日",
        "索引号：011043-2023-00012 发布机构：市交通运输局",
        "【字体：大 中 小】【打印】",
        "[打印本页] [关闭窗口]",
        "【关闭窗口】",
        "分享到：",
        "扫一扫在手机打开当前页",
    ],
)
def test_a_web_pages_own_lines_stay_out_of_the_letter(line):
    """A letter copied from a government web page: the page's lines are not the letter's."""
    text = letter_text(HEAD[0], line, *HEAD[1:], *BODY, *FOOT, line)
    tags = [tagged.tag for tagged in tag_lines(split_text(text)) if tagged.text == line]
    assert tags == ["page_number", "page_number"]
    assert parse(text) == parse(letter_text(*HEAD, *BODY, *FOOT))


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("〔2023〕8号", "〔2023〕8号"),
        ("随人社函〔2022〕15号", "随人社函〔2022〕15号"),
        ("建议字:〔2023〕8号", "建议字:〔2023〕8号"),
        ("豫农函[2023]56号", "豫农函[2023]56号"),
        ("新财函(2023)15号", "新财函(2023)15号"),
        ("曾政函（2023）8号", "曾政函（2023）8号"),
        ("发文字号：随交函〔2023〕18号", "随交函〔2023〕18号"),
    ],
)
def test_doc_number(line, number):
    text = letter_text(HEAD[0], line, *HEAD[1:], *BODY, *FOOT)
    assert tag_of(text, line) == "doc_number"
    assert parse(text)["doc_number"] == number


def test_doc_number_with_signer_and_class_code_on_the_same_line():
    line = "襄教函〔2023〕25号（B类）    签发人：陈国华"
    letter = parse(letter_text(HEAD[0], line, *HEAD[1:], *BODY, *FOOT))
    assert (letter["doc_number"], letter["class_code"], letter["signer"]) == (
        "襄教函〔2023〕25号",
        "B",
        "陈国华",
    )


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("（A）", "head"),
        ("(B)", "head"),
        ("Ｃ类", "head"),
        ("(B类)", "head"),
        ("类别：A", "before_salutation"),
        ("类别:D", "before_salutation"),
        ("办理结果:(C)", "foot"),
        ("办复类别：B类", "foot"),
        ("办理结果分类：A类", "foot"),
    ],
)
def test_class_code_wherever_printed(line, where):
    if where == "head":
        lines = [HEAD[0], line, *HEAD[1:], *BODY, *FOOT]
    elif where == "before_salutation":
        lines = [*HEAD[:2], line, *HEAD[2:], *BODY, *FOOT]
    else:
        lines = [*HEAD, *BODY, *FOOT, line]
    text = letter_text(*lines)
    assert tag_of(text, line) == "class_code"
    code = re.search(r"[A-DＡ-Ｄ]", line)[0].translate(parsing._FOLD)
    assert parse(text)["class_code"] == code


def test_class_code_printed_after_the_title():
    text = letter_text(HEAD[0], "对市五届人大一次会议第12号建议的答复（A）", *HEAD[2:], *BODY, *FOOT)
    letter = parse(text)
    assert (letter["title"], letter["class_code"]) == ("对市五届人大一次会议第12号建议的答复", "A")


def test_unknown_class_code_is_kept_as_text():
    text = letter_text(HEAD[0], "（甲）", *HEAD[1:], *BODY, *FOOT)
    assert tag_of(text, "（甲）") == "unknown"
    letter = parse(text)
    assert letter["class_code"] is None
    assert "（甲）" in json.dumps(letter["sections"], ensure_ascii=False)


@pytest.mark.parametrize(
    ("line", "name"), [("签发人：张三", "张三"), ("领导签发:李四", "李四"), ("签发人：王建国", "王建国")]
)
def test_signer(line, name):
    for lines in ([line, *HEAD, *BODY, *FOOT], [*HEAD, *BODY, *FOOT, line]):
        text = letter_text(*lines)
        assert tag_of(text, line) == "signer"
        assert parse(text)["signer"] == name


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("主动公开", "主动公开"),
        ("公开属性：依申请公开", "依申请公开"),
        ("公开方式：主动公开", "主动公开"),
        ("是否同意公开:是", "是否同意公开:是"),
        ("是否同意公开：否", "是否同意公开：否"),
    ],
)
def test_publicity(line, kept):
    text = letter_text(HEAD[0], line, *HEAD[1:], *BODY, *FOOT)
    assert tag_of(text, line) == "publicity"
    assert parse(text)["publicity"] == kept


@pytest.mark.parametrize(
    ("title_lines", "title", "session", "number", "kind"),
    [
        (
            ["对市五届人大一次会议第12号建议的答复"],
            "对市五届人大一次会议第12号建议的答复",
            "市五届人大一次会议",
            12,
            "建议",
        ),
        (
            ["随州市民政局关于市人大五届一次会议第25号建议的答复（函）"],
            "随州市民政局关于市人大五届一次会议第25号建议的答复（函）",
            "市人大五届一次会议",
            25,
            "建议",
        ),
        (
            ["关于市政协十一届一次会议第74227号提案的复函"],
            "关于市政协十一届一次会议第74227号提案的复函",
            "市政协十一届一次会议",
            74227,
            "提案",
        ),
        (
            ["关于市政协十一届一次会议第74227号", "提案的答复"],
            "关于市政协十一届一次会议第74227号提案的答复",
            "市政协十一届一次会议",
            74227,
            "提案",
        ),
        (
            ["对区十届人大三次会议第8号议案", "的答复"],
            "对区十届人大三次会议第8号议案的答复",
            "区十届人大三次会议",
            8,
            "议案",
        ),
    ],
)
def test_title(title_lines, title, session, number, kind):
    text = letter_text(HEAD[0], *title_lines, *HEAD[2:], *BODY, *FOOT)
    for line in title_lines:
        assert tag_of(text, line) == "title"
    letter = parse(text)
    assert (letter["title"], letter["session"], letter["proposal_number"], letter["kind"]) == (
        title,
        session,
        number,
        kind,
    )


@pytest.mark.parametrize(
    ("line", "deputies", "more", "count", "addressee"),
    [
        ("沈宝栋、李芸等代表：", ["沈宝栋", "李芸"], True, None, "代表"),
        ("纪占斌等3名代表:", ["纪占斌"], True, 3, "代表"),
        ("田辉委员:", ["田辉"], False, None, "委员"),
        ("尊敬的王芳代表：", ["王芳"], False, None, "代表"),
        ("郭正东、袁朝芳、李荣珠代表：", ["郭正东", "袁朝芳", "李荣珠"], False, None, "代表"),
        ("刘洋，陈静 委员：", ["刘洋", "陈静"], False, None, "委员"),
    ],
)
def test_salutation(line, deputies, more, count, addressee):
    text = letter_text(*HEAD[:2], line, HEAD[3], *BODY, *FOOT)
    assert tag_of(text, line) == "salutation"
    letter = parse(text)
    assert letter["salutation"] == line
    assert (letter["deputies"], letter["deputies_more"], letter["deputies_count"]) == (deputies, more, count)
    assert letter["addressee_title"] == addressee


def test_opening_gives_session_number_title_and_consulted():
    opening = (
        "你们在市人大五届一次会议提出的“关于化解企业招工难的建议”的建议案（第12号）收悉，"
        "经会商市总工会和市人社局有关科室意见，现提出如下答复意见："
    )
    text = letter_text(HEAD[0], "关于化解企业招工难问题的答复", HEAD[2], opening, *BODY, *FOOT)
    assert tag_of(text, opening) == "opening"
    letter = parse(text)
    assert letter["opening"] == opening
    assert (letter["session"], letter["proposal_number"], letter["proposal_title"]) == (
        "市人大五届一次会议",
        12,
        "关于化解企业招工难的建议",
    )
    assert letter["consulted"] == ["市总工会"]


def test_consulted_units_named_after_bing_shang():
    opening = "您提出的《关于盘活闲置土地的提案》收悉。经认真研究，并商市住建局、市财政局，现答复如下："
    letter = parse(letter_text(*HEAD[:3], opening, *BODY, *FOOT))
    assert letter["consulted"] == ["市住建局", "市财政局"]


def test_opening_without_quotes():
    opening = "你提出的关于加强农村饮水安全保障的建议（第8号）收悉，现答复如下："
    letter = parse(letter_text(*HEAD[:3], opening, *BODY, *FOOT))
    assert letter["proposal_title"] == "关于加强农村饮水安全保障的建议"


def test_chinese_headings_at_four_levels():
    body = [
        "一、关于养护资金",
        "（一）加大投入",
        "1.市级资金",
        "（1）专项资金",
        "今年安排专项资金800万元。",
        "（2）以奖代补",
        "2．县级资金",
        "3、乡镇资金",
        "二、关于养护队伍",
    ]
    text = letter_text(*HEAD, *body, *FOOT)
    tags = [tag_of(text, line) for line in body]
    assert tags == [
        "heading1",
        "heading2",
        "heading3",
        "heading4",
        "paragraph",
        "heading4",
        "heading3",
        "heading3",
        "heading1",
    ]
    letter = parse(text)
    assert letter["heading_style"] == "chinese"
    first = letter["sections"][0]
    assert first["heading"] == "关于养护资金"
    level2 = first["subsections"][0]
    assert level2["heading"] == "加大投入"
    level3 = level2["subsections"]
    assert [s["heading"] for s in level3] == ["市级资金", "县级资金", "乡镇资金"]
    assert [s["heading"] for s in level3[0]["subsections"]] == ["专项资金", "以奖代补"]
    assert level3[0]["subsections"][0]["paragraphs"] == ["今年安排专项资金800万元。"]
    assert letter["sections"][1]["heading"] == "关于养护队伍"


def test_arabic_headings():
    body = [
        "1.关于养护资金",
        "(1)加大投入。今年安排800万元。",
        "（2）以奖代补",
        "2.关于养护队伍",
        "组建专业养护队伍12支。",
    ]
    text = letter_text(*HEAD, *body, *FOOT)
    assert [tag_of(text, line) for line in body] == [
        "heading1",
        "heading2",
        "heading2",
        "heading1",
        "paragraph",
    ]
    letter = parse(text)
    assert letter["heading_style"] == "arabic"
    assert [s["heading"] for s in letter["sections"]] == ["关于养护资金", "关于养护队伍"]
    assert letter["sections"][0]["subsections"][0] == {
        "heading": "加大投入。",
        "paragraphs": ["今年安排800万元。"],
    }


def test_run_in_heading_and_numbered_paragraph():
    body = [
        "1.加强宣传引导。我们将通过电视、网络等多种渠道宣传农村公路养护政策。",
        "2.今年全市安排农村公路养护资金3200万元，比上年增长8%。",
    ]
    letter = parse(letter_text(*HEAD, *body, *FOOT))
    assert letter["sections"] == [
        {"heading": "加强宣传引导。", "paragraphs": ["我们将通过电视、网络等多种渠道宣传农村公路养护政策。"]},
        {"heading": "今年全市安排农村公路养护资金3200万元，比上年增长8%。", "paragraphs": []},
    ]


def test_run_in_heading_keeps_closing_quotes_with_its_sentence():
    assert parsing.split_run_in("开展“安康杯”竞赛。”组织职工参加。") == (
        "开展“安康杯”竞赛。”",
        "组织职工参加。",
    )


def test_paragraphs_without_headings_make_an_unheaded_section():
    body = ["今年全市安排农村公路养护资金3200万元。", "组建专业养护队伍12支。"]
    letter = parse(letter_text(*HEAD, *body, *FOOT))
    assert letter["sections"] == [{"heading": None, "paragraphs": body}]


@pytest.mark.parametrize(
    "closing",
    [
        ["感谢您对交通运输工作的关心和支持！"],
        ["欢迎继续对我们的工作提出宝贵意见。"],
        ["特此答复。"],
        ["以上答复，如有不同意见，请及时与我们联系。"],
        [
            "下一步，我们将继续加大投入，切实抓好农村公路养护。",
            "感谢您对交通运输工作的关心和支持。",
            "特此答复。",
        ],
    ],
)
def test_closing(closing):
    text = letter_text(*HEAD, *BODY, *closing, *FOOT)
    for line in closing:
        assert tag_of(text, line) == "closing"
    letter = parse(text)
    assert letter["closing"] == closing
    assert letter["sections"][-1]["paragraphs"] == [BODY[1]]


def test_next_steps_right_after_a_heading_is_not_the_closing():
    body = ["一、关于养护资金", "今年安排资金3200万元。", "二、下一步打算", "下一步，我们将继续加大投入。"]
    letter = parse(letter_text(*HEAD, *body, *FOOT))
    assert letter["closing"] == []
    assert letter["sections"][1] == {"heading": "下一步打算", "paragraphs": ["下一步，我们将继续加大投入。"]}


def test_attachments():
    lines = ["附件：1.人大代表建议办理情况征询意见表", "2.随州市农村公路养护管理办法"]
    text = letter_text(*HEAD, *BODY, *lines, *FOOT)
    assert [tag_of(text, line) for line in lines] == ["attachment", "attachment"]
    assert parse(text)["attachments"] == ["人大代表建议办理情况征询意见表", "随州市农村公路养护管理办法"]
    text = letter_text(*HEAD, *BODY, "附件：", "1.征询意见表", "2.办理情况表", *FOOT)
    assert parse(text)["attachments"] == ["征询意见表", "办理情况表"]


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("2023年7月18日", "2023-07-18"),
        ("二〇二三年七月十八日", "2023-07-18"),
        ("2023 年 7 月 18 日", "2023-07-18"),
        ("二○二三年十二月三十一日", "2023-12-31"),
        ("２０２３年５月５日", "2023-05-05"),
    ],
)
def test_signature_and_date(line, iso):
    text = letter_text(*HEAD, *BODY, "随州市交通运输局", line)
    assert tag_of(text, line) == "date"
    assert tag_of(text, "随州市交通运输局") == "signature"
    letter = parse(text)
    assert letter["date"] == iso
    assert letter["signature"] is None  # the agency itself
    letter = parse(text, agency="随州市人民政府")
    assert letter["signature"] == "随州市交通运输局"


def test_joint_signature_over_two_lines():
    text = letter_text(*HEAD, *BODY, "特此答复。", "随州市交通运输局", "随州市财政局", "2023年7月18日")
    assert tag_of(text, "特此答复。") == "closing"
    assert tag_of(text, "随州市财政局") == "signature"
    assert parse(text)["signature"] == "随州市交通运输局 随州市财政局"


def test_invalid_date_is_not_a_date():
    text = letter_text(*HEAD, *BODY, "2023年13月40日")
    assert tag_of(text, "2023年13月40日") != "date"
    assert parse(text)["date"] is None


@pytest.mark.parametrize(
    ("lines", "contact"),
    [
        (
            [
                "主管领导姓名：张春强 联系电话：13908661566",
                "经办人姓名：孙建波 联系电话：19908660409",
                "邮 政 编 码：441300",
            ],
            {
                "leader_name": "张春强",
                "leader_phone": "13908661566",
                "handler_name": "孙建波",
                "handler_phone": "19908660409",
                "postcode": "441300",
            },
        ),
        (
            ["联系人：王丽", "联系电话：0722-3261234"],
            {"handler_name": "王丽", "handler_phone": "0722-3261234"},
        ),
        (["联系人及电话：李伟 8788586"], {"handler_name": "李伟", "handler_phone": "8788586"}),
        (
            ["责任领导：刘志强", "承办人：张敏", "联系电话：0722-3588123", "联系单位：区政府办公室"],
            {"leader_name": "刘志强", "handler_name": "张敏", "handler_phone": "0722-3588123"},
        ),
        (
            ["（联系人：陈海燕，联系电话：0571-87654321）"],
            {"handler_name": "陈海燕", "handler_phone": "0571-87654321"},
        ),
        (
            ["联系人:何志强  联系电话:0719-4221567", "邮编：442200"],
            {"handler_name": "何志强", "handler_phone": "0719-4221567", "postcode": "442200"},
        ),
    ],
)
def test_contact_block(lines, contact):
    text = letter_text(*HEAD, *BODY, *FOOT, *lines)
    assert [tag_of(text, line) for line in lines] == ["contact"] * len(lines)
    letter = parse(text)
    assert letter["contact"] == contact
    assert letter["contact_block_lines"] == lines


@pytest.mark.parametrize(
    ("lines", "cc"),
    [
        (
            ["抄送：市人大常委会选任工委（2份）、市政府督查室（2份）"],
            [("市人大常委会选任工委", 2), ("市政府督查室", 2)],
        ),
        (
            ["抄送：市人大常委会代表工委，市政府督查室。"],
            [("市人大常委会代表工委", None), ("市政府督查室", None)],
        ),
        (
            ["抄送:县人大常委会人代工委,县政府督查室"],
            [("县人大常委会人代工委", None), ("县政府督查室", None)],
        ),
        (
            ["抄送：市政协提案委；市政府督查室；市财政局"],
            [("市政协提案委", None), ("市政府督查室", None), ("市财政局", None)],
        ),
        (["抄送：全国人大常委会办公厅（一式二份）"], [("全国人大常委会办公厅", 2)]),
        (
            ["抄送：市人大常委会选任工委（2份）、市政府督查室（2份）", "市政协提案委（1份）"],
            [("市人大常委会选任工委", 2), ("市政府督查室", 2), ("市政协提案委", 1)],
        ),
    ],
)
def test_cc(lines, cc):
    text = letter_text(*HEAD, *BODY, *FOOT, *lines)
    assert {tag_of(text, line) for line in lines} == {"cc"}
    letter = parse(text)
    assert [(c["recipient"], c["copies"]) for c in letter["cc"]] == cc
    assert re.sub(r"\s", "", letter["cc_line"]) == re.sub(r"\s", "", "".join(lines))


def test_full_width_and_half_width_mix():
    text = letter_text(
        "随州市交通运输局",
        "（Ａ）",
        "对市五届人大一次会议第１２号建议的答复",
        "沈宝栋,李芸等代表:",
        '你们提出的"关于加强农村公路养护的建议"(第12号)收悉,现答复如下:',
        "１．加强养护。今年安排资金3200万元。",
        "(2)组建队伍",
        "随州市交通运输局",
        "2023年7月18日",
        "联系人:王丽  联系电话:0722-3261234",
    )
    letter = parse(text)
    assert letter["class_code"] == "A"
    assert (letter["proposal_number"], letter["deputies"]) == (12, ["沈宝栋", "李芸"])
    assert letter["proposal_title"] == "关于加强农村公路养护的建议"
    assert letter["heading_style"] == "arabic"
    assert [s["heading"] for s in letter["sections"][0]["subsections"]] == ["组建队伍"]
    assert letter["contact"] == {"handler_name": "王丽", "handler_phone": "0722-3261234"}


def test_unrecognised_lines_are_unknown_and_never_dropped():
    text = letter_text("主送：沈宝栋代表", *HEAD, *BODY, *FOOT)
    assert tag_of(text, "主送：沈宝栋代表") in ("unknown", "letterhead")
    lines = [Line("这是一行谁也不认识的文字", "unknown"), *tag_lines(split_text(letter_text(*HEAD, *BODY)))]
    letter = assemble(lines)
    assert letter["sections"][0] == {"heading": None, "paragraphs": ["这是一行谁也不认识的文字"]}
    lines = [*tag_lines(split_text(letter_text(*HEAD, *BODY))), Line("另起一段未识别", "unknown")]
    assert assemble(lines)["sections"][-1]["paragraphs"][-1] == "另起一段未识别"


def test_retagging_a_paragraph_as_a_heading():
    lines = tag_lines(
        split_text(letter_text(*HEAD, *BODY, "强化养护考核。将养护工作纳入年度目标考核。", *FOOT))
    )
    before = assemble(lines)
    assert len(before["sections"]) == 1
    retagged = [Line(x.text, "heading1") if x.text.startswith("强化") else x for x in lines]
    after = assemble(retagged)
    assert [s["heading"] for s in after["sections"]] == ["关于养护资金", "强化养护考核。"]
    assert after["sections"][1]["paragraphs"] == ["将养护工作纳入年度目标考核。"]
    as_level2 = [Line(x.text, "heading2") if x.text.startswith("强化") else x for x in lines]
    assert assemble(as_level2)["sections"][0]["subsections"][0]["heading"] == "强化养护考核。"


def test_retagging_one_value_lines_that_do_not_read_so_keeps_their_text():
    lines = [
        Line(x.text, "date" if x.tag == "paragraph" else x.tag)
        for x in tag_lines(split_text(letter_text(*HEAD, *BODY)))
    ]
    letter = assemble(lines)
    assert letter["date"] is None
    assert BODY[1] in json.dumps(letter["sections"], ensure_ascii=False)


def test_assemble_with_no_lines_gives_empty_required_keys():
    letter = assemble([])
    assert parsing.missing_parts(letter) == list(parsing.REQUIRED_PARTS.values())
    assert letter["sections"] == [] and letter["deputies"] == []


# ---- Property: nothing raises, nothing is lost -------------------------------------------

LINE_PARTS = st.sampled_from(
    [
        "一、",
        "（二）",
        "3.",
        "（4）",
        "(5)",
        "附件：",
        "抄送：",
        "联系人：",
        "邮 政 编 码：",
        "（A）",
        "类别：",
        "签发人：",
        "主动公开",
        "2023年7月18日",
        "二〇二三年七月十八日",
        "— 2 —",
        "代表：",
        "委员:",
        "收悉，",
        "关于",
        "的答复",
        "第12号",
        "建议",
        "提案",
        "。",
        "，",
        "、",
        "（2份）",
        "感谢您对工作的关心和支持",
        "特此答复",
        "随州市交通运输局",
        "市政府督查室",
        "加强宣传引导",
        "我们将",
        "\u3000",
        " ",
        "“",
        "”",
    ]
)
TEXT_LINE = st.lists(st.one_of(LINE_PARTS, st.text(min_size=1, max_size=12)), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXT_LINE, max_size=25))
@example(["一、", "（2份）抄送：", "附件：1.", "— 2 —"])
@example(["沈宝栋代表：", "对第12号建议的答复", "（A）", "（A）", "(B)", "签发人：张三", "签发人：李四"])
def test_nothing_raises_and_no_character_is_lost(raw_lines):
    text = "\n".join(raw_lines)
    split = split_text(text)

    def content(lines):
        return sorted(re.sub(r"\s", "", "".join(x for x in lines if not parsing.is_page_number(x))))

    assert content(split) == content(re.split(r"\r\n|\r|\n", text))
    lines = tag_lines(split)
    letter = assemble(lines)
    assert_preserved(lines, letter, in_order=False)
    json.dumps(letter, ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(TEXT_LINE, min_size=1, max_size=15),
    st.lists(st.sampled_from(list(parsing.TAGS)), min_size=15, max_size=15),
)
def test_any_tagging_assembles_without_loss(raw_lines, tags):
    lines = [Line(text, tag) for text, tag in zip(raw_lines, tags, strict=False)]
    letter = assemble(lines)
    assert_preserved(lines, letter, in_order=False)


# ---- The parseletter command -------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("parseletter", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_the_letter_as_json(tmp_path):
    seed = CORPUS / "suizhou-hrss-12.txt"
    path = tmp_path / "letter.txt"
    path.write_bytes(b"\xef\xbb\xbf" + seed.read_bytes())
    out, _ = run_command(str(path))
    letter = json.loads(out)
    assert letter["title"] == "对市五届人大一次会议第 12 号建议的答复"
    assert "随州市人力资源和社会保障局" in out  # UTF-8, not \u escapes
    assert out.startswith("{\n  ")
    out, _ = run_command(str(path), "--agency", "随州市人社局")
    assert json.loads(out)["agency"] == "随州市人社局"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "文件不存在"),
        (b"\xff\xfe\x00\x01 not utf-8 \xc3", "不是 UTF-8"),
        (b"", "文件是空的"),
        (b"  \r\n ", "文件是空的"),
        ("随便写的几句话，不是答复函。".encode(), "未能识别出"),
    ],
)
def test_command_refuses_what_it_cannot_read(tmp_path, content, message):
    path = tmp_path / "letter.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as error:
        run_command(str(path))
    assert "\n" not in str(error.value)


def test_command_line_exits_1_with_one_chinese_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "parseletter", str(tmp_path / "没有这个文件.txt")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "文件不存在" in lines[0] and "CommandError" not in lines[0]


def _docx(paragraphs: list[str]) -> bytes:
    """A minimal .docx with one paragraph per string."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def test_command_reads_docx(tmp_path):
    pytest.importorskip("proposals.letters.word_import")
    path = tmp_path / "答复函.docx"
    path.write_bytes(_docx([*HEAD, *BODY, *FOOT, "联系人：王丽", "抄送：市政府督查室"]))
    letter = json.loads(run_command(str(path))[0])
    assert (letter["agency"], letter["proposal_number"], letter["deputies"]) == (
        "随州市交通运输局",
        12,
        ["沈宝栋", "李芸"],
    )
    assert letter["sections"][0]["heading"] == "关于养护资金"
    assert letter["cc"] == [{"recipient": "市政府督查室", "copies": None}]


def test_command_refuses_a_broken_docx(tmp_path):
    pytest.importorskip("proposals.letters.word_import")
    path = tmp_path / "坏的.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(CommandError) as error:
        run_command(str(path))
    assert "\n" not in str(error.value) and "Word" in str(error.value)


# ---- Variants seen in other places' letters ------------------------------------------------


def test_page_without_text_marker_is_left_out():
    text = letter_text(*HEAD, *BODY, "（此页无正文）", *FOOT)
    assert tag_of(text, "（此页无正文）") == "page_number"
    assert parse(text)["sections"][0]["paragraphs"] == [BODY[1]]


@pytest.mark.parametrize("line", ["（此件公开发布）", "(此件主动公开)", "（此件不予公开）"])
def test_publication_note(line):
    text = letter_text(*HEAD, *BODY, *FOOT, line)
    assert tag_of(text, line) == "publicity"
    assert parse(text)["publicity"] == line


def test_spaced_contact_labels():
    lines = ["联 系 人：王丽", "联 系 电 话：0722-3261234"]
    letter = parse(letter_text(*HEAD, *BODY, *FOOT, *lines))
    assert letter["contact"] == {"handler_name": "王丽", "handler_phone": "0722-3261234"}


def test_signer_printed_before_the_doc_number():
    line = "签发人：王明    随人社函〔2022〕15号"
    letter = parse(letter_text(HEAD[0], line, *HEAD[1:], *BODY, *FOOT))
    assert (letter["signer"], letter["doc_number"]) == ("王明", "随人社函〔2022〕15号")


@pytest.mark.parametrize(
    "title",
    [
        "随州市人力资源和社会保障局对市五届人大一次会议第12号建议的答复",
        "随州市人力资源和社会保障局关于市五届人大一次会议第12号建议的答复",
    ],
)
def test_agency_from_the_title_when_there_is_no_letterhead(title):
    letter = parse(letter_text(title, *HEAD[2:], *BODY))
    assert letter["agency"] == "随州市人力资源和社会保障局"
    assert letter["session"] == "市五届人大一次会议"


def test_letter_without_title_keeps_its_letterhead():
    letter = parse(letter_text("随州市交通运输局", *HEAD[2:], *BODY))
    assert (letter["agency"], letter["title"]) == ("随州市交通运输局", "")


def test_attachment_with_number_before_colon():
    text = letter_text(*HEAD, *BODY, "附件1：人大代表建议办理情况征询意见表", *FOOT)
    assert parse(text)["attachments"] == ["人大代表建议办理情况征询意见表"]


def test_heading_cut_by_a_page_break_is_joined():
    text = letter_text(
        *HEAD,
        "一、关于在社会上大力弘扬劳动精神、工匠精神、",
        "— 2 —",
        "劳模精神方面",
        "积极开展劳模宣传工作。",
    )
    letter = parse(text)
    assert letter["sections"][0] == {
        "heading": "关于在社会上大力弘扬劳动精神、工匠精神、劳模精神方面",
        "paragraphs": ["积极开展劳模宣传工作。"],
    }


def test_letter_without_salutation_reports_the_missing_deputies(tmp_path):
    text = letter_text(
        "枣阳市农业农村局",
        "(B)",
        "对市十届人大三次会议第45号建议的答复",
        "市十届人大三次会议第45号建议《关于扶持发展特色水果产业的建议》收悉，现答复如下：",
        "（一）产业发展现状",
        "全市特色水果种植面积达到12.6万亩。",
        "专此答复。",
        "枣阳市农业农村局",
        "2023年8月1日",
    )
    letter = parse(text)
    assert (letter["session"], letter["proposal_number"], letter["class_code"]) == (
        "市十届人大三次会议",
        45,
        "B",
    )
    assert letter["opening"].startswith("市十届人大三次会议第45号建议")
    assert letter["closing"] == ["专此答复。"]
    assert parsing.missing_parts(letter) == ["代表（委员）姓名"]
    path = tmp_path / "letter.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="未能识别出代表（委员）姓名"):
        run_command(str(path))


def test_receipt_line_ending_in_a_colon_is_not_a_salutation():
    text = letter_text("随州市交通运输局", HEAD[1], "现将有关情况答复如下：", *BODY)
    assert tag_of(text, "现将有关情况答复如下：") == "opening"


def test_arabic_numbers_above_chinese_parenthesised_ones():
    body = ["1.关于养护资金", "（一）加大投入", "今年安排800万元。", "2.关于养护队伍"]
    text = letter_text(*HEAD, *body, *FOOT)
    assert [tag_of(text, line) for line in body] == ["heading1", "heading2", "paragraph", "heading1"]


def test_attachment_numbered_in_chinese():
    text = letter_text(*HEAD, *BODY, "附件一：征询意见表", *FOOT)
    assert tag_of(text, "附件一：征询意见表") == "attachment"
    assert parse(text)["attachments"] == ["征询意见表"]


def test_rule_lines_are_left_out():
    text = letter_text(*HEAD, *BODY, *FOOT, "————————————————", "抄送：市政府督查室", "──────────")
    letter = parse(text)
    assert letter["closing"] == [] and letter["cc_line"] == "抄送：市政府督查室"


def test_greeting_under_the_salutation_belongs_to_it():
    text = letter_text(*HEAD[:2], "尊敬的王芳代表：", "您好！", HEAD[3], *BODY, *FOOT)
    assert tag_of(text, "您好！") == "salutation"
    letter = parse(text)
    assert (letter["salutation"], letter["deputies"]) == ("尊敬的王芳代表：您好！", ["王芳"])
    assert letter["opening"] == HEAD[3]


def test_seal_marks_are_left_out():
    text = letter_text(*HEAD, *BODY, "随州市交通运输局", "（盖章）", "2023年7月18日")
    assert tag_of(text, "（盖章）") == "page_number"
    assert parse(text)["date"] == "2023-07-18"


@pytest.mark.parametrize(
    ("line", "contact"),
    [
        ("联系人：张三 13908661566", {"handler_name": "张三", "handler_phone": "13908661566"}),
        ("经办人：孙建波（0722-3261234）", {"handler_name": "孙建波", "handler_phone": "0722-3261234"}),
        ("分管领导：李春明 0825-5421234", {"leader_name": "李春明", "leader_phone": "0825-5421234"}),
        ("联系人：张老师（办公室）", {"handler_name": "张老师（办公室）"}),
    ],
)
def test_contact_name_with_its_phone(line, contact):
    assert parse(letter_text(*HEAD, *BODY, *FOOT, line))["contact"] == contact


def test_unnumbered_heading_is_not_joined_to_its_paragraph():
    lines = ["关于在社会上大力弘扬劳动精神工匠精神劳模精神方面", "积极开展劳模先进典型和先进事迹的宣传工作。"]
    assert split_text(letter_text(*lines)) == lines


def test_class_code_beside_the_letterhead():
    letter = parse(letter_text("随州市民政局    B类", *HEAD[1:], *BODY, *FOOT))
    assert (letter["agency"], letter["class_code"]) == ("随州市民政局", "B")


@pytest.mark.parametrize(
    ("line", "code"), [("办理结果：A（已经解决或基本解决）", "A"), ("B类 正在解决", "B")]
)
def test_class_code_with_its_wording(line, code):
    text = letter_text(*HEAD, *BODY, *FOOT, line)
    assert tag_of(text, line) == "class_code"
    assert parse(text)["class_code"] == code


def test_signer_in_brackets_and_not_public_note():
    text = letter_text(*HEAD, *BODY, *FOOT, "（签发人：张三）", "（此件不公开）")
    letter = parse(text)
    assert (letter["signer"], letter["publicity"]) == ("张三", "（此件不公开）")


def test_blank_lines_given_to_tag_lines_are_kept_and_assembled_as_nothing():
    lines = tag_lines(["", "  ", *HEAD, "\u3000", *BODY])
    assert len(lines) == len(HEAD) + len(BODY) + 3
    letter = assemble(lines)
    assert letter["opening"] == HEAD[3]
    assert letter["sections"] == [{"heading": "关于养护资金", "paragraphs": [BODY[1]]}]


def test_heading_after_a_paragraph_retagged_as_closing_goes_on_with_the_sections():
    lines = tag_lines(
        split_text(letter_text(*HEAD, *BODY, "二、关于养护队伍", "组建专业养护队伍12支。", *FOOT))
    )
    retagged = [Line(x.text, "closing") if x.text == BODY[1] else x for x in lines]
    letter = assemble(retagged)
    assert letter["closing"] == [BODY[1]]
    assert letter["sections"][1] == {"heading": "关于养护队伍", "paragraphs": ["组建专业养护队伍12支。"]}
