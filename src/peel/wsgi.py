"""WSGI entry point for `peel serve` and any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

from peel.cli import PRIVATE_UMASK

# Files the web process creates are the service account's only (see peel.cli), also when a WSGI
# server other than `peel serve` imports this module.
os.umask(PRIVATE_UMASK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peel.settings")
application = get_wsgi_application()
