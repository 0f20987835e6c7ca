"""从 Word 导入 in the browser's forms: a clerk uploads or pastes a letter, checks each line's tag,
corrects one, accepts; the draft gets one new version and the old one can be restored."""

import io

import pytest
from django.urls import reverse

from proposals.models import Reply, ReplyVersion
from tests.conftest import SEED_TXT, editor_data, login

pytestmark = pytest.mark.django_db

SEED_TEXT = SEED_TXT.read_text(encoding="utf-8")
BODY_ONLY = """一、关于加强职业技能培训方面
今年以来，我局开展各类职业技能培训1.2万人次。
二、关于落实培训补贴方面
全年发放培训补贴资金348.68万元。
"""


def recognise(client, reply, **source):
    return client.post(reverse("reply_import", args=[reply.pk]), {"step": "recognise", **source})


def tagged(response) -> dict:
    """The recognised lines and their tags, as the page posts them back."""
    lines = response.context["lines"]
    return {
        "line": [line.text for line in lines],
        "tag": [line.tag for line in lines],
        "version": str(response.context["version"]),
    }


def accept(client, reply, data, follow=False, **changes):
    url = reverse("reply_import", args=[reply.pk])
    return client.post(url, {**data, "step": "accept", **changes}, follow=follow)


def docx_bytes(paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_page_shows_each_line_with_what_it_became(draft, clerk):
    response = recognise(login(clerk), draft, text=SEED_TEXT)
    assert response.status_code == 200
    html = response.content.decode()
    data = tagged(response)
    tags = dict(zip(data["line"], data["tag"], strict=True))
    assert tags["对市五届人大一次会议第 12 号建议的答复"] == "title"
    assert tags["沈宝栋、李芸等代表："] == "salutation"
    assert tags["一、关于提高工人待遇，特别是提高技术工人薪酬方面"] == "heading1"
    assert "原文逐行识别结果" in html and "一级标题" in html and "抄送" in html
    assert "将替换：" in html
    # Nothing saved yet.
    assert Reply.objects.get(pk=draft.pk).version == draft.version


def test_accepting_saves_one_new_version_that_can_be_undone(draft, clerk):
    client = login(clerk)
    versions = draft.versions.count()
    response = accept(client, draft, tagged(recognise(client, draft, text=SEED_TEXT)))
    assert response.status_code == 302 and response["Location"] == reverse("reply_edit", args=[draft.pk])
    reply = Reply.objects.get(pk=draft.pk)
    assert reply.versions.count() == versions + 1
    assert reply.title == "对市五届人大一次会议第 12 号建议的答复"
    headings = [m.heading for m in reply.measures.filter(level=1).order_by("position")]
    assert headings[0] == "关于提高工人待遇，特别是提高技术工人薪酬方面" and len(headings) == 5
    assert [c.recipient for c in reply.copies.all()] == ["市人大常委会选任工委", "市政府督查室"]
    page = client.get(reverse("reply_edit", args=[draft.pk])).content.decode()
    assert f"已保存为第{versions + 1}版" in page and "恢复此版本" in page

    # 恢复此版本 brings back the draft as it was before the import, as one more version.
    before = ReplyVersion.objects.get(reply=draft, number=versions)
    assert "恢复此版本" in client.get(reverse("version_detail", args=[draft.pk, versions])).content.decode()
    client.post(reverse("version_restore", args=[draft.pk, before.number]))
    reply = Reply.objects.get(pk=draft.pk)
    assert [m.heading for m in reply.measures.order_by("position")] == [
        "关于提高工人待遇方面",
        "关于弘扬劳模精神方面",
    ]
    assert reply.title == draft.title and reply.versions.count() == versions + 2


def test_a_pasted_body_keeps_the_drafts_other_parts(draft, clerk):
    client = login(clerk)
    response = recognise(client, draft, text=BODY_ONLY)
    html = response.content.decode()
    assert "保留草稿原有内容" in html and "联系方式" in html
    accept(client, draft, tagged(response))
    reply = Reply.objects.get(pk=draft.pk)
    assert [m.heading for m in reply.measures.order_by("position")] == [
        "关于加强职业技能培训方面",
        "关于落实培训补贴方面",
    ]
    assert (reply.title, reply.handler_name, reply.opening) == (
        draft.title,
        draft.handler_name,
        draft.opening,
    )
    assert list(reply.copies.values_list("recipient", flat=True)) == list(
        draft.copies.values_list("recipient", flat=True)
    )


def test_changing_a_tag_changes_the_letter(draft, clerk):
    client = login(clerk)
    data = tagged(recognise(client, draft, text=BODY_ONLY))
    data["tag"][2] = "paragraph"  # 二、… is not a heading after all
    response = client.post(reverse("reply_import", args=[draft.pk]), {**data, "step": "retag"})
    assert response.context["lines"][2].tag == "paragraph"
    accept(client, draft, data)
    reply = Reply.objects.get(pk=draft.pk)
    assert [m.heading for m in reply.measures.all()] == ["关于加强职业技能培训方面"]
    assert "二、关于落实培训补贴方面" in reply.measures.get().paragraphs


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"text": "   "}, "请上传 Word 文件，或粘贴答复函文字"),
        ({"file": ("答复.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))}, "另存为 .docx"),
        ({"file": ("答复.docx", b"not a zip at all")}, "“答复.docx”：该文件不是有效的 Word"),
        ({"file": ("答复.txt", b"")}, "是空的"),
        ({"file": ("答复.txt", "一、关于".encode()), "text": "二、关于"}, "请只选择一种方式"),
    ],
)
def test_bad_sources_say_why_and_save_nothing(draft, clerk, source, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if "file" in source:
        name, data = source["file"]
        source = {**source, "file": SimpleUploadedFile(name, data)}
    response = recognise(login(clerk), draft, **source)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Reply.objects.get(pk=draft.pk).version == draft.version


def test_a_word_file_is_read_and_a_gbk_text_file_too(draft, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(clerk)
    upload = SimpleUploadedFile("答复.docx", docx_bytes(BODY_ONLY.splitlines()))
    lines = tagged(recognise(client, draft, file=upload))
    assert lines["line"][0] == "一、关于加强职业技能培训方面" and lines["tag"][0] == "heading1"
    upload = SimpleUploadedFile("答复.txt", BODY_ONLY.encode("gb18030"))
    assert tagged(recognise(client, draft, file=upload))["line"] == lines["line"]


def test_someone_saving_meanwhile_is_not_overwritten_silently(draft, clerk, leader):
    client = login(clerk)
    data = tagged(recognise(client, draft, text=BODY_ONLY))
    login(leader).post(
        reverse("reply_edit", args=[draft.pk]),
        editor_data(draft, [(1, "领导改过的标题", "领导改过的内容。")], client=login(leader)),
    )
    response = accept(client, draft, data)
    assert response.status_code == 200 and "保存冲突" in response.content.decode()
    assert Reply.objects.get(pk=draft.pk).measures.get().heading == "领导改过的标题"
    # Accepting again, from the page that now knows the newer version, is deliberate.
    accept(client, draft, {**data, "version": str(response.context["version"])})
    assert Reply.objects.get(pk=draft.pk).measures.count() == 2


def test_tampered_lines_are_refused(draft, clerk):
    client = login(clerk)
    data = tagged(recognise(client, draft, text=BODY_ONLY))
    data["tag"][0] = "secret"
    response = client.post(reverse("reply_import", args=[draft.pk]), {**data, "step": "accept"}, follow=True)
    assert "识别结果不完整" in response.content.decode()
    assert Reply.objects.get(pk=draft.pk).version == draft.version


def test_starting_a_reply_can_go_straight_to_the_import(lead_assignment, clerk):
    assert "从 Word 导入" in login(clerk).get(reverse("queue")).content.decode()
    assert "从 Word 导入" in login(clerk).get(reverse("home")).content.decode()
    response = login(clerk).post(reverse("assignment_start", args=[lead_assignment.pk]), {"then": "import"})
    reply = Reply.objects.get(assignment=lead_assignment)
    assert response["Location"] == reverse("reply_import", args=[reply.pk])


def test_only_the_agencys_own_people_import(draft, committee_staff, outsider):
    assert login(committee_staff).get(reverse("reply_import", args=[draft.pk])).status_code == 403
    assert login(outsider).get(reverse("reply_import", args=[draft.pk])).status_code == 404
    assert login(outsider).post(reverse("version_restore", args=[draft.pk, 1])).status_code == 404


OTHER_AGENCY = """随州市交通运输局
对市五届人大一次会议第35号建议的答复
王明代表：
你提出的关于加快农村公路建设的建议收悉，现答复如下：
一、关于农村公路建设方面
今年新改建农村公路356公里。
随州市交通运输局
2026年11月20日
"""


def test_a_letter_of_another_agency_or_proposal_needs_a_tick(draft, clerk):
    client = login(clerk)
    response = recognise(client, draft, text=OTHER_AGENCY)
    html = response.content.decode()
    assert "原文可能不是这件答复的" in html
    assert "“随州市交通运输局”" in html and "第35号" in html
    data = tagged(response)
    response = accept(client, draft, data)
    assert response.status_code == 200 and "勾选“已核对”" in response.content.decode()
    assert Reply.objects.get(pk=draft.pk).version == draft.version
    response = accept(client, draft, data, confirm_mismatch="1")
    assert response.status_code == 302
    assert Reply.objects.get(pk=draft.pk).measures.get().heading == "关于农村公路建设方面"


def test_a_loaded_draft_is_kept_as_a_version_before_its_first_import(seed_reply, clerk):
    """A draft loaded from a file has no saved version: the import keeps it first, so the
    message's link leads back to it."""
    assert not seed_reply.versions.exists()
    client = login(clerk)
    response = accept(client, seed_reply, tagged(recognise(client, seed_reply, text=BODY_ONLY)), follow=True)
    html = response.content.decode()
    link = reverse("version_detail", args=[seed_reply.pk, 1])
    assert f'<a href="{link}">第1版</a>' in html and "已保存为第2版" in html
    assert "从 Word 导入" in client.get(reverse("reply_detail", args=[seed_reply.pk])).content.decode()
    client.post(reverse("version_restore", args=[seed_reply.pk, 1]))
    assert Reply.objects.get(pk=seed_reply.pk).measures.filter(level=1).count() == 5
