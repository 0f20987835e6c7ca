"""`manage.py benchletters`: how fast the letter PDF renders, against a naive baseline.

Renders the seed letter cut to about three pages and in full, each in a fresh child process
(so start-up, first render and peak memory are its own), with the portal's renderer and with
plain WeasyPrint on the system fonts, and prints one JSON object with the figures and ratios.
A benchmark, not a test: figures vary with the machine; compare the ratios.
"""

from __future__ import annotations

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

from proposals import letters
from proposals.interchange import import_letter, read_letter_file
from proposals.models import Reply

SEED = Path(__file__).resolve().parents[2] / "demo" / "reply-12.json"


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
    help = "测量答复函 PDF 生成速度（与朴素渲染对比），输出 JSON。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100, help="每种信函用本系统渲染器渲染的次数")
        parser.add_argument("--baseline-count", type=int, default=20, help="朴素渲染的次数")
        parser.add_argument("--child", choices=["portal", "naive"], help=argparse_hidden())
        parser.add_argument("--html", help=argparse_hidden())

    def handle(self, *args, count, baseline_count, child=None, html=None, **options):
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
                results[name]["ratio_warm_median"] = round(portal["warm_median_ms"] / naive["warm_median_ms"], 3)
                results[name]["ratio_first"] = round(portal["first_ms"] / naive["first_ms"], 3)
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
            documents[name] = letters.letter_html(reply, for_pdf=True)
            transaction.savepoint_rollback(sid)
        transaction.set_rollback(True)
    return documents


def spawn(mode: str, html: Path, count: int) -> dict:
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "benchletters", "--child", mode, "--html", str(html),
               "--count", str(count)]
    started = time.monotonic()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    info = subprocess.run(["pdfinfo", str(html.with_suffix(f".{mode}.pdf"))], capture_output=True, text=True).stdout
    result["pages"] = int(re.search(r"Pages:\s+(\d+)", info).group(1)) if "Pages:" in info else None
    result["process_wall_s"] = round(time.monotonic() - started, 2)
    return result


def run_child(mode: str, html_path: str, count: int) -> dict:
    html = Path(html_path).read_text(encoding="utf-8")
    render = letters.render_pdf_from_html if mode == "portal" else letters.naive_baseline_pdf
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
