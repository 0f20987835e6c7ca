"""`manage.py benchletters`: how fast letters render, sign, verify and export.

Renders the seed letter cut to about three pages and in full, each in a fresh child process
(so start-up, first render and peak memory are its own), with the portal's renderer and with
plain WeasyPrint on the system fonts; then signs and verifies the three-page letter with a
visible seal (throw-away PKI), builds a filing ZIP of `--export-letters` letters, and times
Word: recognising the full seed letter from its text and from .docx, and its .docx export. Prints one
JSON object. A benchmark, not a test: figures vary with the machine; compare the ratios.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from proposals.letters import rendering
from proposals.letters.interchange import import_letter, read_letter_file
from proposals.models import Reply

SEED = Path(__file__).resolve().parents[2] / "demo" / "reply-12.json"
SEED_TEXT = SEED.with_suffix(".txt")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cut_to_about(reply: Reply, characters: int) -> None:
    """Keep the first measures until the body holds about `characters` characters."""
    total = len(reply.opening)
    keep = []
    for measure in reply.measures.filter(level=1).order_by("position"):
        paragraphs = []
        for paragraph in measure.paragraph_list:
            if total >= characters:
                break
            paragraphs.append(paragraph[: max(characters - total, 0)])
            total += len(paragraphs[-1])
        if not paragraphs:
            break
        measure.paragraphs = "\n".join(paragraphs)
        measure.save()
        keep.append(measure.pk)
    reply.measures.exclude(pk__in=keep).delete()
    reply.closing = ""
    reply.save()


class Command(BaseCommand):
    help = "测量答复函 PDF 生成、签章、验证和归档导出的速度（与朴素渲染对比），输出 JSON。"
    # The child processes measure a rendering worker: no URL conf, views or pyHanko loaded.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100, help="每种信函用本系统渲染器渲染的次数")
        parser.add_argument("--baseline-count", type=int, default=20, help="朴素渲染的次数")
        parser.add_argument("--sign-count", type=int, default=50, help="签章和验证各测多少次")
        parser.add_argument("--export-letters", type=int, default=300, help="归档导出测多少件答复")
        parser.add_argument("--word-count", type=int, default=50, help="Word 导入（识别）和导出各测多少次")
        parser.add_argument("--child", choices=["portal", "naive"], help=argparse_hidden())
        parser.add_argument("--html", help=argparse_hidden())

    def handle(
        self,
        *args,
        count,
        baseline_count,
        sign_count=50,
        export_letters=300,
        word_count=50,
        child=None,
        html=None,
        **options,
    ):
        if child:
            self.stdout.write(json.dumps(run_child(child, html, count)))
            return
        documents = letter_documents()
        results = {}
        with tempfile.TemporaryDirectory() as folder:
            for name, document in documents.items():
                path = Path(folder) / f"{name}.html"
                path.write_text(document, encoding="utf-8")
                results[name] = {
                    "portal": spawn("portal", path, count),
                    "naive": spawn("naive", path, baseline_count),
                }
                portal, naive = results[name]["portal"], results[name]["naive"]
                results[name]["ratio_warm_median"] = round(
                    portal["warm_median_ms"] / naive["warm_median_ms"], 3
                )
                results[name]["ratio_first"] = round(portal["first_ms"] / naive["first_ms"], 3)
        results["signing"] = signing_figures(sign_count)
        results["export"] = export_figures(export_letters)
        results["word"] = word_figures(word_count)
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


def letter_documents() -> dict[str, str]:
    """The HTML of the seed letter cut to ~3 pages and in full (built in a rolled-back transaction)."""
    documents = {}
    with transaction.atomic():
        for name, characters in (("three_pages", 826), ("full_seed", None)):
            sid = transaction.savepoint()
            reply = import_letter(read_letter_file(SEED))
            if characters:
                cut_to_about(reply, characters)
            documents[name] = rendering.letter_html(reply, for_pdf=True)
            transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)
    return documents


def spawn(mode: str, html: Path, count: int) -> dict:
    command = [
        sys.executable,
        str(settings.BASE_DIR / "manage.py"),
        "benchletters",
        "--child",
        mode,
        "--html",
        str(html),
        "--count",
        str(count),
    ]
    started = time.monotonic()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    info = subprocess.run(
        ["pdfinfo", str(html.with_suffix(f".{mode}.pdf"))], capture_output=True, text=True
    ).stdout
    result["pages"] = int(re.search(r"Pages:\s+(\d+)", info).group(1)) if "Pages:" in info else None
    result["process_wall_s"] = round(time.monotonic() - started, 2)
    return result


def run_child(mode: str, html_path: str, count: int) -> dict:
    html = Path(html_path).read_text(encoding="utf-8")
    render = rendering.render_pdf_from_html if mode == "portal" else rendering.naive_baseline_pdf
    timings, rss = [], []
    pdf = b""
    for _ in range(count):
        started = time.perf_counter()
        pdf = render(html)
        timings.append((time.perf_counter() - started) * 1000)
        rss.append(rss_mb())
    warm = sorted(timings[1:]) or timings
    Path(html_path).with_suffix(f".{mode}.pdf").write_bytes(pdf)
    return {
        "letters": count,
        "first_ms": round(timings[0], 1),
        "warm_median_ms": round(statistics.median(warm), 1),
        "warm_p95_ms": round(warm[min(len(warm) - 1, int(len(warm) * 0.95))], 1),
        "pdf_kb": round(len(pdf) / 1024, 1),
        "rss_after_first_mb": round(rss[0], 1),
        "rss_last_mb": round(rss[-1], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _timings(action, count: int) -> tuple[float, float, float]:
    """(first, warm median, warm p95) in milliseconds."""
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    warm = sorted(timings[1:]) or timings
    return (
        round(timings[0], 1),
        round(statistics.median(warm), 1),
        round(warm[min(len(warm) - 1, int(len(warm) * 0.95))], 1),
    )


def signing_figures(count: int) -> dict:
    """Sign the three-page letter with a visible seal and verify it, with a throw-away PKI."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    from proposals.letters import signing

    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(
            MEDIA_ROOT=Path(folder) / "media",
            REPLY_SIGNING_DIR=Path(folder) / "pki",
            REPLY_SIGNING_SECRETS_FILE=Path(folder) / "pki" / "secrets.json",
            REPLY_SIGNING_TRUST_ROOTS=[str(Path(folder) / "pki" / "demo-ca.pem")],
        ),
        transaction.atomic(),
    ):
        reply = import_letter(read_letter_file(SEED))
        cut_to_about(reply, 826)
        call_command("make_demo_pki", stdout=io.StringIO())
        reply.assignment.agency.refresh_from_db()
        agency = reply.assignment.agency
        rendered = rendering.render_letter(reply)
        signed: list[bytes] = []

        def sign():
            signed.append(signing.sign_letter(rendered.pdf, agency, rendered.seal_page, rendered.seal_box))

        first, median, p95 = _timings(sign, count)
        verify_first, verify_median, verify_p95 = _timings(lambda: signing.verify(signed[-1]), count)
        assert signing.verify(signed[-1]).ok
        transaction.set_rollback(True)
    return {
        "sign_first_ms": first,
        "sign_warm_median_ms": median,
        "sign_warm_p95_ms": p95,
        "verify_first_ms": verify_first,
        "verify_warm_median_ms": verify_median,
        "verify_warm_p95_ms": verify_p95,
        "unsigned_kb": round(len(rendered.pdf) / 1024, 1),
        "signed_kb": round(len(signed[-1]) / 1024, 1),
    }


def word_figures(count: int) -> dict:
    """Recognise the full seed letter from its text and from .docx, and export it as .docx."""
    from proposals.letters import importing, parsing, word_export

    text = SEED_TEXT.read_text(encoding="utf-8")
    with transaction.atomic():
        reply = import_letter(read_letter_file(SEED))
        docx = word_export.render_docx(reply)
        export = _timings(lambda: word_export.render_docx(reply), count)
        transaction.set_rollback(True)

    # The import page's own reading: importing.text_lines / word_file_lines, then tag and assemble.
    def from_text():
        return parsing.assemble(parsing.tag_lines(importing.text_lines(text)))

    def from_docx():
        return parsing.assemble(parsing.tag_lines(importing.word_file_lines("seed.docx", docx)))

    figures = {"seed_characters": len(text), "docx_kb": round(len(docx) / 1024, 1)}
    for name, timing in (
        ("parse_text", _timings(from_text, count)),
        ("parse_docx", _timings(from_docx, count)),
        ("export_docx", export),
    ):
        figures.update(
            dict(
                zip(
                    (f"{name}_first_ms", f"{name}_warm_median_ms", f"{name}_warm_p95_ms"), timing, strict=True
                )
            )
        )
    return figures


def export_figures(letter_count: int) -> dict:
    """Build the filing ZIP of a session with `letter_count` issued letters in this process."""
    from django.core.files.base import ContentFile
    from django.test.utils import override_settings

    from proposals.models import Assignment, ExportJob, Proposal, ReplyStatus, User, UserRole
    from proposals.records.exports import build_session_archive

    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(MEDIA_ROOT=Path(folder)),
        transaction.atomic(),
    ):
        reply = import_letter(read_letter_file(SEED))
        pdf = rendering.render_pdf(reply)
        session, agency = reply.proposal.session, reply.assignment.agency
        for number in range(1000, 1000 + letter_count):
            proposal = Proposal.objects.create(session=session, number=str(number), title=f"测试建议{number}")
            # An issued reply cannot be changed afterwards (database guard): store the file first.
            stored = Reply._meta.get_field("pdf").storage.save(
                f"replies/bench/{number}.pdf", ContentFile(pdf)
            )
            Reply.objects.create(
                assignment=Assignment.objects.create(proposal=proposal, agency=agency),
                status=ReplyStatus.ISSUED,
                pdf=stored,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),  # checked as each letter is packed
            )
        staff = User.objects.create(username="bench-committee", role=UserRole.COMMITTEE)
        job = ExportJob.objects.create(session=session, requested_by=staff)
        started = time.perf_counter()
        build_session_archive.call(job.pk)
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        size = job.file.size
        transaction.set_rollback(True)
    return {
        "letters": job.done,
        "seconds": round(seconds, 2),
        "letters_per_second": round(job.done / seconds, 1),
        "zip_mb": round(size / 2**20, 1),
    }
