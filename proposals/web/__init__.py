"""Web plumbing, named in settings and nowhere else: security headers (first middleware), the
503 page while the database is away, the account policy (password rules, forced change of
initial passwords, session limits, the lockout page) and the template context for every page.
No domain rules here.
"""
