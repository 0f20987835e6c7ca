"""The portal's one Django app, in rooms by capability: `models` (the data), `letters` (the
letter as a document), `supervision` and `records` (what committee staff watch and what must
survive), `workflow` (every status change), `views` (the pages) and `web` (plumbing). The
README's map of the code says who imports whom.
"""
