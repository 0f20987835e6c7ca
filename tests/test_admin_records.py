"""The admin cannot rewrite the record (issue 14 §3; SEC-08, SEC-11, SEC-12). As the system
administrator, through /admin/: each rewrite the probe made is refused with a message (never a
500) and leaves the record as it was; nothing of the work can be deleted; what stays editable
is audited with every field before and after; an administrator account holds no agency role
and never drafts, signs or approves."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from measures.models import Measure
from proposals import workflow
from proposals.models import (
    Agency,
    Assignment,
    AuditEvent,
    CoOpinion,
    Deputy,
    ExportJob,
    Feedback,
    Publication,
    Rating,
    Reply,
    ReplyStatus,
    ReplyVersion,
    Session,
    User,
    UserRole,
)
from tests.conftest import TWO_SECTIONS, editor_data, login, submit_opinion

pytestmark = pytest.mark.django_db

READ_ONLY = "只能查看，不能修改或删除"
SEPARATION = "系统管理员账号不能起草、签发或审核答复（三员分立）"


class FormValues(HTMLParser):
    """What the browser posts for the admin's change form as loaded (inline templates aside)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.select = self.textarea = None

    def add(self, name, value):
        if name and "__prefix__" not in name:
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.add(name, attrs.get("value") or ("on" if attrs.get("type") == "checkbox" else ""))
        elif tag == "select":
            self.select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.add(name, "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and "__prefix__" not in self.textarea:
            values = self.data[self.textarea]
            values[-1] += data.removeprefix("\n") if not values[-1] else data


def change_form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = FormValues()
    parser.feed(response.content.decode())
    assert "_save" not in parser.data
    return {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def delete_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_delete", args=[obj.pk])


def refused(response, text: str = READ_ONLY) -> str:
    """The refusal: a redirect back to the (read-only) page, which shows why."""
    assert response.status_code == 200, response.status_code
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    page = response.content.decode()
    assert text in page, page[:3000]
    return page


def refusals() -> int:
    return AuditEvent.objects.filter(event="admin_change", outcome="refused").count()


def test_a_signed_off_reply_keeps_the_text_the_leader_signed(
    draft, clerk, leader, cohandler, union_assignment, sysadmin
):
    admin = login(sysadmin)
    data = change_form(admin, change_url(draft))
    # While it is a draft the form saves, and the change is audited field by field.
    response = admin.post(change_url(draft), {**data, "opening": "草稿阶段的开头语。"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Reply.objects.get(pk=draft.pk).opening == "草稿阶段的开头语。"
    row = AuditEvent.objects.filter(event="admin_change", object_id=str(draft.pk)).latest("seq")
    assert row.object_type == "proposals.Reply" and row.outcome == "ok"
    assert row.detail["changes"]["opening"] == [draft.opening, "草稿阶段的开头语。"]
    # Submitted and signed off: the same form, with the admin's text, is refused.
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    login(leader).post(reverse("reply_sign_off", args=[draft.pk]))
    signed = Reply.objects.get(pk=draft.pk)
    assert signed.status == ReplyStatus.APPROVED
    before = refusals()
    response = admin.post(
        change_url(signed),
        {**data, "opening": "管理员改写的开头语。", "version": signed.version},
        follow=True,
    )
    page = refused(response)
    assert "已签发" in page and "管理员改写的开头语。" not in page
    assert Reply.objects.get(pk=signed.pk).opening == "草稿阶段的开头语。"
    assert refusals() == before + 1
    # The page is read-only: no save button, no delete link.
    page = admin.get(change_url(signed)).content.decode()
    assert 'name="_save"' not in page and delete_url(signed) not in page


def test_an_issued_replys_measures_are_refused_never_a_500(issued, sysadmin):
    admin = login(sysadmin)
    measure = Measure.objects.filter(reply=issued).order_by("position").first()
    heading = measure.heading
    # Through the reply's page, with its measures inline.
    data = {
        "measures-TOTAL_FORMS": "1",
        "measures-INITIAL_FORMS": "1",
        "measures-0-id": str(measure.pk),
        "measures-0-reply": str(issued.pk),
        "measures-0-level": "1",
        "measures-0-position": "1",
        "measures-0-heading": "管理员改写的小标题",
        "measures-0-paragraphs": "改写。",
    }
    refused(admin.post(change_url(issued), data, follow=True))
    # Through the measures' own pages: change, add, delete.
    fields = {
        "reply": issued.pk,
        "parent": "",
        "level": 1,
        "position": 1,
        "heading": "改写",
        "paragraphs": "改",
    }
    page = refused(admin.post(change_url(measure), fields, follow=True), "不能在数据管理中增加或修改办理措施")
    assert "已答复" in page
    count = Measure.objects.filter(reply=issued).count()
    response = admin.post(reverse("admin:measures_measure_add"), {**fields, "position": 99})
    assert response.status_code == 200 and "不能在数据管理中增加或修改办理措施" in response.content.decode()
    refused(
        admin.post(delete_url(measure), {"post": "yes"}, follow=True), "不能在数据管理中增加或修改办理措施"
    )
    assert Measure.objects.filter(reply=issued).count() == count
    assert Measure.objects.get(pk=measure.pk).heading == heading


def test_versions_cannot_be_deleted_so_a_leader_who_edited_cannot_sign(
    draft, clerk, leader, second_leader, cohandler, union_assignment, sysadmin
):
    leader_client = login(leader)
    response = leader_client.post(
        reverse("reply_edit", args=[draft.pk]),
        editor_data(draft, TWO_SECTIONS, client=leader_client, opening="领导修改过的开头语。"),
    )
    assert response.status_code == 302
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    versions = ReplyVersion.objects.filter(reply=draft)
    edited = versions.get(saved_by=leader)
    count = versions.count()
    admin = login(sysadmin)
    # No delete link, no bulk delete; the delete page and a forged POST are refused.
    assert delete_url(edited) not in admin.get(change_url(edited)).content.decode()
    listing = admin.get(reverse("admin:proposals_replyversion_changelist")).content.decode()
    assert "delete_selected" not in listing
    response = admin.get(delete_url(edited))
    assert response.status_code == 302 and response["Location"] == change_url(edited)
    refused(admin.post(delete_url(edited), {"post": "yes"}, follow=True))
    admin.post(
        reverse("admin:proposals_replyversion_changelist"),
        {"action": "delete_selected", "_selected_action": [str(v.pk) for v in versions], "post": "yes"},
    )
    assert versions.count() == count and versions.filter(saved_by=leader).exists()
    # So the leader who edited the draft still cannot sign it off; another leader can.
    response = login(leader).post(reverse("reply_sign_off", args=[draft.pk]), follow=True)
    assert "起草人不能签发自己起草的答复" in response.content.decode()
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.SUBMITTED
    login(second_leader).post(reverse("reply_sign_off", args=[draft.pk]))
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.APPROVED


def test_a_submitted_opinion_and_its_author_stay_as_written(submitted, cohandler, outsider, sysadmin):
    opinion = CoOpinion.objects.get()
    text, author = opinion.text, opinion.written_by
    admin = login(sysadmin)
    response = admin.post(
        change_url(opinion),
        {"assignment": opinion.assignment_id, "text": "管理员改写的会办意见", "written_by": outsider.pk},
        follow=True,
    )
    refused(response)
    assert admin.get(reverse("admin:proposals_coopinion_add")).status_code == 403
    refused(admin.post(delete_url(opinion), {"post": "yes"}, follow=True))
    opinion.refresh_from_db()
    assert (opinion.text, opinion.written_by) == (text, author)


def test_an_assignment_with_an_issued_reply_stays_with_its_agency(
    issued, outsider, education_agency, sysadmin
):
    assignment = issued.assignment
    agency = assignment.agency
    admin = login(sysadmin)
    fields = {
        "proposal": assignment.proposal_id,
        "agency": education_agency.pk,
        "role": assignment.role,
        "assigned_date": assignment.assigned_date.isoformat(),
    }
    page = refused(admin.post(change_url(assignment), fields, follow=True), "该交办已有答复或会办意见")
    assert "调整承办单位" in page
    refused(admin.post(delete_url(assignment), {"post": "yes"}, follow=True), "该交办已有答复或会办意见")
    # Nor through the proposal's page (its 交办 inline), nor as a new 交办 of the proposal.
    refused(
        admin.post(change_url(assignment.proposal), {"title": "改写"}, follow=True), "该建议／提案已有答复"
    )
    response = admin.post(reverse("admin:proposals_assignment_add"), {**fields, "role": "co"})
    assert response.status_code == 200 and not Assignment.objects.filter(agency=education_agency).exists()
    assert Assignment.objects.get(pk=assignment.pk).agency == agency
    assert login(outsider).get(reverse("reply_detail", args=[issued.pk])).status_code == 404


def test_an_export_jobs_file_cannot_be_replaced(issued, committee_staff, sysadmin):
    job = ExportJob.objects.create(
        session=issued.proposal.session, requested_by=committee_staff, status="done"
    )
    job.file.save("归档.zip", ContentFile(b"PK original"), save=True)
    name = job.file.name
    admin = login(sysadmin)
    forged = ContentFile(b"PK forged", name="归档.zip")
    response = admin.post(
        change_url(job),
        {"session": job.session_id, "requested_by": committee_staff.pk, "status": "done", "file": forged},
        follow=True,
    )
    refused(response)
    refused(admin.post(delete_url(job), {"post": "yes"}, follow=True))
    job.refresh_from_db()
    assert job.file.name == name and job.file.read() == b"PK original"


def test_records_of_the_work_are_read_only_and_never_deleted(
    issued, committee_staff, second_leader, sysadmin
):
    deputy = issued.proposal.authorships.get(is_lead=True).deputy
    workflow.record_feedback(
        issued, committee_staff, deputy, attitude=Rating.SATISFIED, rating=Rating.SATISFIED
    )
    workflow.publish(issued, second_leader)
    records = [
        issued,
        issued.assignment,
        ReplyVersion.objects.filter(reply=issued).first(),
        CoOpinion.objects.get(),
        Feedback.objects.get(),
        Publication.objects.get(),
        Measure.objects.filter(reply=issued).first(),
        AuditEvent.objects.first(),
    ]
    admin = login(sysadmin)
    for obj in records:
        page = admin.get(change_url(obj))
        assert page.status_code == 200, obj
        html = page.content.decode()
        assert 'name="_save"' not in html and delete_url(obj) not in html, obj
        response = admin.post(delete_url(obj), {"post": "yes"})
        assert response.status_code == 302, obj
        assert type(obj).objects.filter(pk=obj.pk).exists(), obj
    for model in ("reply", "replyversion", "coopinion", "feedback", "publication", "exportjob", "auditevent"):
        listing = admin.get(reverse(f"admin:proposals_{model}_changelist")).content.decode()
        assert "delete_selected" not in listing, model
    # Cascades are refused too: the session of an issued reply cannot go.
    session = issued.proposal.session
    admin.post(delete_url(session), {"post": "yes"})
    assert Session.objects.filter(pk=session.pk).exists()


def test_allowed_changes_are_audited_with_before_and_after(issued, committee_staff, sysadmin):
    agency = issued.agency
    admin = login(sysadmin)
    data = change_form(admin, change_url(agency))
    old_phone = agency.handler_phone
    response = admin.post(change_url(agency), {**data, "handler_phone": "0722-3251299"})
    assert response.status_code == 302, response.content.decode()[:3000]
    row = AuditEvent.objects.filter(event="admin_change", object_type="proposals.Agency").latest("seq")
    assert (row.actor, row.outcome, row.detail["action"]) == (sysadmin, "ok", "update")
    assert row.detail["changes"] == {"handler_phone": [old_phone, "0722-3251299"]}
    # A session's deadline rules stay editable; its name, printed in the sent letter, does not.
    session = issued.proposal.session
    data = change_form(admin, change_url(session))
    assert "name" not in data
    response = admin.post(change_url(session), {**data, "reply_months": "4", "name": "改写的届次"})
    assert response.status_code == 302, response.content.decode()[:3000]
    session.refresh_from_db()
    assert session.reply_months == 4 and session.name != "改写的届次"
    row = AuditEvent.objects.filter(event="admin_change", object_type="proposals.Session").latest("seq")
    assert row.detail["changes"] == {"reply_months": [3, 4]}
    # The audit page names the event, the fields and both values in Chinese.
    page = login(committee_staff).get(reverse("audit_log"), {"event": "admin_change"}).content.decode()
    assert "后台修改" in page and f"经办人电话：{old_phone} → 0722-3251299" in page
    assert "答复期限（月）：3 → 4" in page
    # A deputy's contact data and a new calendar day: audited the same way.
    deputy = Deputy.objects.first()
    data = change_form(admin, change_url(deputy))
    admin.post(change_url(deputy), {**data, "address": "随州市曾都区"})
    row = AuditEvent.objects.filter(event="admin_change", object_type="proposals.Deputy").latest("seq")
    assert row.detail["changes"]["address"][1] == "随州市曾都区"
    response = admin.post(
        reverse("admin:proposals_calendarday_add"), {"day": "2031-10-08", "is_workday": "on", "note": "调休"}
    )
    assert response.status_code == 302
    row = AuditEvent.objects.filter(event="admin_change", object_type="proposals.CalendarDay").latest("seq")
    assert row.detail["action"] == "create" and row.detail["changes"]["note"] == [None, "调休"]


def test_an_administrator_holds_no_agency_role_and_cannot_sign(submitted, hr_agency, clerk, sysadmin):
    admin = login(sysadmin)
    data = change_form(admin, change_url(sysadmin))
    # Giving itself a leader role in the agency: refused, the account unchanged.
    response = admin.post(change_url(sysadmin), {**data, "role": UserRole.LEADER, "agency": hr_agency.pk})
    assert response.status_code == 200
    assert "不能修改自己账号的角色" in response.content.decode()
    # Another administrator cannot give it one either (三员分立), nor admin rights to a clerk.
    other = User.objects.create_superuser("sysadmin2", "", "Suizhou-2026-test")
    response = login(other).post(
        change_url(sysadmin), {**data, "role": UserRole.LEADER, "agency": hr_agency.pk}
    )
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    clerk_data = change_form(login(other), change_url(clerk))
    response = login(other).post(change_url(clerk), {**clerk_data, "is_staff": "on"})
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    sysadmin.refresh_from_db()
    clerk.refresh_from_db()
    assert (sysadmin.role, sysadmin.agency, clerk.is_staff) == (UserRole.ADMIN, None, False)
    # The model refuses it however it is saved.
    sysadmin.role, sysadmin.agency = UserRole.LEADER, hr_agency
    with pytest.raises(ValidationError):
        sysadmin.save()
    # And an administrator account whose row says leader (written behind the model's back)
    # still cannot sign off, draft or return: refused with the reason.
    User.objects.filter(pk=sysadmin.pk).update(role=UserRole.LEADER, agency=hr_agency)
    portal = login(User.objects.get(pk=sysadmin.pk))
    response = portal.post(reverse("reply_sign_off", args=[submitted.pk]), follow=True)
    assert SEPARATION in response.content.decode()
    response = portal.post(reverse("reply_return", args=[submitted.pk]), {"reason": "退回"}, follow=True)
    assert SEPARATION in response.content.decode()
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.SUBMITTED


def test_an_agency_without_work_can_still_be_managed(sysadmin):
    admin = login(sysadmin)
    response = admin.post(
        reverse("admin:proposals_agency_add"),
        {
            "name": "随州市文化和旅游局",
            "short_name": "市文旅局",
            "contact_style": "suizhou",
            "copy_style": "suizhou",
            "class_code_position": "header_line",
            "default_copies-TOTAL_FORMS": "0",
            "default_copies-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agency = Agency.objects.get(name="随州市文化和旅游局")
    row = AuditEvent.objects.filter(event="admin_change", object_id=str(agency.pk)).get()
    assert row.detail["action"] == "create" and row.detail["changes"]["name"] == [None, "随州市文化和旅游局"]
    response = admin.post(delete_url(agency), {"post": "yes"})
    assert response.status_code == 302 and not Agency.objects.filter(pk=agency.pk).exists()
    row = AuditEvent.objects.filter(event="admin_change", object_id=str(agency.pk)).latest("seq")
    assert row.detail["action"] == "delete" and row.detail["changes"]["name"] == ["随州市文化和旅游局", None]
