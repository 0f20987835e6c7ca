"""办理态度 and 办理结果 rated separately (issue 13 §7), as on the paper 征询意见表: recorded,
corrected one at a time or both, round 2 on the lead author's 办理结果 不满意 only, counted in
the statistics with shares that add up to 100 %, shown on every page; and the form itself, one
A4 page for ten authors with long names and a long title."""

import collections
import io
import re
import subprocess

import pdfplumber
import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from proposals import workflow
from proposals.models import (
    Agency,
    Assignment,
    AuditEvent,
    Feedback,
    FeedbackCorrection,
    Rating,
    Reply,
    Role,
)
from proposals.supervision import statistics
from tests.conftest import login

pytestmark = pytest.mark.django_db

S, B, D = Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED


def rate(staff, reply, deputy, attitude="", rating="", note=""):
    return login(staff).post(
        reverse("reply_feedback", args=[reply.pk]),
        {"deputy": deputy.pk, "attitude": attitude, "rating": rating, "note": note},
    )


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def correct(staff, feedback, attitude, rating, reason="登记时选错。"):
    return login(staff).post(
        reverse("feedback_correct", args=[feedback.pk]),
        {"attitude": attitude, "rating": rating, "reason": reason},
    )


def lead_and_co_signer(reply):
    return reply.proposal.lead_author(), reply.proposal.authorships.get(is_lead=False).deputy


# --- recording ----------------------------------------------------------------------------------


def test_both_ratings_are_recorded_audited_and_shown(issued, committee_staff, clerk):
    lead, co_signer = lead_and_co_signer(issued)
    rate(committee_staff, issued, co_signer, attitude=S, rating=B, note="答复较具体。")
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    assert (feedback.attitude, feedback.rating) == (S, B)
    event = AuditEvent.objects.get(event="feedback")
    assert (event.detail["attitude"], event.detail["rating"]) == (S, B)
    page = login(clerk).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert f"{co_signer.name}：办理态度<strong>满意</strong>，办理结果<strong>基本满意</strong>" in page
    audit = login(committee_staff).get(reverse("audit_log"), {"event": "feedback"}).content.decode()
    assert '办理态度：</dt><dd class="d-inline">满意' in audit
    assert '办理结果：</dt><dd class="d-inline">基本满意' in audit


def test_the_form_offers_both_with_an_empty_choice_and_asks_with_both_values(issued, committee_staff):
    page = login(committee_staff).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    form = page.split('action="' + reverse("reply_feedback", args=[issued.pk]))[1].split("</form>")[0]
    for name, label in (("attitude", "办理态度"), ("rating", "办理结果")):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', form, re.S)
        assert select, name
        options = re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))
        assert options == ["请选择", "满意", "基本满意", "不满意"], (name, options)
        assert re.search(rf'<label\s+for="id_{name}"[^>]*>\s*{label}<', form), label
    assert 'data-confirm="确认登记{deputy}的评价：办理态度“{attitude}”，办理结果“{rating}”？' in form


@pytest.mark.parametrize(
    ("attitude", "rating", "message"),
    [
        ("", B, "请选择办理态度。"),
        (S, "", "请选择办理结果。"),
        ("", "", "请选择办理态度。请选择办理结果。"),
        ("很好", S, "办理态度只能是满意、基本满意或不满意。"),
    ],
)
def test_a_missing_value_is_refused_naming_the_field(issued, committee_staff, attitude, rating, message):
    lead, _ = lead_and_co_signer(issued)
    response = rate(committee_staff, issued, lead, attitude=attitude, rating=rating)
    assert said(response) == [message]
    assert not Feedback.objects.exists()


def test_the_workflow_names_the_missing_rating_too(issued, committee_staff):
    lead, _ = lead_and_co_signer(issued)
    with pytest.raises(workflow.WorkflowError, match="^请选择办理态度：满意、基本满意或不满意。$"):
        workflow.record_feedback(issued, committee_staff, lead, attitude="", rating=S)
    with pytest.raises(workflow.WorkflowError, match="^请选择办理态度和办理结果："):
        workflow.record_feedback(issued, committee_staff, lead, attitude="x", rating="y")
    assert not Feedback.objects.exists()


# --- round 2 ------------------------------------------------------------------------------------


def test_round_2_opens_on_the_lead_authors_result_dissatisfied(issued, committee_staff):
    lead, _ = lead_and_co_signer(issued)
    rate(committee_staff, issued, lead, attitude=S, rating=D, note="措施不够具体。")
    second = Reply.objects.get(assignment=issued.assignment, round=2)
    assert second.events.get().note == f"领衔代表{lead.name}对办理结果不满意：措施不够具体。"


def test_attitude_dissatisfied_is_recorded_and_counted_but_reopens_nothing(issued, committee_staff):
    lead, co_signer = lead_and_co_signer(issued)
    rate(committee_staff, issued, lead, attitude=D, rating=S)
    rate(committee_staff, issued, co_signer, attitude=D, rating=D)  # a co-signer's result: no round
    assert Reply.objects.filter(assignment=issued.assignment).count() == 1
    assert Feedback.objects.get(reply=issued, deputy=lead).attitude == D
    row = next(r for r in statistics.per_agency() if r.agency == issued.agency.name)
    assert (row.attitude.dissatisfied, row.result.satisfied, row.attitude_rate, row.satisfaction_rate) == (
        1,
        1,
        0.0,
        100.0,
    )


# --- corrections --------------------------------------------------------------------------------


def test_correcting_the_attitude_only(issued, committee_staff, clerk):
    _, co_signer = lead_and_co_signer(issued)
    rate(committee_staff, issued, co_signer, attitude=S, rating=B)
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    response = correct(committee_staff, feedback, D, B, "代表来电说明态度一栏勾选的是不满意。")
    assert said(response) == [f"已更正{co_signer.name}的评价。"]
    feedback.refresh_from_db()
    change = FeedbackCorrection.objects.get(feedback=feedback)
    assert (feedback.attitude, feedback.rating) == (D, B)
    assert (change.from_attitude, change.to_attitude, change.from_rating, change.to_rating) == (S, D, "", "")
    event = AuditEvent.objects.get(event="feedback_correct")
    assert (event.detail["from_attitude"], event.detail["to_attitude"]) == (S, D)
    assert "from_rating" not in event.detail
    page = login(clerk).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert "更正：办理态度：满意 → 不满意。理由：代表来电说明态度一栏勾选的是不满意。" in page
    audit = login(committee_staff).get(reverse("audit_log"), {"event": "feedback_correct"}).content.decode()
    assert '原办理态度：</dt><dd class="d-inline">满意' in audit
    assert '办理态度更正为：</dt><dd class="d-inline">不满意' in audit


def test_correcting_the_result_only_and_then_both(issued, committee_staff, clerk):
    _, co_signer = lead_and_co_signer(issued)
    rate(committee_staff, issued, co_signer, attitude=S, rating=S)
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    correct(committee_staff, feedback, S, B)
    correct(committee_staff, feedback, B, D, "再次核对原件。")
    first, second = FeedbackCorrection.objects.filter(feedback=feedback)
    assert (first.from_attitude, first.to_attitude, first.from_rating, first.to_rating) == ("", "", S, B)
    assert (second.from_attitude, second.to_attitude, second.from_rating, second.to_rating) == (S, B, B, D)
    assert str(second) == "办理态度：满意 → 基本满意；办理结果：基本满意 → 不满意"
    page = login(clerk).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert "更正：办理结果：满意 → 基本满意。" in page
    assert "更正：办理态度：满意 → 基本满意；办理结果：基本满意 → 不满意。理由：再次核对原件。" in page


def test_a_correction_form_starts_at_the_recorded_values(issued, committee_staff):
    _, co_signer = lead_and_co_signer(issued)
    rate(committee_staff, issued, co_signer, attitude=B, rating=D)
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    page = login(committee_staff).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    form = page.split('action="' + reverse("feedback_correct", args=[feedback.pk]))[1].split("</form>")[0]
    assert (
        f'<label class="form-label small" for="id_correct_attitude_{feedback.pk}">办理态度更正为</label>'
        in form
    )
    assert (
        f'<label class="form-label small" for="id_correct_rating_{feedback.pk}">办理结果更正为</label>'
        in form
    )
    assert '<option value="basically" selected>基本满意</option>' in form.split('name="rating"')[0]
    assert '<option value="dissatisfied" selected>不满意</option>' in form.split('name="rating"')[1]
    assert '<option value="">请选择</option>' in form
    assert "办理态度“{attitude}”，办理结果“{rating}”" in form


@pytest.mark.parametrize(
    ("attitude", "rating", "reason", "message"),
    [
        ("", S, "理由", "请选择更正后的办理态度。"),
        (S, "", "理由", "请选择更正后的办理结果。"),
        (S, S, "", "更正评价必须说明理由。"),
        (S, S, "理由", "更正后的办理态度和办理结果与原评价相同。"),
    ],
)
def test_a_correction_is_refused_in_chinese(issued, committee_staff, attitude, rating, reason, message):
    _, co_signer = lead_and_co_signer(issued)
    rate(committee_staff, issued, co_signer, attitude=S, rating=S)
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    response = correct(committee_staff, feedback, attitude, rating, reason)
    assert said(response) == [message]
    assert not FeedbackCorrection.objects.exists()


def test_correcting_the_lead_authors_attitude_never_opens_a_round(issued, committee_staff):
    lead, _ = lead_and_co_signer(issued)
    rate(committee_staff, issued, lead, attitude=S, rating=S)
    feedback = Feedback.objects.get(reply=issued, deputy=lead)
    correct(committee_staff, feedback, D, S)
    assert Reply.objects.filter(assignment=issued.assignment).count() == 1
    correct(committee_staff, Feedback.objects.get(pk=feedback.pk), D, D, "代表补充说明结果也不满意。")
    assert Reply.objects.filter(assignment=issued.assignment, round=2).count() == 1


def test_after_round_2_the_attitude_can_still_be_corrected_but_not_the_result(issued, committee_staff):
    lead, _ = lead_and_co_signer(issued)
    rate(committee_staff, issued, lead, attitude=S, rating=D)
    feedback = Feedback.objects.get(reply=issued, deputy=lead)
    response = correct(committee_staff, feedback, S, S, "又改回")
    assert said(response) == [
        "领衔代表对办理结果的不满意已开始第2轮办理，不能再更正；请在新一轮答复后登记评价。"
    ]
    correct(committee_staff, feedback, B, D, "态度一栏登记错误。")
    feedback.refresh_from_db()
    assert (feedback.attitude, feedback.rating) == (B, D)
    assert Reply.objects.filter(assignment=issued.assignment).count() == 2  # no third round


# --- statistics, dashboard, demo data ----------------------------------------------------------


def test_shares_add_up_to_100():
    assert statistics.shares([1, 1, 1]) == [33.4, 33.3, 33.3]
    assert statistics.shares([2, 1, 0]) == [66.7, 33.3, 0.0]
    assert statistics.shares([1, 5, 1]) == [14.3, 71.4, 14.3]
    assert statistics.shares([0, 0, 0]) == [None, None, None]
    for counts in ([1, 2, 4], [3, 3, 1], [7, 0, 6], [1, 1, 5], [97, 2, 1]):
        assert round(sum(statistics.shares(counts)), 1) == 100.0, counts


@pytest.fixture
def rated_world(issued, committee_staff, clerk, leader):
    """Three answered proposals of 市人社局, their lead authors rating them differently."""
    replies = [issued]
    for number in ("31", "32"):
        reply = Reply.objects.create(
            assignment=Assignment.objects.create(
                proposal=issued.proposal.__class__.objects.create(
                    session=issued.proposal.session, number=number, title=f"关于第{number}号事项的建议"
                ),
                agency=issued.agency,
                role=Role.LEAD,
            ),
            status="issued",
            class_code="B",
        )
        reply.proposal.set_authors([f"代表{number}"])
        replies.append(reply)
    for reply, (attitude, rating) in zip(replies, [(S, S), (S, B), (B, D)], strict=True):
        Feedback.objects.create(
            reply=reply,
            deputy=reply.proposal.lead_author(),
            attitude=attitude,
            rating=rating,
            recorded_by=committee_staff,
        )
    return replies


def test_statistics_count_both_with_shares_of_100(rated_world, committee_staff):
    row = next(r for r in statistics.per_agency() if r.agency == rated_world[0].agency.name)
    assert (row.result.counts, row.result.shares, row.satisfaction_rate) == (
        [1, 1, 1],
        [33.4, 33.3, 33.3],
        66.7,
    )
    assert (row.attitude.counts, row.attitude.shares, row.attitude_rate) == (
        [2, 1, 0],
        [66.7, 33.3, 0.0],
        100.0,
    )
    total = statistics.totals(statistics.per_agency())
    for satisfaction in total.satisfactions:
        assert round(sum(satisfaction.shares), 1) == 100.0
        assert round(satisfaction.rate + satisfaction.shares[2], 1) == 100.0

    client = login(committee_staff)
    page = client.get(reverse("statistics")).content.decode()
    table = page.split('class="table table-sm satisfaction"')[1].split("</table>")[0]
    assert '<th scope="row">办理结果</th>' in table and '<th scope="row">办理态度</th>' in table
    assert '1<span class="text-body-secondary">（33.4%）</span>' in table
    assert '2<span class="text-body-secondary">（66.7%）</span>' in table
    assert '<th colspan="4" class="text-center">办理态度</th>' in page

    def sheet(table):
        response = client.get(reverse("statistics_xlsx", args=[table]))
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        return list(book.active.iter_rows(values_only=True))

    rows = sheet("satisfaction")
    assert rows[0] == ("评价项目", "评价", "件数", "占比%")
    assert rows[1:4] == [
        ("办理结果", "满意", 1, 33.4),
        ("办理结果", "基本满意", 1, 33.3),
        ("办理结果", "不满意", 1, 33.3),
    ]
    assert ("办理态度", "满意", 2, 66.7) in rows and (
        "办理态度",
        "满意率（满意＋基本满意）",
        3,
        100.0,
    ) in rows
    agencies = sheet("agencies")
    header = list(agencies[0])
    first = header.index("办理结果满意")  # after the columns before it (签收, 会签, …)
    assert header[first : first + 8] == [
        "办理结果满意",
        "办理结果基本满意",
        "办理结果不满意",
        "办理结果满意率%",
        "办理态度满意",
        "办理态度基本满意",
        "办理态度不满意",
        "办理态度满意率%",
    ]
    hr = next(r for r in agencies if r[0] == rated_world[0].agency.name)
    assert list(hr[first : first + 8]) == [1, 1, 1, 66.7, 2, 1, 0, 100.0]


def test_the_dashboard_shows_both(rated_world, committee_staff):
    page = login(committee_staff).get(reverse("dashboard")).content.decode()
    assert "<div>态度：基本满意</div><div>结果：不满意</div>" in page
    assert "<div>态度：满意</div><div>结果：基本满意</div>" in page


def test_demo_data_rates_both():
    call_command("seed_demo", "--proposals", "60", "--agencies", "5", stdout=io.StringIO())
    ratings = list(Feedback.objects.values_list("attitude", "rating"))
    assert ratings and all(a in Rating.values and r in Rating.values for a, r in ratings)
    assert any(a != r for a, r in ratings)


# --- the 征询意见表 PDF ------------------------------------------------------------------------

LONG_TITLE = (
    "关于进一步加快推进随州市城乡公共交通一体化建设、优化农村客运班线布局、"
    "完善城乡客运站场等基础设施并切实解决偏远山区群众出行难问题的建议"
)
TEN_AUTHORS = [
    "沈宝栋",
    "阿卜杜热合曼·买买提",
    "欧阳文静",
    "努尔古丽·艾山江",
    "司马长风",
    "买买提明·艾则孜",
    "诸葛明远",
    "古丽米拉·吐尔逊",
    "上官婉清",
    "热依拉·阿不都热合曼",
]
TITLE_LINES = ["人大代表建议、批评和意见", "办理情况征询意见表"]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


MM = 72 / 25.4


def lines_of(page, right_of_mm: float = 0) -> list[tuple[float, str]]:
    """(font size, text) of each printed line, top to bottom; only what is printed right of
    `right_of_mm` (the value column starts after the 28 mm margin and the 25 mm label column)."""
    rows = collections.defaultdict(list)
    for ch in page.chars:
        if ch["x0"] >= right_of_mm * MM:
            rows[round(ch["top"])].append(ch)
    return [
        (
            round(max(c["size"] for c in chars), 1),
            "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])),
        )
        for _, chars in sorted(rows.items())
    ]


def feedback_pdf(user, reply) -> bytes:
    response = login(user).get(reverse("feedback_form_pdf", args=[reply.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def with_many_agencies(reply, authors, title):
    proposal = reply.proposal
    proposal.title = title
    proposal.save()
    proposal.set_authors(authors)
    for name in ("随州市交通运输局", "随州市财政局", "随州市发展和改革委员会", "随州市农业农村局"):
        Assignment.objects.create(proposal=proposal, agency=Agency.objects.create(name=name), role=Role.CO)


@pytest.mark.parametrize(
    ("authors", "title"),
    [
        (TEN_AUTHORS, LONG_TITLE),
        ([f"{name}{'·阿不都拉'}" for name in TEN_AUTHORS], LONG_TITLE * 2),  # as long as it gets
    ],
    ids=["ten-long-names", "longer-still"],
)
def test_the_feedback_form_is_one_page_for_ten_authors(issued, clerk, authors, title, tmp_path):
    with_many_agencies(issued, authors, title)
    pdf = feedback_pdf(clerk, issued)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        printed = lines_of(page)
        text = squeeze(page.extract_text())
        values = "".join(line for _, line in lines_of(page, right_of_mm=28 + 25))
        # The title: two lines in 2号, broken between its phrases only.
        assert [line for size, line in printed if size >= 20] == TITLE_LINES
        # The table is whole on the page: its frame closes below the signature row.
        bottom_rule = max(edge["bottom"] for edge in page.edges)
        sign_row = next(ch["top"] for ch in page.chars if ch["text"] == "签")
        assert sign_row < bottom_rule < page.height
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Pages:\s+1$", info, re.M)
    for words in ("办理态度", "办理结果", "意见建议", "代表签名"):
        assert words in text, words
    assert squeeze(title) in values and "、".join(authors[1:]) in values
    assert text.count("□满意□基本满意□不满意") == 2
    assert "随州市发展和改革委员会" in text and "市五届人大一次会议第12号建议" in text
    # No author's name is split over two lines.
    line_texts = [line for _, line in printed]
    for name in authors[1:]:
        assert any(name in line for line in line_texts), name
    (tmp_path / "feedback-form.pdf").write_bytes(pdf)


def test_a_short_proposal_gets_the_larger_type_and_a_page_filling_opinion_box(issued, clerk):
    pdf = feedback_pdf(clerk, issued)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        sizes = {round(ch["size"], 1) for ch in page.chars if ch["text"] == "届"}
        assert sizes == {12.0}
        note = next(ch["bottom"] for ch in reversed(page.chars) if ch["text"] == "。")
        assert (page.height - note) / 72 * 25.4 < 35 + 5  # the note ends near the foot of the type area


def test_the_cppcc_form_has_its_own_title_on_one_line(issued, clerk):
    proposal = issued.proposal
    proposal.kind = "提案"
    proposal.save()
    with pdfplumber.open(io.BytesIO(feedback_pdf(clerk, issued))) as document:
        assert len(document.pages) == 1
        assert [line for size, line in lines_of(document.pages[0]) if size >= 20] == [
            "政协提案办理情况反馈意见表"
        ]
