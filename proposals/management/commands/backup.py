"""`manage.py backup DEST_DIR`: a consistent copy of the database, the media files and a
manifest to check a restore against (REL-06). Exit status 1 when the copy could not be made,
or when stored letters already differ from their rows (the backup is still written)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proposals.records import backup


class Command(BaseCommand):
    help = (
        "备份数据库（SQLite 用在线备份接口，PostgreSQL 用 pg_dump -Fc）和媒体文件（答复函 PDF、印章、导出文件），"
        "并写出备份清单（各表行数、审计哈希链末端、每份存档 PDF 的 SHA-256、迁移状态、备份文件校验值）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="备份目录（新目录或空目录）")

    def handle(self, *args, destination: str, **options):
        try:
            manifest, report = backup.backup(Path(destination))
        except backup.BackupError as problem:
            raise CommandError(str(problem)) from None
        report.write(self)
        if not report.ok:
            raise CommandError(
                f"备份已写入 {destination}，但发现 {len(report.problems)} 处存档文件与记录不符，请排查。"
            )
        self.stdout.write(self.style.SUCCESS(f"备份完成：{Path(destination).resolve()}"))
