"""The WSGI application (gunicorn: `aftersales.config.wsgi`).

A worker holds about 200,000 long-lived objects (Django, the URLconf, compiled templates,
translations, reference caches). Python's full garbage collection walks all of them, and it runs
whenever enough allocations piled up — in the middle of some request, which is what a list page's
p95 was made of (issue 9). Once the worker has served its first requests (so what loads lazily is
loaded), `gc.freeze()` moves those objects out of the collector's reach; collections then walk
only what requests allocate. `GC_FREEZE=0` turns it off (to measure the difference)."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

from aftersales.core.search import warm_up as search_warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")

# Freeze after these many requests (and once at start-up).
FREEZE_AFTER_REQUESTS = 10


class FrozenAfterWarmUp:
    """The Django application, with the worker's long-lived objects frozen after its warm-up."""

    def __init__(self, app, after: int = FREEZE_AFTER_REQUESTS):
        self.app, self.after, self.served = app, after, 0
        self._freeze()

    @staticmethod
    def _freeze() -> None:
        gc.collect()
        gc.freeze()

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        finally:
            self.served += 1
            if self.served == self.after:
                self._freeze()


application = get_wsgi_application()
# The search's dictionary (1 MB of arrays) is loaded before the first freeze, once.
search_warm_up()
if os.environ.get("GC_FREEZE", "1") != "0":
    application = FrozenAfterWarmUp(application)
