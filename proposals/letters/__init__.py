"""The letter as a document: its fixed wording (`wording`), fonts (`fonts`), HTML and PDF
rendering (`rendering`, the only WeasyPrint importer), signing and verification (`signing`,
the only pyHanko importer), the public version (`public`) and the JSON interchange
(`interchange`). No status changes here: those belong to `proposals.workflow`.
"""
