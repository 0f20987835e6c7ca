"""The portal's pages, one module per user group and task (see `suizhou_replies/urls.py`, which
reads as their table of contents). Views are thin: querysets carry access rules (`for_user`),
every write goes through `proposals.workflow`, and refusals come back as Chinese messages.
Nothing imports the views but the URL table.
"""
