"""The WSGI application that gunicorn serves (``gunicorn config.wsgi:application``).

Once Django and every view are loaded, ``gc.freeze()`` moves what they allocated (a few hundred thousand
long-lived objects: models, URL patterns, translations, libraries) out of the garbage collector's sight, as the
Python documentation advises for a server process. A full collection then walks what requests allocated, not
the whole process: measured in ``make bench``, it took the slowest directory searches from 150–190 ms down to
the rest (docs/benchmarks.md).
"""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
import_module(settings.ROOT_URLCONF)  # every view, before the freeze
gc.freeze()
