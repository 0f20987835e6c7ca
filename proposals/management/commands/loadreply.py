"""`manage.py loadreply FILE.json [...] [--pdf DIR]`: import reply letters in the interchange format."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from proposals import letters
from proposals.interchange import LetterFormatError, import_letter, read_letter_file


class Command(BaseCommand):
    help = "导入答复函 JSON 文件（格式见 shared/spec/reply-format.md），逐个输出答复编号；--pdf 同时生成 PDF。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.json")
        parser.add_argument("--pdf", metavar="DIR", help="把每件导入的答复函 PDF 写入该目录")

    def handle(self, *args, files, pdf=None, **options):
        pdf_dir = Path(pdf) if pdf else None
        if pdf_dir:
            pdf_dir.mkdir(parents=True, exist_ok=True)
        failures = 0
        for path in files:
            try:
                letter = read_letter_file(path)
                for warning in letter.warnings:
                    self.stderr.write(f"警告：{warning}")
                reply = import_letter(letter)
            except LetterFormatError as error:
                failures += 1
                self.stderr.write(f"错误：{error}；该文件未导入任何内容。")
                continue
            if pdf_dir:
                (pdf_dir / letters.pdf_filename(reply)).write_bytes(letters.render_pdf(reply))
            self.stdout.write(str(reply.pk))
        if failures:
            sys.exit(1)
