"""Database triggers that keep records as they were written, whatever code or SQL runs.

- The audit table refuses UPDATE and DELETE (SEC-13).
- An issued reply (答复函 sent), its measures and its 抄送 list refuse UPDATE and DELETE, and no
  measure or recipient can be added to it (REL-07). The models refuse the same in Python
  (`FrozenReply`); the triggers also stop `QuerySet.update()`, raw SQL and the admin.

`install` and `remove` are used by the migration and by `manage.py flush` (which must empty
the whole database in tests and demos).
"""

from __future__ import annotations

AUDIT = "proposals_auditevent"
REPLY = "proposals_reply"
ISSUED_CHILDREN = ("measures_measure", "proposals_replycopy")

AUDIT_MESSAGE = "审计记录只能追加，不能修改或删除"
FROZEN_MESSAGE = "答复已发出，答复函不能修改或删除"


def _sqlite() -> list[tuple[str, str]]:
    """(trigger name, CREATE statement) pairs for SQLite."""
    triggers = [
        (
            f"{AUDIT}_no_update",
            f"CREATE TRIGGER {AUDIT}_no_update BEFORE UPDATE ON {AUDIT} "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END",
        ),
        (
            f"{AUDIT}_no_delete",
            f"CREATE TRIGGER {AUDIT}_no_delete BEFORE DELETE ON {AUDIT} "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END",
        ),
        (
            f"{REPLY}_frozen_update",
            f"CREATE TRIGGER {REPLY}_frozen_update BEFORE UPDATE ON {REPLY} "
            f"WHEN OLD.status = 'issued' BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END",
        ),
        (
            f"{REPLY}_frozen_delete",
            f"CREATE TRIGGER {REPLY}_frozen_delete BEFORE DELETE ON {REPLY} "
            f"WHEN OLD.status = 'issued' BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END",
        ),
    ]
    for table in ISSUED_CHILDREN:
        issued = "(SELECT status FROM {reply} WHERE id = {row}.reply_id) = 'issued'"
        for when, row in (("UPDATE", "OLD"), ("DELETE", "OLD"), ("INSERT", "NEW")):
            name = f"{table}_frozen_{when.lower()}"
            triggers.append(
                (
                    name,
                    f"CREATE TRIGGER {name} BEFORE {when} ON {table} "
                    f"WHEN {issued.format(reply=REPLY, row=row)} "
                    f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END",
                )
            )
        # An UPDATE that moves a row onto an issued reply is refused too.
        name = f"{table}_frozen_move"
        triggers.append(
            (
                name,
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} "
                f"WHEN {issued.format(reply=REPLY, row='NEW')} "
                f"BEGIN SELECT RAISE(ABORT, '{FROZEN_MESSAGE}'); END",
            )
        )
    return triggers


# Trigger bodies built from constants of the code only (bandit B608).
POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION proposals_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION proposals_reply_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'issued' THEN
        RAISE EXCEPTION '{FROZEN_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION proposals_letter_part_frozen() RETURNS trigger AS $$
BEGIN
    IF (TG_OP IN ('UPDATE', 'DELETE') AND
        (SELECT status FROM {REPLY} WHERE id = OLD.reply_id) = 'issued')
       OR (TG_OP IN ('UPDATE', 'INSERT') AND
        (SELECT status FROM {REPLY} WHERE id = NEW.reply_id) = 'issued') THEN
        RAISE EXCEPTION '{FROZEN_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""  # nosec B608


def _postgres() -> list[tuple[str, str, str]]:
    """(trigger name, table, CREATE statement) for PostgreSQL."""
    triggers = [
        (
            "audit_append_only",
            AUDIT,
            f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {AUDIT} "
            "FOR EACH ROW EXECUTE FUNCTION proposals_audit_append_only()",
        ),
        (
            "audit_no_truncate",
            AUDIT,
            f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {AUDIT} "
            "FOR EACH STATEMENT EXECUTE FUNCTION proposals_audit_append_only()",
        ),
        (
            "reply_frozen",
            REPLY,
            f"CREATE TRIGGER reply_frozen BEFORE UPDATE OR DELETE ON {REPLY} "
            "FOR EACH ROW EXECUTE FUNCTION proposals_reply_frozen()",
        ),
    ]
    for table in ISSUED_CHILDREN:
        triggers.append(
            (
                "letter_part_frozen",
                table,
                f"CREATE TRIGGER letter_part_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION proposals_letter_part_frozen()",
            )
        )
    return triggers


def install(connection) -> None:
    """Create the triggers (after removing any older version of them)."""
    remove(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for _, sql in _sqlite():
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTIONS)
            for _, _, sql in _postgres():
                cursor.execute(sql)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, _ in _sqlite():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name, table, _ in _postgres():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")


def installed(connection) -> bool:
    """Whether the guards are in place (used by checks and tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [f"{AUDIT}_no_update"],
            )
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_append_only'")
        else:
            return False
        return cursor.fetchone()[0] > 0
