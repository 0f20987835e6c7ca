"""WSGI entry point (gunicorn suizhou_replies.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suizhou_replies.settings")
application = get_wsgi_application()
