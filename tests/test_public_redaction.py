"""SEC-18: the public version holds no mobile, landline or ID number, however it is written
(separators, digit forms, prefixes, labels), in the public page, the PDF's text layer, its
metadata (Info and XMP) or its file name; the numbers the letter needs stay; the leader sees
what will be removed, marked, before 批准公开 (issue 14 §1)."""

from __future__ import annotations

import html as html_lib
import io
import json
import re
import subprocess
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader

from proposals import workflow
from proposals.letters import rendering
from proposals.letters.interchange import import_letter, read_letter
from proposals.letters.public import (
    REDACTED,
    public_context,
    public_preview,
    redact_contact_line,
    redact_text,
    removal_summary,
)
from proposals.models import Publication, Reply, ReplyStatus, Session
from tests.conftest import SEED_JSON

# The test's own reading of digits, independent of the code under test: every form a number is
# generated in, back to ASCII.
FORMS = {
    "ascii": "0123456789",
    "full-width": "０１２３４５６７８９",
    "chinese": "〇一二三四五六七八九",
    "chinese 零": "零一二三四五六七八九",
    "spoken 幺 两": "〇幺两三四五六七八九",
    "financial": "零壹贰叁肆伍陆柒捌玖",
    "financial, traditional": "零壹貳參肆伍陸柒捌玖",
    "circled": "⓪①②③④⑤⑥⑦⑧⑨",
}
X_FORMS = "XxＸｘ"
TO_ASCII = {ch: str(i) for form in FORMS.values() for i, ch in enumerate(form)} | dict.fromkeys(X_FORMS, "X")
NUMERALS = set(TO_ASCII)


def flat_digits(text: str) -> str:
    """Digits in ASCII with every separator and mark between them gone: only letters and CJK
    characters still part two numbers (so （已隐去） does, 139-0866 does not)."""
    text = "".join(TO_ASCII.get(ch, ch) for ch in text)
    return re.sub(r"[^0-9X\u3400-\u9fffA-WYZa-z]", "", text)


# Chinese text around the numbers: CJK characters that are not numerals, and Chinese punctuation.
FILLER = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5).filter(lambda c: c not in NUMERALS),
        st.sampled_from("，。；：、"),
    ),
    min_size=1,
    max_size=12,
)
SAFE = [
    "随人社函〔2022〕15号",
    "2023年7月18日",
    "348.68 万元",
    "5172 人次",
    "邮政编码441300",
    "第12号",
    "2024年",
    "热线12333",
    "二〇二三年七月十八日",
    "2019 2020 2021 2022年",
    "1,234.5万元",
]
# Commas are not among them: they part the numbers of a list (`13000000000，2019 2020年`).
SEPARATORS = [" ", "  ", "-", "_", "/", ".", "－", "—", "　", " - ", "·", "~", "\u00a0", "\t"]
MOBILE_PREFIXES = ["", "+86", "+86 ", "+86-", "86", "86 ", "0086 ", "(+86)", "（+86）", "＋８６ "]
PHONE_LABELS = ["", "电话：", "手机", "手机号码：", "联系电话：", "Tel:", "电话 ", "联系方式："]
ID_LABELS = ["", "身份证号：", "身份证号码", "公民身份号码 "]


def digits_of(pattern: str):
    return st.from_regex(pattern, fullmatch=True)


MOBILES = digits_of(r"1[3-9][0-9]{9}")
LANDLINES = st.tuples(digits_of(r"0[1-9][0-9]{1,2}"), digits_of(r"[2-8][0-9]{6,7}"))
ID_NUMBERS = st.tuples(digits_of(r"[1-8][0-9]{16}"), st.sampled_from("0123456789" + X_FORMS))


@st.composite
def written(draw, digits: str) -> str:
    """`digits` as someone might type them: cut into groups, joined by separators, the first group
    maybe in brackets, in one digit form or a mix."""
    cuts = sorted(draw(st.sets(st.integers(1, len(digits) - 1), max_size=4)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, len(digits)], strict=True)]
    mixed = draw(st.booleans())
    form = draw(st.sampled_from(list(FORMS.values())))

    def shown(group: str) -> str:
        out = []
        for ch in group:
            if ch == "X":
                out.append(draw(st.sampled_from(X_FORMS)))
            else:
                chosen = draw(st.sampled_from(list(FORMS.values()))) if mixed else form
                out.append(chosen[int(ch)])
        return "".join(out)

    text = shown(groups[0])
    if len(groups) > 1 and draw(st.booleans()):
        opening, closing = draw(st.sampled_from(["()", "（）"]))
        text = f"{opening}{text}{closing}{draw(st.sampled_from(['', ' ', '-']))}"
        rest = groups[1:]
        text += shown(rest[0])
        rest = rest[1:]
    else:
        rest = groups[1:]
    for group in rest:
        text += draw(st.sampled_from(SEPARATORS)) + shown(group)
    return text


@st.composite
def numbers(draw) -> tuple[str, list[str]]:
    """One number, labelled and formatted: (text, digit sequences that must not survive)."""
    kind = draw(st.sampled_from(["mobile", "landline", "id"]))
    if kind == "mobile":
        digits = draw(MOBILES)
        text = (
            draw(st.sampled_from(PHONE_LABELS))
            + draw(st.sampled_from(MOBILE_PREFIXES))
            + draw(written(digits))
        )
        return text, [digits]
    if kind == "landline":
        area, local = draw(LANDLINES)
        if draw(st.booleans()):  # +86, then the area code without its 0
            digits = area[1:] + local
            text = draw(st.sampled_from(["+86 ", "+86-", "0086 "])) + draw(written(digits))
        else:
            digits = area + local
            text = draw(written(digits))
        return draw(st.sampled_from(PHONE_LABELS)) + text, [digits, area[1:] + local, local]
    body, check = draw(ID_NUMBERS)
    digits = body + TO_ASCII.get(check, check)
    return draw(st.sampled_from(ID_LABELS)) + draw(written(digits)), [digits, body]


@st.composite
def letters(draw):
    """Chinese text with 1-3 numbers and some numbers that must stay, each between Chinese text."""
    pieces, secret, kept = [draw(FILLER)], [], []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            safe = draw(st.sampled_from(SAFE))
            pieces += [safe, draw(FILLER)]
            kept.append(safe)
        text, digits = draw(numbers())
        pieces += [text, draw(FILLER)]
        secret += digits
    return "".join(pieces), secret, kept


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters())
@example(("联系电话：0722-3251238。", ["07223251238", "3251238"], []))
@example(("电话：0722 3251247，(0722)3251238。", ["07223251247", "07223251238"], []))
@example(("请拨139  0866  1566或139_0866_1566、139/0866/1566。", ["13908661566"], []))
@example(("手机(139)0866-1566，又1 3908661566。", ["13908661566"], []))
@example(("手机一三九〇八六六一五六六。", ["13908661566"], []))
@example(("身份证420102199003071234和42010219900307123X。", ["420102199003071234", "42010219900307123X"], []))
@example(("，13000000000、2019 2020 2021 2022年丁13000000000丁", ["13000000000"], ["2019 2020 2021 2022年"]))
def test_no_number_survives_in_any_form(case):
    text, secret, kept = case
    public = redact_text(text)
    flat = flat_digits(public)
    for digits in secret:
        assert digits not in flat, (text, public, digits)
    for safe in kept:
        assert safe in public, (text, public, safe)
    # The contact block's reading removes at least as much.
    contact = flat_digits(redact_contact_line(text))
    assert not any(digits in contact for digits in secret), (text, contact)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(SAFE),
            FILLER,
            st.lists(st.integers(1990, 2035), min_size=2, max_size=6).map(
                lambda years: " ".join(map(str, years)) + "年"
            ),
            st.decimals(0, 99999, places=2, allow_nan=False).map(lambda d: f"{d}万元"),
            st.integers(1, 999999).map(lambda n: f"第{n}号"),
        ),
        max_size=8,
    ).map("；".join)
)
def test_numbers_the_letter_needs_are_kept(text):
    assert redact_text(text) == text


@pytest.mark.django_db
def test_the_seed_letter_loses_only_its_contact_phones(seed_reply):
    """A real letter, full of years, amounts, counts and 文号: nothing but the phones goes."""
    letter = rendering.letter_context(seed_reply)
    public = public_context(letter)
    assert {k: v for k, v in public.items() if k != "contact_lines"} == {
        k: v for k, v in letter.items() if k != "contact_lines"
    }
    assert public["contact_lines"] == ["主管领导姓名：张春强", "经办人姓名：孙建波", "邮 政 编 码：441300"]
    preview = public_preview(letter)
    assert (preview["phones"], preview["ids"]) == (2, 0)


@pytest.mark.parametrize(
    "text, public",
    [
        ("联系电话：0722-3251238", f"联系电话：{REDACTED}"),
        ("电话：0722 3251247", f"电话：{REDACTED}"),
        ("(0722)3251238", REDACTED),
        ("139  0866  1566", REDACTED),
        ("139_0866_1566", REDACTED),
        ("139/0866/1566", REDACTED),
        ("(139)0866-1566", REDACTED),
        ("1 3908661566", REDACTED),
        ("一三九〇八六六一五六六", REDACTED),
        ("420102199003071234", REDACTED),
        ("42010219900307123X", REDACTED),
        ("13908661566", REDACTED),
        ("139 0866 1566", REDACTED),
        ("+86 13908661566", REDACTED),
        ("(+86)139 0866 1566", REDACTED),
        ("１３９０８６６１５６６", REDACTED),
        ("幺三九 〇八六六 幺五六六", REDACTED),
        ("4201 0219 9003 0712 3X", REDACTED),
        ("420102 19900307 1234", REDACTED),
        ("+86 722 3251238", REDACTED),
        ("王一13908661566一直", f"王一{REDACTED}一直"),
        ("唯一一三九〇八六六一五六六", f"唯一{REDACTED}"),
        ("电话：3251238，服务5172 人次", f"电话：{REDACTED}，服务5172 人次"),
        ("0722-3251238、3251247", f"{REDACTED}、{REDACTED}"),
        ("（13908661566）", REDACTED),
        # What the letter needs stays.
        ("随人社函〔2022〕15号", "随人社函〔2022〕15号"),
        ("2023年7月18日发放348.68 万元，服务5172 人次", "2023年7月18日发放348.68 万元，服务5172 人次"),
        ("邮 政 编 码：441300", "邮 政 编 码：441300"),
        ("第12号建议，2019 2020 2021 2022年，热线12333", "第12号建议，2019 2020 2021 2022年，热线12333"),
        ("hotel 3251238", "hotel 3251238"),
    ],
)
def test_fixed_cases(text, public):
    assert redact_text(text) == public


@pytest.mark.parametrize(
    "line, public",
    [
        ("主管领导姓名：张春强 联系电话：0722-3251238", "主管领导姓名：张春强"),
        ("经办人姓名：孙建波 联系电话：（139）0866-1566", "经办人姓名：孙建波"),
        ("（联系人：孙建波，联系电话：一三九〇八六六一五六六）", "（联系人：孙建波）"),
        ("联系电话：(0722)3251238", ""),
        ("联系电话：0722-325123", ""),  # mistyped, still gone
        ("邮 政 编 码：441300", "邮 政 编 码：441300"),
    ],
)
def test_contact_lines_lose_their_phones_with_the_label(line, public):
    assert redact_contact_line(line) == public


def test_numbering_printed_before_a_heading_or_attachment_is_read_with_it():
    """`1.` + `3908661566` prints as 1.3908661566: a mobile once the number is in front."""
    letter = rendering_context(
        sections=[
            {"level": 3, "number": "1.", "heading": "3908661566号段", "paragraphs": [], "children": []}
        ],
        attachments=["3908661566号段", "名单"],
    )
    public = public_context(letter)
    assert public["sections"][0]["heading"] == f"{REDACTED}号段"
    assert public["attachments"] == [f"{REDACTED}号段", "名单"]


def rendering_context(**parts) -> dict:
    letter = {
        "title": "答复",
        "salutation": "代表：",
        "opening": "",
        "sections": [],
        "closing": [],
        "attachments": [],
        "signature": "某局",
        "date": "2026年12月1日",
        "contact_lines": [],
        "copy_line": "",
    }
    return letter | parts


def test_preview_marks_and_counts_what_goes():
    letter = rendering_context(
        title="答复（电话0722-3251238）",
        closing=["身份证号420102199003071234，手机139 0866 1566，热线12333。"],
        contact_lines=["经办人姓名：孙建波 联系电话：13908661566", "邮 政 编 码：441300"],
    )
    preview = public_preview(letter)
    assert (preview["phones"], preview["ids"]) == (3, 1)
    assert removal_summary(preview) == "将隐去 3 处电话号码、1 处身份证号"
    removed = [s.text for b in preview["blocks"] for s in b["segments"] if s.removed]
    assert removed == ["0722-3251238", "420102199003071234", "139 0866 1566", " 联系电话：13908661566"]
    # Outside the marks the preview is the public text.
    public = public_context(letter)
    kept = {
        b["role"]: "".join(REDACTED if s.removed else s.text for s in b["segments"])
        for b in preview["blocks"]
    }
    assert kept["title"] == public["title"] == f"答复（电话{REDACTED}）"
    assert kept["paragraph"] == public["closing"][0]
    assert public["contact_lines"] == ["经办人姓名：孙建波", "邮 政 编 码：441300"]
    assert removal_summary(public_preview(rendering_context())) == "未发现需要隐去的电话号码或身份证号"


# ---- end to end: publish a letter full of numbers, then read everything the public gets ----

SECRETS = [
    "13908661566",
    "15972081234",
    "07223251238",
    "07223251247",
    "3251238",
    "3251247",
    "420102199003071234",
    "42010219900307123X",
]
KEPT = [
    "随人社函〔2022〕15号",
    "2023年7月18日",
    "348.68万元",
    "5172人次",
    "441300",
    "第12号建议",
    "2019202020212022年",
    "热线12333",
]


@pytest.fixture
def issued_with_numbers(hr_agency, clerk, pki):
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    letter["title"] = "对市五届人大一次会议第 12 号建议的答复（咨询电话：0722 3251247）"
    letter["doc_number"] = "随人社函〔2022〕15号"
    letter["sections"][0]["paragraphs"] += [
        "联系电话：0722-3251238；电话：0722 3251247；(0722)3251238。",
        "主管领导手机139  0866  1566，或139_0866_1566、139/0866/1566、(139)0866-1566、1 3908661566。",
        "也可拨打一三九〇八六六一五六六或幺五九七二〇八一二三四。",
        "身份证号420102199003071234，另一位42010219900307123X。",
        "依据随人社函〔2022〕15号，2023年7月18日起发放补贴348.68 万元，服务5172 人次，"
        "邮政编码441300，办理第12号建议，2019 2020 2021 2022年，热线12333。",
    ]
    letter["closing"] = "如有疑问，请致电+86 13908661566。"
    letter["attachments"] = ["领取人名单（身份证号 420102 19900307 1234）", "联系表"]
    letter["contact"]["leader_phone"] = "0722-3251238"
    letter["contact"]["handler_phone"] = "（139）0866-1566"
    del letter["contact_block_lines"]
    reply = import_letter(read_letter(letter, "numbers.json"))
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.APPROVED)
    return workflow.issue(Reply.objects.get(pk=reply.pk), clerk)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(page: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def download_name(response) -> str:
    disposition = response["Content-Disposition"]
    star = re.search(r"filename\*=([^;]+)", disposition)
    if star:
        charset, _, quoted = star.group(1).strip().split("'", 2)
        return unquote(quoted, encoding=charset)
    return unquote(re.search(r'filename="([^"]*)"', disposition).group(1))


def assert_clean(where: str, text: str) -> None:
    flat = flat_digits(text)
    for digits in SECRETS:
        assert digits not in flat, (where, digits)


@pytest.mark.django_db
def test_leader_sees_what_will_be_removed_before_approving(issued_with_numbers, leader):
    page = logged_in(leader).get(reverse("reply_detail", args=[issued_with_numbers.pk])).content.decode()
    summary = "将隐去 14 处电话号码、3 处身份证号"
    assert page.count(summary) >= 3  # the preview, the note by the button and its confirmation
    assert f'data-confirm="确认批准公开？{summary}；' in page
    marked = [
        html_lib.unescape(m).strip()
        for m in re.findall(
            r'<mark class="public-removed"><span class="visually-hidden">（将隐去：</span>(.*?)<span', page
        )
    ]
    assert len(marked) == page.count("<mark") == 17
    assert "139_0866_1566" in marked and "42010219900307123X" in marked and "0722 3251247" in marked
    assert any("联系电话：0722-3251238" in m for m in marked)
    assert "<script>" not in page.split('id="public-preview"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_published_page_pdf_metadata_and_file_name_hold_no_number(issued_with_numbers, leader, tmp_path):
    reply = issued_with_numbers
    logged_in(leader).post(reverse("reply_publish", args=[reply.pk]))
    publication = Publication.objects.get(reply=reply)
    # Once published, the preview gives way to the link to the public version.
    assert (
        'id="public-preview"'
        not in logged_in(leader).get(reverse("reply_detail", args=[reply.pk])).content.decode()
    )

    anonymous = Client()
    page = anonymous.get(reverse("public_reply", args=[reply.pk])).content.decode()
    assert_clean("public page", page_text(page))
    assert REDACTED in page and "咨询电话：（已隐去）" in page
    listing = anonymous.get(reverse("public_list")).content.decode()
    assert_clean("public list", page_text(listing))
    # Searching the public list cannot tell whether a letter holds a number it hides.
    for probe in ("3251247", "0722 3251247", "咨询电话：0722"):
        assert (
            "没有符合条件的公开答复" in anonymous.get(reverse("public_list"), {"q": probe}).content.decode()
        )
    assert "招工难" in anonymous.get(reverse("public_list"), {"q": "招工"}).content.decode()

    response = anonymous.get(reverse("public_reply_pdf", args=[reply.pk]))
    pdf = b"".join(response.streaming_content)
    path = tmp_path / "public.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert_clean("pdf text", text)
    flat = re.sub(r"\s+", "", text)
    for kept in KEPT:
        assert kept in flat, kept
    assert "2026年12月1日主管领导姓名：张春强经办人姓名：孙建波邮政编码：441300抄送" in flat

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    xmp = subprocess.run(["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True).stdout
    assert_clean("pdfinfo", info)
    assert_clean("xmp", xmp)
    assert re.search(r"^Title:\s+.*（已隐去）", info, re.MULTILINE), info
    reader = PdfFileReader(io.BytesIO(pdf))
    metadata = {str(k): str(v) for k, v in reader.trailer_view["/Info"].items()}
    assert_clean("Info", json.dumps(metadata, ensure_ascii=False))
    assert "（已隐去）" in metadata["/Title"]
    if "/Metadata" in reader.root:
        assert_clean("XMP stream", reader.root["/Metadata"].data.decode("utf-8", "replace"))
    assert "/EmbeddedFiles" not in reader.root.get("/Names", {})

    name = download_name(response)
    assert name.endswith("答复（公开版）.pdf")
    assert_clean("download name", name)
    assert_clean("stored name", publication.pdf.name)
    # The archived letter keeps its numbers: only the public version is redacted.
    stored = subprocess.run(["pdftotext", reply.pdf.path, "-"], capture_output=True, text=True).stdout
    assert "3251247" in flat_digits(stored)


@pytest.mark.django_db
def test_public_file_name_is_redacted(seed_reply):
    Session.objects.filter(pk=seed_reply.proposal.session_id).update(name="市五届人大一次会议0722-3251238")
    name = rendering.public_pdf_filename(Reply.objects.get(pk=seed_reply.pk))
    assert_clean("file name", name)
    assert name.startswith(f"市五届人大一次会议{REDACTED}第12号建议")
