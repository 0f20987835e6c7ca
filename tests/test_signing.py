"""Issued letters are signed (PAdES B-B) with the agency's certificate and seal, and verifiable."""

import io
import json
import re
import subprocess

import pdfplumber
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from proposals import workflow
from proposals.letters import signing
from proposals.models import Reply, ReplyStatus
from tests.conftest import SEED_JSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(seed_reply, leader):
    """The seed letter, signed off by the leader (the import made no drafter)."""
    Reply.objects.filter(pk=seed_reply.pk).update(status=ReplyStatus.APPROVED)
    return Reply.objects.get(pk=seed_reply.pk)


@pytest.fixture
def signed(approved, clerk, pki):
    workflow.issue(approved, clerk)
    reply = Reply.objects.get(pk=approved.pk)
    return reply, reply.pdf.read()


def run(*command, data: bytes, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run([*command, str(path)], capture_output=True, text=True)


def test_issued_letter_is_signed_valid_and_trusted(signed):
    reply, pdf = signed
    reader = PdfFileReader(io.BytesIO(pdf))
    [signature] = reader.embedded_signatures
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=signing.trust_roots()))
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "随州市人力资源和社会保障局"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    result = signing.verify(pdf)
    assert result.ok and not result.changed_after_signing
    assert reply.pdf_sha256 == result.sha256
    assert len(reply.pdf_sm3) == 64


def test_poppler_and_qpdf_accept_the_signed_letter(signed, tmp_path):
    _, pdf = signed
    pdfsig = run("pdfsig", data=pdf, tmp_path=tmp_path)
    assert "Signature Validation: Signature is Valid." in pdfsig.stdout, pdfsig.stdout
    assert "随州市人力资源和社会保障局" in pdfsig.stdout
    qpdf = run("qpdf", "--check", data=pdf, tmp_path=tmp_path)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr
    text = run("pdftotext", "-layout", data=pdf, tmp_path=tmp_path)
    assert text.returncode == 0
    flat = subprocess.run(
        ["pdftotext", str(tmp_path / "letter.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "关于化解企业招工难的建议" in flat.replace("\n", "")
    info = run("pdfinfo", data=pdf, tmp_path=tmp_path).stdout
    assert "WeasyPrint" in info and "pyHanko" not in info  # Info and XMP keep WeasyPrint's metadata


def line_boxes(page) -> dict[str, tuple[float, float, float, float]]:
    """Each text line of the page: (x0, top, x1, bottom)."""
    rows = {}
    for char in page.chars:
        rows.setdefault(round(char["top"]), []).append(char)
    return {
        "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"])): (
            min(c["x0"] for c in cs),
            min(c["top"] for c in cs),
            max(c["x1"] for c in cs),
            max(c["bottom"] for c in cs),
        )
        for cs in rows.values()
    }


def test_the_seal_sits_over_the_signature_and_date(signed):
    reply, pdf = signed
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = next(p for p in document.pages if p.annots)
        [widget] = page.annots
        lines = line_boxes(page)
        name = lines["随州市人力资源和社会保障局"]
        date = lines[reply.date_text()]
        seal_centre = (widget["x0"] + widget["x1"]) / 2
        for x0, _, x1, _ in (name, date):
            assert abs((x0 + x1) / 2 - seal_centre) < 2  # centred on the 署名 and on the date
        assert widget["top"] < name[1] < date[3] < widget["bottom"]  # it presses on both
        assert (name[1] + date[3]) / 2 > (widget["top"] + widget["bottom"]) / 2  # slightly below its centre
        width_mm = (widget["x1"] - widget["x0"]) / 72 * 25.4
        assert 41 <= width_mm <= 43


def test_a_changed_byte_or_a_later_change_is_reported(signed, tmp_path):
    _, pdf = signed
    tampered = bytearray(pdf)
    tampered[300] ^= 0x01  # inside the first page's content, well before the signature
    result = signing.verify(bytes(tampered))
    assert not result.ok and not (result.intact and result.valid)

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    later = io.BytesIO()
    writer.write(later)
    result = signing.verify(later.getvalue())
    assert result.changed_after_signing and not result.ok

    for data, expected in ((pdf, 0), (bytes(tampered), 1), (later.getvalue(), 1)):
        path = tmp_path / "check.pdf"
        path.write_bytes(data)
        out = io.StringIO()
        try:
            call_command("verifyreply", str(path), stdout=out)
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        assert code == expected, out.getvalue()


def test_verifyreply_names_signer_and_archived_reply(signed, tmp_path):
    reply, pdf = signed
    path = tmp_path / "ok.pdf"
    path.write_bytes(pdf)
    out = io.StringIO()
    call_command("verifyreply", str(path), stdout=out)
    text = out.getvalue()
    assert "结论：有效" in text and "签章单位：随州市人力资源和社会保障局" in text
    # The signing time as every page prints a time, in Beijing time: 2026年12月1日 16:03.
    assert re.search(r"签章时间：20\d\d年\d{1,2}月\d{1,2}日 \d\d:\d\d\n", text), text
    assert (
        f"存档答复：对市五届人大一次会议第 12 号建议的答复（随州市人力资源和社会保障局，答复编号 {reply.pk}）"
        in text
    )


def test_unsigned_pdf_fails_verification(seed_reply, tmp_path):
    from proposals.letters import rendering as letters

    path = tmp_path / "unsigned.pdf"
    path.write_bytes(letters.render_pdf(seed_reply))
    with pytest.raises(SystemExit) as exit_:
        call_command("verifyreply", str(path), stdout=io.StringIO())
    assert exit_.value.code == 1


def test_verification_page_for_committee_staff(signed, committee_staff, clerk):
    reply, pdf = signed
    staff = Client()
    staff.force_login(committee_staff)
    page = staff.post(reverse("verify_letter"), {"pdf": io.BytesIO(pdf)}, format="multipart")
    html = page.content.decode()
    assert "结论：有效" in html and "签章后被修改：否" in html and f"答复编号 {reply.pk}" in html
    tampered = bytearray(pdf)
    tampered[300] ^= 0x01
    tampered = bytes(tampered)
    html = staff.post(reverse("verify_letter"), {"pdf": io.BytesIO(tampered)}).content.decode()
    assert "结论：无效" in html and "签章后被修改：是（签章范围内的内容被改动" in html
    not_a_pdf = io.BytesIO("这不是PDF".encode())
    not_a_pdf.name = "letter.pdf"
    html = staff.post(reverse("verify_letter"), {"pdf": not_a_pdf}).content.decode()
    assert "该文件不是 PDF 文件，请上传答复函的 PDF。" in html
    broken = io.BytesIO(b"%PDF-1.7\n garbage")
    broken.name = "broken.pdf"
    html = staff.post(reverse("verify_letter"), {"pdf": broken}).content.decode()
    assert "PDF 文件已损坏，无法读取，不能验证。" in html
    agency_user = Client()
    agency_user.force_login(clerk)
    assert agency_user.get(reverse("verify_letter")).status_code == 403


def test_issue_is_refused_without_a_certificate(approved, clerk):
    with pytest.raises(workflow.WorkflowError, match="尚未配置签章证书和电子印章"):
        workflow.issue(approved, clerk)
    assert Reply.objects.get(pk=approved.pk).status == ReplyStatus.APPROVED


def test_passwords_never_reach_the_database(hr_agency, pki, settings):
    import json

    from django.db import connection

    hr_agency.refresh_from_db()
    stored = json.loads(settings.REPLY_SIGNING_SECRETS_FILE.read_text())
    password = stored[hr_agency.signing_password_key]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM proposals_agency")
        rows = repr(cursor.fetchall())
    assert password not in rows
    assert oct(settings.REPLY_SIGNING_SECRETS_FILE.stat().st_mode & 0o777) == "0o600"


def test_loadreply_issue_files_a_past_letter_signed(seed_reply, leader, pki, tmp_path):
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    letter.update(proposal_number=40, title="对市五届人大一次会议第40号建议的答复", date="2022-07-26")
    path = tmp_path / "past.json"
    path.write_text(json.dumps(letter, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("loadreply", str(path), "--issue", "--pdf", str(tmp_path / "pdf"), stdout=out)
    reply = Reply.objects.get(pk=int(out.getvalue()))
    assert reply.status == "issued" and reply.date.isoformat() == "2022-07-26"
    assert list(reply.events.values_list("verb", "actor__username")) == [
        ("submit", "leader"),
        ("sign_off", "leader"),
        ("issue", "leader"),
    ]
    signed = (
        tmp_path / "pdf" / "市五届人大一次会议第40号建议-随州市人力资源和社会保障局答复.pdf"
    ).read_bytes()
    result = signing.verify(signed)
    assert result.ok and result.sha256 == reply.pdf_sha256


def test_loadreply_issue_without_a_leader_saves_nothing(seed_reply, pki, tmp_path):
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    letter.update(proposal_number=41, title="对市五届人大一次会议第41号建议的答复")
    path = tmp_path / "past.json"
    path.write_text(json.dumps(letter, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("loadreply", str(path), "--issue", stdout=io.StringIO(), stderr=err)
    assert "没有主管领导账号" in err.getvalue()
    assert not Reply.objects.filter(assignment__proposal__number="41").exists()
