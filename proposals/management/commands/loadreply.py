"""`manage.py loadreply FILE.json [...] [--pdf DIR] [--docx DIR] [--issue]`: import reply letters
in the interchange format; with --issue, file them as signed, issued letters; --pdf and --docx
write each letter's PDF and Word file."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from proposals import workflow
from proposals.letters import rendering, word_export
from proposals.letters.interchange import LetterFormatError, import_letter, read_letter_file
from proposals.models import User, UserRole


class Command(BaseCommand):
    help = (
        "导入答复函 JSON 文件（格式见 shared/spec/reply-format.md），逐个输出答复编号；--pdf 同时生成 PDF，"
        "--docx 同时生成 Word 文件；"
        "--issue 以领导身份签发、签章并归档。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.json")
        parser.add_argument("--pdf", metavar="DIR", help="把每件导入的答复函 PDF 写入该目录")
        parser.add_argument("--docx", metavar="DIR", help="把每件导入的答复函 Word 文件（.docx）写入该目录")
        parser.add_argument(
            "--issue",
            action="store_true",
            help="以承办单位领导身份签发并发出（签章归档），--pdf 写入签章后的 PDF",
        )

    def handle(self, *args, files, pdf=None, docx=None, issue=False, **options):
        pdf_dir = Path(pdf) if pdf else None
        docx_dir = Path(docx) if docx else None
        for folder in (pdf_dir, docx_dir):
            if folder:
                folder.mkdir(parents=True, exist_ok=True)
        failures = 0
        for path in files:
            try:
                letter = read_letter_file(path)
                for warning in letter.warnings:
                    self.stderr.write(f"警告：{warning}")
                with transaction.atomic():
                    reply = import_letter(letter)
                    if issue:
                        reply = self.issue(reply, path)
            except LetterFormatError as error:
                failures += 1
                self.stderr.write(f"错误：{error}；该文件未导入任何内容。")
                continue
            if pdf_dir:
                if issue:
                    with reply.pdf.open("rb") as stored:
                        data = stored.read()
                else:
                    data = rendering.render_pdf(reply)
                (pdf_dir / rendering.download_filename(reply)).write_bytes(data)
            if docx_dir:
                (docx_dir / word_export.docx_filename(reply)).write_bytes(word_export.render_docx(reply))
            self.stdout.write(str(reply.pk))
        if failures:
            sys.exit(1)

    def issue(self, reply, path):
        """Sign off and issue as a leader of the agency; a refusal fails the whole file."""
        leader = (
            User.objects.filter(agency=reply.agency, role=UserRole.LEADER, is_active=True)
            .order_by("pk")
            .first()
        )
        if leader is None:
            raise LetterFormatError(f"{path}：{reply.agency.name}没有主管领导账号，不能签发归档")
        try:
            return workflow.archive_issue(reply, leader)
        except workflow.WorkflowError as problem:
            raise LetterFormatError(f"{path}：{problem}") from None
