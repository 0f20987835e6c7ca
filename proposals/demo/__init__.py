"""Demo data: the seed letter (`reply-12.json`, loaded by `manage.py seed_demo`) and the bulk
proposals, agencies and replies of `seed_demo --proposals N --agencies M` (`bulk`), for
trying the portal at a real city's scale."""
