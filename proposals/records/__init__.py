"""The record that must survive: the append-only audit chain and its receivers for logins and
account changes, the database guards (triggers) that freeze issued letters and the chain,
backup/restore/integrity checks, and the filing exports of issued letters.
"""
