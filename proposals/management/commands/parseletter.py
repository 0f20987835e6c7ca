"""`manage.py parseletter FILE.docx|FILE.txt [--agency NAME]`: recognise a reply letter's parts
and print it as interchange JSON (UTF-8, indented); a file that cannot be read or lacks required
parts exits 1 with one Chinese line on stderr."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.letters import importing, parsing
from proposals.letters.interchange import LetterFormatError, read_letter


def read_source_lines(path: Path) -> list[str]:
    """The logical lines of a .docx or .txt letter file; CommandError (Chinese) when unreadable."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path}：文件不存在。") from None
    except IsADirectoryError:
        raise CommandError(f"{path}：是目录，不是文件。") from None
    except OSError as exc:
        raise CommandError(f"{path}：无法读取（{exc.strerror}）。") from None
    if not data.strip():
        raise CommandError(f"{path}：文件是空的。")
    read = importing.word_file_lines if path.suffix.lower() == ".docx" else importing.text_file_lines
    try:
        return read(str(path), data)
    except importing.SourceError as problem:
        raise CommandError(str(problem)) from None


class Command(BaseCommand):
    help = "识别答复函（.docx 或 UTF-8 .txt）的各部分，按 JSON 交换格式输出到标准输出。"

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.docx|FILE.txt")
        parser.add_argument("--agency", metavar="NAME", help="承办单位全称（缺省取函头或署名）")

    def execute(self, *args, **options):
        """As Django's, but from the command line the error line is the Chinese message alone,
        without Django's "CommandError:" prefix; exit status 1."""
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if not getattr(self, "_called_from_command_line", False) or options.get("traceback"):
                raise
            self.stderr.write(str(error))
            sys.exit(error.returncode)

    def handle(self, *args, file, agency=None, **options):
        path = Path(file)
        lines = read_source_lines(path)
        letter = parsing.assemble(parsing.tag_lines(lines), agency=agency)
        missing = parsing.missing_parts(letter)
        if missing:
            raise CommandError(f"{path}：未能识别出{'、'.join(missing)}，请检查原文或补充后再试。")
        try:
            read_letter(letter, str(path))
        except LetterFormatError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(json.dumps(letter, ensure_ascii=False, indent=2))
