"""Balanced title lines (wording.title_lines) and run-in headings, in the rule, the preview and
the PDF's text layer (GB/T 9704 7.3.3: the title in a trapezoid or diamond, no word split)."""

import copy
import json
import re
import subprocess

import pytest
from django.urls import reverse

from proposals.letters import rendering, wording
from proposals.letters.interchange import import_letter, read_letter
from tests.conftest import SEED_JSON, login

LONG_TITLES = [
    "随州市住房和城乡建设局关于市政协五届二次会议第231号提案的答复",
    "随州市人力资源和社会保障局关于市五届人大一次会议第31号建议的答复",
    "随州市人力资源和社会保障局对市五届人大一次会议第131号建议的答复（函）",
    "对政协随州市第五届委员会第二次会议第231号提案的答复",
    "对随州市第五届人民代表大会第一次会议第31号建议的答复",
    "关于对市五届人大一次会议第31号“关于化解企业招工难的建议”的答复",
    "随州市教育局关于市人大五届二次会议第1024号建议〔2023〕的答复",
    "随州市自然资源和规划局关于市政协五届二次会议第231号“关于加快推进城区老旧小区改造和完善配套"
    "设施建设的提案”的答复",
]
UNBREAKABLE = re.compile(r"第\s*[0-9]+\s*号|〔[0-9]+〕|[0-9]+|人大|政协|会议|建议|提案|答复|关于|代表大会")


def test_type_area_holds_20_title_characters():
    """22 pt = 7.76 mm: 156 mm hold 20 characters of 2号, not 22."""
    assert wording.TITLE_MAX_CHARS == 20


@pytest.mark.parametrize(
    "title", ["对市五届人大一次会议第31号建议的答复", "对市五届人大一次会议第 12 号建议的答复"]
)
def test_a_title_that_fits_stays_one_line(title):
    assert wording.title_lines(title) == [title]


@pytest.mark.parametrize("title", LONG_TITLES)
def test_long_titles_break_balanced_and_never_inside_a_number_or_word(title):
    lines = wording.title_lines(title)
    assert len(lines) >= 2
    assert "".join(lines) == title
    widths = [wording.text_width(line) for line in lines]
    assert max(widths) <= wording.TITLE_MAX_CHARS
    assert max(widths) - min(widths) <= 7, lines  # similar lengths, no stray last word
    assert min(widths) >= 8, lines
    offsets = [sum(len(line) for line in lines[:i]) for i in range(1, len(lines))]
    for match in UNBREAKABLE.finditer(title):
        assert not any(match.start() < at < match.end() for at in offsets), (match[0], lines)
    for line in lines[1:]:
        assert line[0] not in "，。、）》”〕号"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "随州市住房和城乡建设局关于市政协五届二次会议第231号提案的答复",
            ["随州市住房和城乡建设局关于", "市政协五届二次会议第231号提案的答复"],
        ),
        (
            "对随州市第五届人民代表大会第一次会议第31号建议的答复",
            ["对随州市第五届人民代表大会", "第一次会议第31号建议的答复"],
        ),
    ],
)
def test_preferred_breaks(title, expected):
    assert wording.title_lines(title) == expected


def test_no_line_wider_than_a_narrow_measure():
    lines = wording.title_lines("随州市住房和城乡建设局关于市政协五届二次会议第231号提案的答复", max_chars=12)
    assert all(wording.text_width(line) <= 12 for line in lines)
    assert any(line.startswith("第231号") or "第231号" in line for line in lines)


def _reply(title=None, sections=None):
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    if title:
        letter["title"] = title
    if sections:
        letter["sections"] = sections
    return import_letter(read_letter(copy.deepcopy(letter), "test.json"))


def _pdf_lines(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [re.sub(r"\s+", "", line) for line in text.decode().splitlines() if line.strip()]


@pytest.mark.django_db
@pytest.mark.parametrize("title", LONG_TITLES[:2] + LONG_TITLES[-1:])
def test_pdf_text_layer_shows_the_same_title_lines(title):
    reply = _reply(title=title)
    printed = _pdf_lines(rendering.render_pdf(reply))
    expected = [re.sub(r"\s+", "", line) for line in wording.title_lines(title)]
    at = printed.index(expected[0])
    assert printed[at : at + len(expected)] == expected


@pytest.mark.django_db
def test_preview_prints_one_block_per_title_line(clerk):
    reply = _reply(title=LONG_TITLES[0])
    page = login(clerk).get(reverse("reply_detail", args=[reply.pk])).content.decode()
    lines = wording.title_lines(LONG_TITLES[0])
    spans = "".join(f'<span class="letter-title-line">{line}</span>' for line in lines)
    assert f'<h1 class="letter-title">{spans}</h1>' in page


def _run_in_reply():
    return _reply(
        sections=[
            {
                "heading": "加强宣传引导。",
                "paragraphs": ["我们将通过多种渠道宣传技能人才政策。", "第二段照常另起一段。"],
            },
            {"heading": "关于落实补贴政策方面", "paragraphs": ["普通小标题后另起一段。"]},
        ]
    )


def test_run_in_rule():
    assert wording.is_run_in("加强宣传引导。")
    assert wording.is_run_in("能否解决？")
    assert wording.is_run_in("务必落实！")
    assert not wording.is_run_in("关于提高工人待遇方面")
    assert not wording.is_run_in("")


@pytest.mark.django_db
def test_run_in_heading_in_the_pdf_and_the_preview(clerk):
    reply = _run_in_reply()
    printed = "".join(_pdf_lines(rendering.render_pdf(reply)))
    assert "一、加强宣传引导。我们将通过多种渠道宣传技能人才政策。" in printed
    assert "政策。第二段照常另起一段。" in printed
    page = login(clerk).get(reverse("reply_detail", args=[reply.pk])).content.decode()
    assert (
        '<p class="letter-p letter-run-in"><span class="letter-heading level-1">一、加强宣传引导。</span>'
        "我们将通过多种渠道宣传技能人才政策。</p>"
    ) in page
    assert '<p class="letter-p">第二段照常另起一段。</p>' in page
    assert '<h2 class="letter-heading level-1">二、关于落实补贴政策方面</h2>' in page


def test_numbered_paragraph_rule():
    assert wording.is_numbered_paragraph(
        "在经费保障方面，区财政按照每生每年600元的标准安排专项经费用于课后服务。"
    )
    assert not wording.is_numbered_paragraph("建立台账，分类处置。")
    assert not wording.is_numbered_paragraph(
        "关于在社会上大力弘扬劳动精神、工匠精神、劳模精神方面的具体工作情况和下一步打算"
    )


@pytest.mark.django_db
def test_a_numbered_paragraph_prints_in_the_body_font(clerk):
    long = "在经费保障方面，区财政按照每生每年600元的标准安排专项经费用于课后服务。"
    reply = _reply(sections=[{"heading": long, "paragraphs": ["同时允许学校收费。"]}])
    page = login(clerk).get(reverse("reply_detail", args=[reply.pk])).content.decode()
    assert f'<p class="letter-p letter-numbered">一、{long}同时允许学校收费。</p>' in page
    assert "letter-heading level-1" not in page
    assert f"一、{long}同时允许学校收费。" in "".join(_pdf_lines(rendering.render_pdf(reply)))


@pytest.mark.django_db
def test_run_in_heading_keeps_the_heading_font_in_the_pdf(tmp_path):
    """The heading part is set in 黑体 (level 1), the paragraph part in 仿宋, on one line."""
    import io

    import pdfplumber

    pdf = rendering.render_pdf(_run_in_reply())
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            chars = page.chars
            text = "".join(c["text"] for c in chars)
            at = text.find("一、加强宣传引导。我们将")
            if at >= 0:
                heading, body = chars[at + 2], chars[at + 9]
                assert abs(heading["top"] - body["top"]) < 1
                assert heading["fontname"] != body["fontname"]
                break
        else:
            pytest.fail("run-in heading not found")


@pytest.mark.django_db
def test_title_lines_keep_the_line_pitch_and_centre():
    """Each title line is centred in the type area, one 10.22 mm grid line below the last."""
    import io

    import pdfplumber

    title = LONG_TITLES[0]
    reply = _reply(title=title)
    mm = 72 / 25.4
    with pdfplumber.open(io.BytesIO(rendering.render_pdf(reply))) as document:
        chars = [c for c in document.pages[0].chars if abs(c["size"] - 22) < 0.1]
    rows: dict[int, list] = {}
    for c in chars:
        rows.setdefault(round(c["top"]), []).append(c)
    tops = sorted(rows)
    assert len(tops) == len(wording.title_lines(title))
    assert abs((tops[1] - tops[0]) / mm - 10.22) < 0.3
    for top in tops:
        left = min(c["x0"] for c in rows[top]) / mm
        right = max(c["x1"] for c in rows[top]) / mm
        assert abs((left + right) / 2 - 106) < 1  # centred on the 156 mm type area (28 + 78)


def test_an_unbreakable_piece_wider_than_a_line_is_cut_by_width():
    lines = wording.title_lines("A" * 40)
    assert "".join(lines) == "A" * 40
    assert all(wording.text_width(line) <= wording.TITLE_MAX_CHARS for line in lines)


def test_long_titles_are_fast():
    import time

    title = (
        "随州市自然资源和规划局关于市政协五届二次会议第231号“"
        + "关于加快推进城区老旧小区改造" * 6
        + "的提案”的答复"
    )
    start = time.perf_counter()
    lines = wording.title_lines(title)
    assert time.perf_counter() - start < 0.5
    assert "".join(lines) == title
