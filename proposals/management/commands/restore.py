"""`manage.py restore SOURCE_DIR`: restore a backup into an empty database and media folder,
then verify it against the backup's manifest (REL-06). Exit status 1 on any mismatch."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.records import backup


class Command(BaseCommand):
    help = (
        "把 backup 命令写出的备份恢复到空数据库和空媒体目录（目标不是空的则拒绝），然后校验："
        "各表行数与备份清单一致，审计哈希链完整且末端一致，每份答复函 PDF 的 SHA-256 与清单和数据库记录一致。"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="备份目录（含 manifest.json）")

    def handle(self, *args, source: str, **options):
        try:
            report = backup.restore(Path(source))
        except backup.BackupError as problem:
            raise CommandError(str(problem)) from None
        report.write(self)
        if not report.ok:
            raise CommandError(
                f"恢复后的校验发现 {len(report.problems)} 处问题（见上），恢复的数据不可直接使用。"
            )
        self.stdout.write(self.style.SUCCESS("恢复完成，校验全部通过。"))
