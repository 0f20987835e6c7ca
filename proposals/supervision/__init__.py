"""What committee staff watch and feed in: the dashboard query, the statistics, the intake of
proposal lists, safe spreadsheets, and the notices that reach agencies. Reads and bulk
imports only; a status change is never made here (that is `proposals.workflow`).
"""
