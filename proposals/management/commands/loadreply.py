"""`manage.py loadreply FILE.json [...]`: import reply letters in the interchange format."""

import sys

from django.core.management.base import BaseCommand

from proposals.interchange import LetterFormatError, import_letter, read_letter_file


class Command(BaseCommand):
    help = "导入答复函 JSON 文件（格式见 shared/spec/reply-format.md），逐个输出答复编号。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE.json")

    def handle(self, *args, files, **options):
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
            self.stdout.write(str(reply.pk))
        if failures:
            sys.exit(1)
