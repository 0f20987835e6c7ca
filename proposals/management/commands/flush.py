"""`manage.py flush`, which also empties the append-only tables.

Emptying a database is a deliberate act of its owner (tests, demo resets); the database
triggers that refuse deleting audit rows and issued letters are lifted for the flush and put
back afterwards, in the same connection.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from proposals.records import dbguards


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        guarded = dbguards.installed(connection)
        if guarded:
            dbguards.remove(connection)
        try:
            return super().handle(**options)
        finally:
            if guarded:
                dbguards.install(connection)
