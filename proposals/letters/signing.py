"""Signing issued letters (PAdES baseline B-B, pyHanko) and checking signed letters.

An agency signs with its PKCS#12 certificate (`Agency.signing_key_file`, relative to
REPLY_SIGNING_DIR); the password comes from the environment (REPLY_SIGNING_PASSWORD_<KEY>) or
the protected password file, never from the database. The visible signature shows the
agency's seal image over the 署名 and date, where the rendered letter put them.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import pem, x509
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko.stamp.static import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from proposals.models import Agency

SIGNATURE_FIELD = "答复函签章"
SEAL_PIXELS = 300  # a small seal keeps the signed letter small (pdf-performance.md §5)


class SigningUnavailable(RuntimeError):
    """The agency cannot sign: the message says what is missing."""


def fingerprints(pdf: bytes) -> dict[str, str]:
    """SHA-256 and, where the local OpenSSL offers it, SM3 of a file."""
    result = {"sha256": hashlib.sha256(pdf).hexdigest(), "sm3": ""}
    with contextlib.suppress(ValueError):
        result["sm3"] = hashlib.new("sm3", pdf).hexdigest()
    return result


def _password(key: str) -> bytes:
    if key in settings.REPLY_SIGNING_PASSWORDS:
        return settings.REPLY_SIGNING_PASSWORDS[key].encode()
    secrets_file = Path(settings.REPLY_SIGNING_SECRETS_FILE)
    if secrets_file.exists():
        stored = json.loads(secrets_file.read_text(encoding="utf-8"))
        if key in stored:
            return stored[key].encode()
    raise SigningUnavailable(f"找不到证书口令“{key}”：请设置环境变量 REPLY_SIGNING_PASSWORD_{key}。")


def can_sign(agency: Agency) -> bool:
    return bool(agency.signing_key_file and agency.signing_password_key and agency.seal)


@lru_cache(maxsize=64)
def _signer(key_file: str, password_key: str, modified: float) -> signers.SimpleSigner:
    """The loaded key, kept per process: loading and checking it costs more than signing."""
    path = Path(settings.REPLY_SIGNING_DIR) / key_file
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=_password(password_key))
    if signer is None:
        raise SigningUnavailable(f"无法读取证书文件 {path}（口令错误或文件损坏）。")
    return signer


class SealChanged(SigningUnavailable):
    """The seal image on the server is not the one recorded when it was uploaded."""


@lru_cache(maxsize=64)
def _seal_png(name: str, sha256: str) -> bytes:
    """The agency's seal image made small, read through the storage API (local or S3), only if
    it is the recorded image (kept per process by its recorded hash)."""
    from django.core.files.storage import default_storage
    from PIL import Image

    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    if not sha256 or hashlib.sha256(data).hexdigest() != sha256:
        raise SealChanged(
            "电子印章图片与上传时登记的校验值不一致，不能盖章；请系统管理员核查后重新上传印章。"
        )
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    image.thumbnail((SEAL_PIXELS, SEAL_PIXELS))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def sign_letter(pdf: bytes, agency: Agency, page: int, box: tuple[float, float, float, float]) -> bytes:
    """The letter signed by the agency, its seal visible in `box` on `page`."""
    if not can_sign(agency):
        raise SigningUnavailable(f"{agency.name}尚未配置签章证书和电子印章，不能签章。")
    key_path = Path(settings.REPLY_SIGNING_DIR) / agency.signing_key_file
    if not key_path.exists():
        raise SigningUnavailable(f"找不到{agency.name}的证书文件 {key_path}。")
    signer = _signer(agency.signing_key_file, agency.signing_password_key, key_path.stat().st_mtime)
    from PIL import Image

    seal = Image.open(io.BytesIO(_seal_png(agency.seal.name, agency.seal_sha256)))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    # Keep the document information as WeasyPrint wrote it (pyHanko #223), so Info and XMP agree.
    writer._update_meta = lambda: None
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="答复函签发",
        location=agency.name,
        name=agency.name,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=signer,
        stamp_style=StaticStampStyle(background=PdfImage(seal), border_width=0),
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=SIGNATURE_FIELD, on_page=page, box=tuple(round(v) for v in box)
        ),
    )
    out = io.BytesIO()
    # RSA-2048 CMS with a two-certificate chain needs about 3 KB: 8 KB leaves room and skips the
    # dry-run signature pyHanko would otherwise make to size the field.
    pdf_signer.sign_pdf(writer, output=out, bytes_reserved=8192)
    return out.getvalue()


def trust_roots() -> list[x509.Certificate]:
    roots = []
    for name in settings.REPLY_SIGNING_TRUST_ROOTS:
        path = Path(name)
        if path.exists():
            data = path.read_bytes()
            for _, _, der in pem.unarmor(data, multiple=True) if pem.detect(data) else [(None, None, data)]:
                roots.append(x509.Certificate.load(der))
    return roots


@dataclass
class Verification:
    """What a signed letter says about itself."""

    signed: bool
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    changed_after_signing: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None
    sha256: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid and self.trusted and not self.changed_after_signing


def verify(pdf: bytes) -> Verification:
    """Check the letter's signature against the trusted roots and whether anything changed."""
    digest = hashlib.sha256(pdf).hexdigest()
    if pdf.lstrip()[:5] != b"%PDF-":
        return Verification(signed=False, sha256=digest, problem="该文件不是 PDF 文件，请上传答复函的 PDF。")
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # a damaged PDF: pyHanko's own (English) words help nobody here
        return Verification(signed=False, sha256=digest, problem="PDF 文件已损坏，无法读取，不能验证。")
    if not signatures:
        return Verification(signed=False, sha256=digest, problem="文件没有数字签名。")
    signature = signatures[-1]
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=trust_roots()))
    name = status.signing_cert.subject.native.get("common_name", "") if status.signing_cert else ""
    return Verification(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        changed_after_signing=signature.coverage != SignatureCoverageLevel.ENTIRE_FILE,
        signer=name,
        signed_at=status.signer_reported_dt,
        sha256=digest,
    )


def _when(moment: datetime.datetime) -> str:
    """2026年12月1日 16:03, in the portal's time zone (the server's own may be UTC)."""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def changed_wording(result: Verification) -> str:
    """Whether the file was changed after signing: inside the signed bytes (the signature no
    longer matches) or by a later addition to the file."""
    if not (result.intact and result.valid):
        return "是（签章范围内的内容被改动，与签章时不一致）"
    if result.changed_after_signing:
        return "是（签章后文件又被追加修改）"
    return "否"


def describe(result: Verification, replies) -> list[str]:
    """The result in the words the verification page and `verifyreply` both use; `replies` are
    the archived replies the reader may see."""
    if not result.signed:
        return [f"结论：无效。{result.problem}", f"SHA-256：{result.sha256}"]
    archived = (
        replies.filter(pdf_sha256=result.sha256)
        .select_related("assignment__proposal__session", "assignment__agency")
        .first()
    )
    verdict = "有效" if result.ok else "无效"
    lines = [
        f"结论：{verdict}",
        f"签名完整：{'是' if result.intact and result.valid else '否（文件内容与签名不符）'}",
        f"证书可信：{'是' if result.trusted else '否（签章证书不是受信任的机构签发的）'}",
        f"签章后被修改：{changed_wording(result)}",
        f"签章单位：{result.signer or '未知'}",
        f"签章时间：{_when(result.signed_at) if result.signed_at else '未知'}",
        f"SHA-256：{result.sha256}",
    ]
    if archived:
        lines.append(
            f"存档答复：{archived.effective_title}（{archived.agency.name}，答复编号 {archived.pk}）"
        )
    else:
        lines.append("存档答复：未找到与该文件完全一致的存档答复")
    return lines
