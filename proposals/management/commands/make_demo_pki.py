"""`manage.py make_demo_pki`: a local test CA, one certificate per agency and a red demo seal.

For the demo and the tests only: the keys are generated here, the passwords go to the
protected password file (mode 0600) in REPLY_SIGNING_DIR, never into the database.
"""

from __future__ import annotations

import datetime
import io
import json
import math
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand

from proposals.models import Agency

CA_NAME = "随州答复管理演示根证书"


def _fit(text: str) -> str:
    """X.509 names hold at most 64 bytes here: cut long agency names."""
    while len(text.encode()) > 64:
        text = text[:-1]
    return text


def _name(common_name: str, organisation: str) -> x509.Name:
    common_name, organisation = _fit(common_name), _fit(organisation)
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_ca(folder: Path):
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    name = _name(CA_NAME, "演示")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "demo-ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def make_agency_certificate(ca_key, ca_cert, agency_name: str):
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(agency_name, agency_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


def seal_image(agency_name: str, size: int = 300) -> bytes:
    """A round red demo seal: ring, star, the agency's name along the upper arc."""
    from PIL import Image, ImageDraw, ImageFont

    red = (214, 0, 0, 235)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre, ring = size / 2, size * 0.035
    draw.ellipse((ring, ring, size - ring, size - ring), outline=red, width=int(ring * 1.6))
    star_r = size * 0.16
    points = [
        (
            centre + (star_r if i % 2 == 0 else star_r * 0.38) * math.sin(math.pi * i / 5),
            centre - (star_r if i % 2 == 0 else star_r * 0.38) * math.cos(math.pi * i / 5),
        )
        for i in range(10)
    ]
    draw.polygon(points, fill=red)
    font_path = Path(settings.LETTER_FONT_BUILD_DIR) / "portal-sans-regular.ttf"
    font_size = int(size * 0.12)
    font = ImageFont.truetype(str(font_path), font_size) if font_path.exists() else ImageFont.load_default()
    text = agency_name[:16]
    span = math.radians(240)
    radius = size / 2 - ring * 2 - font_size * 0.75
    for index, char in enumerate(text):
        angle = -span / 2 + span * (index + 0.5) / len(text)
        glyph = Image.new("RGBA", (font_size * 2, font_size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((font_size, font_size), char, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        x = centre + radius * math.sin(angle) - font_size
        y = centre - radius * math.cos(angle) - font_size
        image.alpha_composite(glyph, (int(x), int(y)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class Command(BaseCommand):
    help = "生成演示用根证书、各承办单位的签章证书和电子印章（仅供演示和测试）。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="重新生成已有的证书")

    def handle(self, *args, force: bool = False, **options):
        folder = Path(settings.REPLY_SIGNING_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        secrets_file = Path(settings.REPLY_SIGNING_SECRETS_FILE)
        passwords = json.loads(secrets_file.read_text(encoding="utf-8")) if secrets_file.exists() else {}
        ca_key_file = folder / "demo-ca.key"
        if ca_key_file.exists() and not force:
            ca_key = serialization.load_pem_private_key(ca_key_file.read_bytes(), password=None)
            ca_cert = x509.load_pem_x509_certificate((folder / "demo-ca.pem").read_bytes())
        else:
            ca_key, ca_cert = make_ca(folder)
            ca_key_file.write_bytes(
                ca_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            ca_key_file.chmod(0o600)
        for agency in Agency.objects.order_by("pk"):
            key_name = f"AGENCY{agency.pk}"
            p12_name = f"agency-{agency.pk}.p12"
            if agency.signing_key_file and (folder / agency.signing_key_file).exists() and not force:
                continue
            key, cert = make_agency_certificate(ca_key, ca_cert, agency.name)
            password = secrets.token_urlsafe(16)
            (folder / p12_name).write_bytes(
                pkcs12.serialize_key_and_certificates(
                    agency.name.encode(),
                    key,
                    cert,
                    [ca_cert],
                    serialization.BestAvailableEncryption(password.encode()),
                )
            )
            (folder / p12_name).chmod(0o600)
            passwords[key_name] = password
            agency.signing_key_file, agency.signing_password_key = p12_name, key_name
            agency.seal.save(f"seal-{agency.pk}.png", ContentFile(seal_image(agency.name)), save=False)
            agency.save(update_fields=["signing_key_file", "signing_password_key", "seal"])
            self.stdout.write(f"{agency.name}：证书 {p12_name}，印章 {agency.seal.name}")
        secrets_file.write_text(json.dumps(passwords, ensure_ascii=False, indent=1), encoding="utf-8")
        secrets_file.chmod(0o600)
        self.stdout.write(f"演示根证书：{folder / 'demo-ca.pem'}")
