"""The reply letter as a GB/T 9704 PDF: every word, the layout numbers, fonts and lock-down."""

import collections
import copy
import http.server
import inspect
import io
import json
import re
import subprocess
import threading
import urllib.parse

import pdfplumber
import pytest
from django.core.management import call_command
from django.urls import reverse

from proposals.letters import rendering as letters
from proposals.letters.interchange import import_letter, read_letter
from tests.conftest import SEED_JSON, SEED_TXT

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
LINE = 10.22  # mm, the line pitch: 22 lines in the 225 mm type area
TOP, BOTTOM, LEFT, RIGHT = 37.0, 297.0 - 35.0, 28.0, 210.0 - 26.0  # the type area (版心), mm


def seed() -> dict:
    return json.loads(SEED_JSON.read_text(encoding="utf-8"))


def reply_from(letter: dict):
    return import_letter(read_letter(letter, "test.json"))


def pdftotext(pdf: bytes, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def squeeze(text: str) -> str:
    """Text without whitespace and without the page numbers that interleave across pages."""
    return re.sub(r"—\d+—", "", re.sub(r"\s+", "", text))


def body_lines(page) -> list[list[dict]]:
    """The page's text lines inside the type area, each a list of chars left to right."""
    rows = collections.defaultdict(list)
    for ch in page.chars:
        if ch["top"] / MM >= TOP - 1 and ch["bottom"] / MM <= BOTTOM + 1:
            rows[round(ch["top"], 0)].append(ch)
    return [sorted(rows[top], key=lambda c: c["x0"]) for top in sorted(rows)]


@pytest.fixture
def seed_pdf(seed_reply) -> bytes:
    """The seed letter as it goes out: clean, without the 草稿·未签发 mark (test_draft_mark)."""
    return letters.render_letter(seed_reply).pdf


def test_seed_pdf_carries_every_word_of_the_letter(seed_pdf):
    text = squeeze(pdftotext(seed_pdf))
    letter = seed()
    pieces = [
        letter["agency"],
        "(A)",
        letter["title"],
        letter["salutation"],
        letter["opening"],
        letter["closing"],
        *letter["contact_block_lines"],
        letter["cc_line"],
    ]
    for number, section in zip("一二三四五", letter["sections"], strict=False):
        pieces.append(f"{number}、{section['heading']}")
        pieces.extend(section["paragraphs"])
    for piece in pieces:
        assert squeeze(piece) in text, piece


def test_seed_pdf_reads_exactly_like_the_original_letter(seed_pdf):
    """The original letter's text, in order, and nothing else but the 署名 it leaves to the seal."""
    original = squeeze(SEED_TXT.read_text(encoding="utf-8"))
    printed = squeeze(pdftotext(seed_pdf))
    signature = "随州市人力资源和社会保障局"
    at = printed.rindex(signature)
    assert printed[:at] + printed[at + len(signature) :] == original


def test_no_kangxi_radicals_in_the_text_layer(seed_pdf):
    text = pdftotext(seed_pdf)
    assert not [ch for ch in text if 0x2E80 <= ord(ch) <= 0x2FDF]
    assert "人力" in text


def pdffonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


def test_pdffonts_lists_only_embedded_subset_fonts(seed_pdf, tmp_path):
    rows = pdffonts(seed_pdf, tmp_path).splitlines()[2:]
    assert len(rows) >= 3
    for row in rows:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row


def test_full_pages_hold_22_lines_of_28_characters_within_the_margins(seed_pdf):
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        pages = pdf.pages
        assert len(pages) >= 4
        full_width_lengths = []
        body_pages = pages[1:-1]  # neither the letterhead page nor the last
        for index, page in enumerate(body_pages):
            lines = body_lines(page)
            if len(lines) < 22:
                # Only a heading kept with its paragraph may leave the last row empty.
                following = "".join(c["text"] for c in body_lines(pages[index + 2])[0])
                assert re.match(r"[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）", following), (
                    following
                )
                continue
            assert len(lines) == 22
            first, last = lines[0], lines[-1]
            # The first line sits in the first grid row under the top margin, the last in the
            # last row above the bottom margin.
            glyph = 16 / MM  # a 3号 character is 5.64 mm high
            assert TOP <= first[0]["top"] / MM <= TOP + LINE - glyph
            assert BOTTOM - LINE + glyph <= last[0]["bottom"] / MM <= BOTTOM
            for line in lines:
                # Left edge on the margin; indented lines start two characters in.
                assert abs(line[0]["x0"] / MM - LEFT) <= 1 or abs(line[0]["x0"] / MM - LEFT - 11.3) <= 1
                assert line[-1]["x1"] / MM <= RIGHT + 1
                if all(ord(c["text"]) > 0x2E7F for c in line) and abs(line[0]["x0"] / MM - LEFT) <= 1:
                    full_width_lengths.append(len(line))
                    if len(line) == 28:  # a full line ends on the right margin
                        assert abs(line[-1]["x1"] / MM - RIGHT) <= 1
        assert max(full_width_lengths) == 28
        counts = collections.Counter(full_width_lengths)
        assert counts[28] / len(full_width_lengths) > 0.7, counts


def test_letterhead_mark_lines_and_page_numbers(seed_pdf):
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        first = pdf.pages[0]
        mark = [c for c in first.chars if c["size"] >= 22 and c["text"] == "随"][0]
        assert abs(mark["top"] / MM - 30) <= 1
        red = [r for r in first.rects if r["non_stroking_color"] and r["x1"] - r["x0"] > 160 * MM]
        tops = sorted({round(r["top"] / MM, 1) for r in red})
        assert abs(tops[0] - (mark["bottom"] / MM + 4)) <= 1  # 4 mm under the mark
        assert abs(max(r["bottom"] for r in red) / MM - (297 - 20)) <= 1  # 20 mm above the bottom edge
        assert all(abs((r["x1"] - r["x0"]) / MM - 170) <= 0.5 for r in red)
        # No page number on page 1; "— N —" 7 mm under the type area from page 2, odd pages right.
        assert "—" not in first.extract_text()
        for number, page in enumerate(pdf.pages[1:], start=2):
            chars = [c for c in page.chars if c["top"] / MM > BOTTOM + 5]
            assert "".join(c["text"] for c in chars).replace(" ", "") == f"—{number}—"
            x0 = min(c["x0"] for c in chars) / MM
            x1 = max(c["x1"] for c in chars) / MM
            if number % 2:
                assert abs(x1 - (RIGHT - 5.6)) <= 1.5
            else:
                assert abs(x0 - (LEFT + 5.6)) <= 1.5


def test_copy_line_sits_at_the_foot_of_the_last_page(seed_pdf):
    with pdfplumber.open(io.BytesIO(seed_pdf)) as pdf:
        last = pdf.pages[-1]
        words = "".join(
            c["text"] for c in last.chars if abs(c["size"] - 14) < 0.1 and c["top"] / MM < BOTTOM + 1
        )
        assert words.startswith("抄送：市人大常委会选任工委（2份）")
        copy_chars = [c for c in last.chars if c["text"] == "抄"]
        assert BOTTOM - 12 <= copy_chars[0]["bottom"] / MM <= BOTTOM + 0.5
        assert abs(copy_chars[0]["x0"] / MM - (LEFT + 14 / MM)) <= 1  # one 4号 character in


def _letter(authors=1, levels=1, doc_number=True, class_code="B", contact=True, cc=True, attachments=1):
    letter = seed()
    letter["deputies"] = ["王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周勇", "吴敏", "徐杰", "孙艳"][
        :authors
    ]
    letter["deputies_more"] = False
    letter["salutation"] = None
    section = {"heading": f"第{levels}级小标题", "paragraphs": [f"第{levels}级内容。"]}
    for level in range(levels - 1, 0, -1):
        section = {
            "heading": f"第{level}级小标题",
            "paragraphs": [f"第{level}级内容。"],
            "subsections": [section],
        }
    letter["sections"] = [section] if levels else [{"heading": None, "paragraphs": ["没有小标题的正文。"]}]
    letter["doc_number"] = "随人社函〔2022〕45号" if doc_number else None
    letter["signer"] = "张春强" if doc_number else None
    letter["class_code"] = class_code
    letter["date"] = "2022-07-26"
    if not contact:
        letter["contact"] = {}
        letter["contact_block_lines"] = []
    if not cc:
        letter["cc"] = []
        del letter["cc_line"]
    letter["attachments"] = ["人大代表建议办理情况征询意见表", "相关政策文件"][:attachments]
    return letter


VARIANTS = {
    "1-author-0-levels-bare": {
        "authors": 1,
        "levels": 0,
        "doc_number": False,
        "class_code": None,
        "contact": False,
        "cc": False,
        "attachments": 0,
    },
    "10-authors-4-levels-full": {"authors": 10, "levels": 4, "attachments": 2},
    "2-authors-1-level-no-cc": {"authors": 2, "levels": 1, "cc": False},
    "1-author-2-levels-no-contact": {"authors": 1, "levels": 2, "contact": False, "attachments": 1},
}


@pytest.mark.parametrize("name", VARIANTS)
def test_letter_variants_render(name):
    options = {**inspect.signature(_letter).parameters, **VARIANTS[name]}
    options = {k: (v.default if isinstance(v, inspect.Parameter) else v) for k, v in options.items()}
    letter = _letter(**options)
    reply = reply_from(letter)
    text = squeeze(pdftotext(letters.render_pdf(reply)))
    assert squeeze(reply.effective_salutation) in text
    if options["authors"] == 10:
        assert "王芳、刘洋、陈静、杨帆、赵磊、黄丽、周勇、吴敏、徐杰、孙艳代表：" in text
    levels = options["levels"]
    numbers = ["一、", "（一）", "1.", "（1）"]
    for level in range(1, 5):
        assert (f"{numbers[level - 1]}第{level}级小标题" in text) == (level <= levels)
    if levels == 0:
        assert "没有小标题的正文。" in text and "一、" not in text
    assert ("随人社函〔2022〕45号" in text) == options["doc_number"]
    assert ("签发人：张春强" in text) == options["doc_number"]
    assert ("(B)" in text) == (options["class_code"] is not None)
    assert ("经办人姓名：孙建波" in text) == options["contact"]
    assert ("抄送：" in text) == options["cc"]
    assert "2022年7月26日" in text
    if options["attachments"] == 1:
        assert "附件：人大代表建议办理情况征询意见表" in text
    elif options["attachments"] == 2:
        assert "附件：1.人大代表建议办理情况征询意见表2.相关政策文件" in text
    else:
        assert "附件" not in text


@pytest.mark.parametrize(
    "position,printed", [("header_line", "(A)"), ("top_right", "类别：A"), ("foot", "办复类别：A类")]
)
def test_class_code_position_is_an_agency_setting(seed_reply, position, printed):
    agency = seed_reply.agency
    agency.class_code_position = position
    agency.save()
    text = squeeze(pdftotext(letters.render_pdf(seed_reply)))
    assert printed in text
    assert ("(A)" in text) == (position == "header_line")
    assert ("办复类别" in text) == (position == "foot")
    assert ("类别：A" in text.replace("办复类别：A类", "")) == (position == "top_right")


def test_arabic_heading_style():
    letter = _letter(levels=2)
    letter["heading_style"] = "arabic"
    text = squeeze(pdftotext(letters.render_pdf(reply_from(letter))))
    assert "1.第1级小标题" in text and "(1)第2级小标题" in text and "一、" not in text


def test_rare_name_characters_fall_back_to_the_full_font(tmp_path):
    letter = seed()
    letter["deputies"] = ["王堃", "李玥"]
    letter["salutation"] = None
    letter["sections"][0]["paragraphs"].append("何昇同志参加了调研。")
    pdf = letters.render_pdf(reply_from(letter))
    text = squeeze(pdftotext(pdf))
    assert "王堃、李玥等代表：" in text and "何昇同志" in text
    fonts = pdffonts(pdf, tmp_path)
    assert "NotoSerifCJKSC" in re.sub(r"[\s-]", "", fonts)


def test_licensed_font_from_settings_leads_the_chain(seed_reply, settings, tmp_path, monkeypatch):
    settings.LETTER_FONT_FILES = {
        **settings.LETTER_FONT_FILES,
        "fangsong": "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Light.ttf",
    }
    monkeypatch.setattr(letters, "_renderer", None)
    pdf = letters.render_pdf(seed_reply)
    assert "Letter-fangsong-licensed" in pdffonts(pdf, tmp_path)
    monkeypatch.setattr(letters, "_renderer", None)


def test_refuses_to_render_without_harfbuzz_subsetting(seed_reply, monkeypatch, client, clerk):
    monkeypatch.setattr(letters.weasyprint_ffi, "harfbuzz_subset", None)
    monkeypatch.setattr(letters, "_renderer", None)
    with pytest.raises(letters.LetterRenderingUnavailable, match="libharfbuzz-subset0"):
        letters.render_pdf(seed_reply)
    client.force_login(clerk)
    response = client.get(reverse("reply_pdf", args=[seed_reply.pk]))
    assert response.status_code == 503
    assert "libharfbuzz-subset0" in response.content.decode()
    monkeypatch.setattr(letters, "_renderer", None)


# --- lock-down --------------------------------------------------------------------------------


class Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Canary.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/after-redirect")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    Canary.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def attack_markup(base: str) -> str:
    return (
        f'<img src="{base}/img.png"><link rel="stylesheet" href="{base}/style.css">'
        f'<style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png") }}</style>'
        f'<svg><image href="{base}/svg.png" width="10" height="10"/></svg>'
        f'<a rel="attachment" href="{base}/attach.txt">附件</a>'
        f'<img src="{base}/redirect"><img src="file:///etc/hostname">'
        f'<link rel="stylesheet" href="https://letter.invalid/static/../../suizhou_replies/settings.py">'
    )


def test_letter_text_cannot_reach_the_network(canary, seed_reply):
    measure = seed_reply.measures.first()
    measure.heading = f'<img src="{canary}/heading.png"><link rel="stylesheet" href="{canary}/h.css">'
    measure.paragraphs = attack_markup(canary)
    measure.save()
    seed_reply.opening = f'<img src="{canary}/opening.png">'
    seed_reply.save()
    pdf = letters.render_pdf(seed_reply)
    assert Canary.hits == []
    assert "img.png" in squeeze(pdftotext(pdf))  # printed as text, never fetched


def test_renderer_refuses_every_url_but_packaged_files_and_data(canary):
    html = (
        f"<html><body class='letter-document'><article class='letter'>{attack_markup(canary)}"
        "<p>数据 URI 可用</p><img src='data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw=='>"
        "</article></body></html>"
    )
    pdf = letters.render_pdf_from_html(html)
    assert Canary.hits == []
    assert "数据URI可用" in squeeze(pdftotext(pdf))
    fetcher = letters.LetterURLFetcher()
    for url in (
        f"{canary}/x",
        "file:///etc/hostname",
        "ftp://127.0.0.1/x",
        "https://letter.invalid/static/../../manage.py",
        "https://letter.invalid/manage.py",
        "https://letter.invalid/letters/fonts/fangsong.ttf",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("https://letter.invalid/static/css/letter.css").read().startswith(b"/*")
    assert Canary.hits == []


# --- where users get it -----------------------------------------------------------------------


def test_pdf_download_has_a_chinese_file_name(client, clerk, seed_reply):
    client.force_login(clerk)
    response = client.get(reverse("reply_pdf", args=[seed_reply.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    encoded = re.search(r"filename\*=utf-8''(\S+)", disposition).group(1)
    assert (
        urllib.parse.unquote(encoded)
        == "市五届人大一次会议第12号建议-随州市人力资源和社会保障局答复（草稿未签发）.pdf"
    )


def test_pdf_download_respects_row_level_access(client, outsider, committee_staff, seed_reply):
    client.force_login(outsider)
    assert client.get(reverse("reply_pdf", args=[seed_reply.pk])).status_code == 404
    client.force_login(committee_staff)
    assert client.get(reverse("reply_pdf", args=[seed_reply.pk])).status_code == 200


def test_preview_page_uses_the_letter_template_and_stylesheet(client, clerk, seed_reply):
    client.force_login(clerk)
    html = client.get(reverse("reply_detail", args=[seed_reply.pk])).content.decode()
    assert '<article class="letter"' in html
    assert "/static/css/letter.css" in html and reverse("letter_font_css") in html
    css = client.get(reverse("letter_font_css")).content.decode()
    assert "@font-face" in css and "portal-serif-regular.ttf" in css


def test_loadreply_writes_pdfs_into_a_folder(tmp_path):
    cppcc = copy.deepcopy(seed())
    cppcc.update(
        session="市政协五届一次会议",
        kind="提案",
        proposal_number="8",
        title="对市政协五届一次会议第8号提案的答复",
        salutation=None,
    )
    second = tmp_path / "cppcc.json"
    second.write_text(json.dumps(cppcc, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("loadreply", str(SEED_JSON), str(second), "--pdf", str(tmp_path / "pdf"), stdout=out)
    names = sorted(p.name for p in (tmp_path / "pdf").iterdir())
    assert names == [
        "市五届人大一次会议第12号建议-随州市人力资源和社会保障局答复（草稿未签发）.pdf",
        "市政协五届一次会议第8号提案-随州市人力资源和社会保障局答复（草稿未签发）.pdf",
    ]
    for name in names:
        assert (tmp_path / "pdf" / name).read_bytes().startswith(b"%PDF")
    assert "沈宝栋、李芸等委员：" in squeeze(pdftotext((tmp_path / "pdf" / names[1]).read_bytes()))


def test_benchletters_prints_figures_and_ratios():
    out = io.StringIO()
    call_command(
        "benchletters",
        "--count",
        "3",
        "--baseline-count",
        "2",
        "--sign-count",
        "3",
        "--export-letters",
        "12",
        "--word-count",
        "3",
        stdout=out,
    )
    figures = json.loads(out.getvalue())
    assert set(figures) == {"three_pages", "full_seed", "signing", "export", "word"}
    for name in ("parse_text", "parse_docx", "export_docx"):
        assert figures["word"][f"{name}_warm_median_ms"] > 0
    assert figures["word"]["docx_kb"] > 0
    assert figures["three_pages"]["portal"]["pages"] == 3
    assert figures["signing"]["signed_kb"] > figures["signing"]["unsigned_kb"]
    assert figures["signing"]["sign_warm_median_ms"] > 0 and figures["signing"]["verify_warm_median_ms"] > 0
    assert figures["export"]["letters"] == 12 and figures["export"]["letters_per_second"] > 0
    for letter in (figures["three_pages"], figures["full_seed"]):
        for renderer in ("portal", "naive"):
            assert letter[renderer]["warm_median_ms"] > 0 and letter[renderer]["pdf_kb"] > 0
            assert letter[renderer]["peak_rss_mb"] > 0
        assert letter["ratio_warm_median"] == round(
            letter["portal"]["warm_median_ms"] / letter["naive"]["warm_median_ms"], 3
        )


def test_signature_contact_and_copies_always_end_on_one_page():
    """Whatever the length of the text, the 署名, date, contact block and 抄送 share the last page
    (tightened when needed): never a page with only the 版记."""
    letter = seed()
    letter["sections"] = letter["sections"][:1]
    letter["date"] = "2022-07-26"
    reply = reply_from(letter)
    base = reply.closing
    for lines in range(23):
        reply.closing = base + "补" * (28 * lines)
        reply.save()
        pdf = letters.render_pdf(reply)
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            last = squeeze(document.pages[-1].extract_text())
        assert "随州市人力资源和社会保障局2022年7月26日" in last, lines
        assert last.index("随州市人力资源和社会保障局2022年7月26日") > 0, lines  # body text on that page too
        assert "邮政编码：441300" in last and "抄送：市人大常委会选任工委（2份）" in last, lines
