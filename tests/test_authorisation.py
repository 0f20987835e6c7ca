"""Who may do what (SEC-09, SEC-10, SEC-19): every URL pattern × role × method against a table;
extra POST fields change nothing; every state-changing request needs a CSRF token and a GET
never changes state."""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from proposals.models import Commitment, ExportJob, Reply, ReplyStatus
from tests.conftest import TWO_SECTIONS, editor_data, login

pytestmark = pytest.mark.django_db

# Expected status per URL name, for GET then POST, per user: C clerk and L leader of the lead
# agency (市人社局), H clerk of the 会办 agency (市总工会), S committee staff, O clerk of an
# agency with no part in the proposal (市教育局), A system administrator, - anonymous.
# "L" as a status means: redirected to the login page. A POST answered 302 by an action means
# the request reached the workflow, which refuses what the role may not do (tested with the
# workflow); 403/404 mean the view refused.
MATRIX = """
home                 GET C200 L200 H200 S200 O200 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
reply_list           GET C200 L200 H200 S200 O200 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
queue                GET C200 L200 H200 S200 O200 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
proposal_create      GET C403 L403 H403 S200 O403 A200 -L     POST C403 L403 H403 S400 O403 A400 -L
proposal_detail      GET C200 L200 H200 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
proposal_edit        GET C403 L403 H403 S200 O404 A200 -L     POST C403 L403 H403 S400 O404 A400 -L
proposal_assign      GET C403 L403 H403 S200 O404 A200 -L     POST C403 L403 H403 S400 O404 A400 -L
assignment_edit      GET C403 L403 H404 S200 O404 A200 -L     POST C403 L403 H404 S400 O404 A400 -L
assignment_reassign  GET C403 L403 H404 S200 O404 A200 -L     POST C403 L403 H404 S400 O404 A400 -L
group_new            GET C403 L403 H403 S200 O403 A200 -L     POST C403 L403 H403 S400 O403 A400 -L
group_split          GET C405 L405 H405 S405 O405 A405 -L     POST C404 L404 H404 S404 O404 A404 -L
assignment_receive   GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
assignment_handback  GET C200 L200 H404 S403 O404 A403 -L     POST C400 L400 H404 S403 O404 A403 -L
handback_decide      GET C404 L404 H404 S404 O404 A404 -L     POST C404 L404 H404 S404 O404 A404 -L
assignment_start     GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
opinion_edit         GET C404 L404 H200 S200 O404 A200 -L     POST C404 L404 H200 S403 O404 A403 -L
countersign          GET C404 L404 H200 S200 O404 A200 -L     POST C404 L404 H302 S403 O404 A403 -L
commitment_list      GET C200 L200 H200 S200 O200 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
commitment_detail    GET C200 L200 H404 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
commitment_edit      GET C405 L405 H405 S405 O405 A405 -L     POST C400 L400 H404 S400 O404 A400 -L
commitment_progress  GET C405 L405 H405 S405 O405 A405 -L     POST C400 L400 H404 S400 O404 A400 -L
commitment_report    GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
assignment_supervise GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
notices              GET C200 L200 H200 S200 O200 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
notices_read         GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H302 S302 O302 A302 -L
notice_open          GET C405 L405 H405 S405 O405 A405 -L     POST C404 L404 H404 S404 O404 A404 -L
reply_detail         GET C200 L200 H404 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
reply_edit           GET C200 L200 H404 S403 O404 A403 -L     POST C200 L200 H404 S403 O404 A403 -L
reply_import         GET C200 L200 H404 S403 O404 A403 -L     POST C200 L200 H404 S403 O404 A403 -L
reply_preview        GET C405 L405 H405 S405 O405 A405 -L     POST C200 L200 H404 S200 O404 A200 -L
reply_submit         GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_return         GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_sign_off       GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_issue          GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_feedback       GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_review_pass    GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_review_return  GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
feedback_correct     GET C405 L405 H405 S405 O405 A405 -L     POST C404 L404 H404 S404 O404 A404 -L
reply_changes        GET C200 L200 H404 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
version_detail       GET C200 L200 H404 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
version_restore      GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S403 O404 A403 -L
reply_pdf            GET C200 L200 H404 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
reply_docx           GET C200 L200 H404 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
feedback_form_pdf    GET C200 L200 H404 S200 O404 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
reply_publish        GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_withdraw       GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_revoke         GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_unpublish      GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_extension      GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S302 O404 A302 -L
reply_communication  GET C405 L405 H405 S405 O405 A405 -L     POST C302 L302 H404 S403 O404 A403 -L
verify_letter        GET C403 L403 H403 S200 O403 A200 -L     POST C403 L403 H403 S200 O403 A200 -L
dashboard            GET C403 L403 H403 S200 O403 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
statistics           GET C403 L403 H403 S200 O403 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
statistics_xlsx      GET C403 L403 H403 S200 O403 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
intake               GET C403 L403 H403 S200 O403 A200 -L     POST C403 L403 H403 S404 O403 A404 -L
intake_template      GET C403 L403 H403 S200 O403 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
audit_log            GET C403 L403 H403 S200 O403 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
audit_xlsx           GET C403 L403 H403 S200 O403 A200 -L     POST C405 L405 H405 S405 O405 A405 -L
exports              GET C403 L403 H403 S200 O403 A200 -L     POST C403 L403 H403 S404 O403 A404 -L
export_detail        GET C404 L404 H404 S200 O404 A404 -L     POST C404 L404 H404 S200 O404 A404 -L
export_download      GET C404 L404 H404 S404 O404 A404 -L     POST C405 L405 H405 S405 O405 A405 -L
public_list          GET C200 L200 H200 S200 O200 A200 -200   POST C405 L405 H405 S405 O405 A405 -405
public_reply         GET C404 L404 H404 S404 O404 A404 -404   POST C405 L405 H405 S405 O405 A405 -405
public_reply_pdf     GET C404 L404 H404 S404 O404 A404 -404   POST C405 L405 H405 S405 O405 A405 -405
letter_font_css      GET C200 L200 H200 S200 O200 A200 -200   POST C405 L405 H405 S405 O405 A405 -405
licensed_font        GET C404 L404 H404 S404 O404 A404 -L     POST C405 L405 H405 S405 O405 A405 -L
deputy_home          GET C404 L404 H404 S404 O404 A404 -L     POST C405 L405 H405 S405 O405 A405 -L
deputy_proposal      GET C404 L404 H404 S404 O404 A404 -L     POST C405 L405 H405 S405 O405 A405 -L
deputy_reply_pdf     GET C404 L404 H404 S404 O404 A404 -L     POST C405 L405 H405 S405 O405 A405 -L
deputy_reply_download GET C404 L404 H404 S404 O404 A404 -L    POST C405 L405 H405 S405 O405 A405 -L
deputy_notices       GET C404 L404 H404 S404 O404 A404 -L     POST C405 L405 H405 S405 O405 A405 -L
deputy_notices_read  GET C405 L405 H405 S405 O405 A405 -L     POST C404 L404 H404 S404 O404 A404 -L
deputy_settings      GET C404 L404 H404 S404 O404 A404 -L     POST C404 L404 H404 S404 O404 A404 -L
deputy_feedback      GET C404 L404 H404 S404 O404 A404 -L     POST C404 L404 H404 S404 O404 A404 -L
login                GET C200 L200 H200 S200 O200 A200 -200   POST C200 L200 H200 S200 O200 A200 -200
deputy_accounts      GET C403 L403 H403 S200 O403 A200 -L     POST C403 L403 H403 S302 O403 A302 -L
deputy_account_open  GET C405 L405 H405 S405 O405 A405 -L     POST C404 L404 H404 S302 O404 A302 -L
deputy_account_close GET C405 L405 H405 S405 O405 A405 -L     POST C404 L404 H404 S302 O404 A302 -L
deputy_mobile        GET C405 L405 H405 S405 O405 A405 -L     POST C404 L404 H404 S302 O404 A302 -L
deputy_login         GET C200 L200 H200 S200 O200 A200 -200   POST C400 L400 H400 S400 O400 A400 -400
deputy_password      GET C404 L404 H404 S404 O404 A404 -L     POST C404 L404 H404 S404 O404 A404 -L
password_change      GET C200 L200 H200 S200 O200 A200 -L     POST C400 L400 H400 S400 O400 A400 -L
logout               GET C405 L405 H405 S405 O405 A405 -L     POST CL LL HL SL OL AL -L
"""


def expected() -> dict[str, dict[str, str]]:
    table = {}
    for line in MATRIX.strip().splitlines():
        name, _, *cells = line.split()
        get, post = cells[:7], cells[8:]
        table[name] = {"get": " ".join(get), "post": " ".join(post)}
    return table


def pattern_urls(reply: Reply, opinion_assignment, job: ExportJob) -> dict[str, str]:
    """A URL for every named pattern of the portal (the admin is tested by Django)."""
    urls = {}
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLPattern):
            continue
        name, converters = pattern.name, pattern.pattern.converters
        kwargs = {}
        if "pk" in converters:
            if name.startswith("proposal") or name == "deputy_proposal":
                kwargs["pk"] = reply.proposal.pk
            elif name.startswith("opinion") or name == "countersign":
                kwargs["pk"] = opinion_assignment.pk
            elif name.startswith("assignment"):
                kwargs["pk"] = reply.assignment.pk
            elif name.startswith("export"):
                kwargs["pk"] = job.pk
            elif name.startswith("commitment"):
                kwargs["pk"] = a_commitment(reply).pk
            elif name.startswith(("public", "notice")):
                kwargs["pk"] = 999_999  # nobody's
            elif name in ("deputy_account_open", "deputy_account_close", "deputy_mobile"):
                kwargs["pk"] = reply.proposal.lead_author().pk  # a Deputy's id, not a reply's
            else:
                kwargs["pk"] = reply.pk
        kwargs.update(
            {
                key: value
                for key, value in (("number", 1), ("table", "agencies"), ("role", "body"))
                if key in converters
            }
        )
        urls[name] = reverse(name, kwargs=kwargs)
    return urls


def a_commitment(reply: Reply) -> Commitment:
    """A 跟踪事项 of the lead agency's assignment (as if its B-class reply had gone out)."""
    commitment, _ = Commitment.objects.get_or_create(
        assignment=reply.assignment,
        reply=reply,
        defaults={"class_code": "B", "text": "年底前完成薪酬调查。", "due_date": datetime.date(2026, 12, 31)},
    )
    return commitment


def outcome(response) -> str:
    location = response.get("Location", "")
    if response.status_code == 302 and ("/accounts/login/" in location or "/deputy/login/?next=" in location):
        return "L"  # the staff's login page, or the deputies' for a deputy page
    return str(response.status_code)


def test_every_url_role_and_method_against_the_matrix(
    draft, union_assignment, clerk, leader, cohandler, committee_staff, outsider, sysadmin
):
    job = ExportJob.objects.create(session=draft.proposal.session, requested_by=committee_staff)
    users = {
        "C": clerk,
        "L": leader,
        "H": cohandler,
        "S": committee_staff,
        "O": outsider,
        "A": sysadmin,
        "-": None,
    }
    urls = pattern_urls(draft, union_assignment, job)
    table = expected()
    assert set(urls) == set(table), "every URL pattern has a row in the matrix, and every row a pattern"
    clients = {}
    for key, user in users.items():
        clients[key] = Client()
        if user is not None:
            clients[key].force_login(user)
    mismatches = []
    for name, url in urls.items():
        for method in ("get", "post"):
            actual = []
            for key, client in clients.items():
                with transaction.atomic():  # each request on the same state: undo what it did
                    response = getattr(client, method)(url)
                    transaction.set_rollback(True)
                actual.append(f"{key}{outcome(response)}")
                if name == "logout" and method == "post" and user is not None:
                    clients[key].force_login(users[key])
            if " ".join(actual) != table[name][method]:
                mismatches.append(
                    f"{name} {method.upper()}: expected {table[name][method]}, got {' '.join(actual)}"
                )
    assert not mismatches, "\n".join(mismatches)


def test_extra_post_fields_change_nothing(draft, clerk, committee_staff, outsider):
    """Forged fields (status, agency, signer, hashes, version, author) are ignored by the editor."""
    data = editor_data(
        draft,
        TWO_SECTIONS,
        status=ReplyStatus.ISSUED,
        assignment=999,
        agency=outsider.agency_id,
        pdf_sha256="f" * 64,
        created_by=committee_staff.pk,
        issued_on="2020-01-01",
        round=9,
        **{"m-0-id": 999_999, "m-0-reply": 1},
    )
    response = login(clerk).post(reverse("reply_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    reply = Reply.objects.get(pk=draft.pk)
    assert (
        reply.status,
        reply.assignment_id,
        reply.pdf_sha256,
        reply.created_by,
        reply.issued_on,
        reply.round,
    ) == ("draft", draft.assignment_id, "", clerk, None, 1)
    assert reply.version == draft.version + 1
    # The opinion form and the staff's forms ignore forged owners too.
    assert not Reply.objects.filter(assignment__agency=outsider.agency).exists()


def table_counts() -> dict[str, int]:
    from django.apps import apps

    skip = {"AuditEvent", "AuditHead", "Session", "AccessAttempt", "AccessLog", "AccessFailureLog"}
    return {
        model.__name__: model.objects.count() for model in apps.get_models() if model.__name__ not in skip
    }


def test_state_changes_need_a_csrf_token_and_get_changes_nothing(
    draft, union_assignment, clerk, committee_staff
):
    from proposals.models import Notice

    job = ExportJob.objects.create(session=draft.proposal.session, requested_by=committee_staff)
    Notice.objects.create(user=clerk, text="督办通知：请按期答复。")
    urls = pattern_urls(draft, union_assignment, job)
    strict = {key: Client(enforce_csrf_checks=True) for key in ("clerk", "committee")}
    strict["clerk"].force_login(clerk)
    strict["committee"].force_login(committee_staff)
    before = (
        table_counts(),
        Reply.objects.get(pk=draft.pk).version,
        Notice.objects.filter(read_at=None).count(),
    )
    for name, url in urls.items():
        if name == "login":  # the login form has its own token check before any session exists
            continue
        for client in strict.values():
            response = client.post(url, {"reason": "x", "message": "x", "text": "x"})
            assert response.status_code in (403, 405), (name, response.status_code)
            if response.status_code == 403:
                assert "CSRF" in response.content.decode(), name
    # GET and HEAD of every page leave every table as it was (audit rows aside).
    for url in urls.values():
        for client in strict.values():
            client.get(url)
            client.head(url)
    after = (
        table_counts(),
        Reply.objects.get(pk=draft.pk).version,
        Notice.objects.filter(read_at=None).count(),
    )
    assert after == before


@pytest.mark.parametrize("method", ["put", "delete", "patch", "options", "trace"])
def test_every_url_answers_other_methods_with_405(method, draft, union_assignment, committee_staff, clerk):
    """Only GET, HEAD and POST reach a view: the other methods are refused for every URL pattern
    and every user, signed in or not, and change nothing."""
    job = ExportJob.objects.create(session=draft.proposal.session, requested_by=committee_staff)
    urls = pattern_urls(draft, union_assignment, job)
    signed_in = Client()
    signed_in.force_login(clerk)
    wrong = []
    for name, url in urls.items():
        for client in (signed_in, Client()):
            response = getattr(client, method)(url)
            if response.status_code != 405 or "POST" not in response["Allow"]:
                wrong.append(f"{name} {method.upper()}: {response.status_code}")
    assert wrong == []
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.DRAFT


# A deputy D (沈宝栋, lead author of 建议 12) and a deputy E (author of another proposal): the
# deputy pages answer as below; every other URL of the portal answers 404 to both, for GET and
# POST (the fence, proposals/web/deputies.py), except logout, the letter fonts and the deputy
# login pages (part A's rows above cover those for staff).
DEPUTY_MATRIX = """
deputy_home           GET D200 E200   POST D405 E405
deputy_proposal       GET D200 E404   POST D405 E405
deputy_reply_pdf      GET D200 E404   POST D405 E405
deputy_reply_download GET D200 E404   POST D405 E405
deputy_notices        GET D200 E200   POST D405 E405
deputy_notices_read   GET D405 E405   POST D302 E302
deputy_settings       GET D200 E200   POST D302 E302
letter_font_css       GET D200 E200   POST D405 E405
logout                GET D405 E405   POST DL EL
deputy_login          GET D200 E200   POST D400 E400
deputy_password       GET D200 E200   POST D400 E400
"""
FENCE_OPEN = {"deputy_feedback", "licensed_font"}


def test_deputies_see_their_own_pages_and_nothing_else(issued, union_assignment, committee_staff):
    from proposals.models import Deputy, Proposal, ProposalAuthor, User, UserRole

    job = ExportJob.objects.create(session=issued.proposal.session, requested_by=committee_staff)
    other = Proposal.objects.create(
        session=issued.proposal.session, number="31", title="关于加强农村公路养护的建议"
    )
    e_deputy = Deputy.objects.create(name="王建国")
    ProposalAuthor.objects.create(proposal=other, deputy=e_deputy, position=1, is_lead=True)
    deputies = {"D": issued.proposal.lead_author(), "E": e_deputy}
    users = {
        key: User.objects.create(username=f"deputy_{key}", role=UserRole.DEPUTY, deputy=deputy)
        for key, deputy in deputies.items()
    }
    table = {}
    for line in DEPUTY_MATRIX.strip().splitlines():
        name, _, d_get, e_get, _, d_post, e_post = line.split()
        table[name] = {"get": f"{d_get} {e_get}", "post": f"{d_post} {e_post}"}
    mismatches = []
    for name, url in pattern_urls(issued, union_assignment, job).items():
        if name in FENCE_OPEN:
            continue
        for method in ("get", "post"):
            actual = []
            for key, user in users.items():
                client = Client()
                client.force_login(user)
                with transaction.atomic():
                    response = getattr(client, method)(url)
                    transaction.set_rollback(True)
                actual.append(f"{key}{outcome(response)}")
            want = table.get(name, {"get": "D404 E404", "post": "D404 E404"})[method]
            if " ".join(actual) != want:
                mismatches.append(f"{name} {method.upper()}: expected {want}, got {' '.join(actual)}")
    assert not mismatches, "\n".join(mismatches)
