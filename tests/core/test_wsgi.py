"""The WSGI worker freezes its long-lived objects after its warm-up (issue 9: full garbage
collections walking ~200,000 objects made a list page's p95)."""

from __future__ import annotations

import gc

from aftersales.config.wsgi import FrozenAfterWarmUp


def test_the_worker_freezes_long_lived_objects_at_start_and_after_its_warm_up_requests():
    served = []

    def app(environ, start_response):
        served.append(environ["PATH_INFO"])
        return [b"ok"]

    try:
        worker = FrozenAfterWarmUp(app, after=3)
        assert gc.get_freeze_count() > 0  # at start-up
        gc.unfreeze()
        for path in ("/a", "/b"):
            assert worker({"PATH_INFO": path}, None) == [b"ok"]
        assert gc.get_freeze_count() == 0
        worker({"PATH_INFO": "/c"}, None)
        assert gc.get_freeze_count() > 0 and served == ["/a", "/b", "/c"]
    finally:
        gc.unfreeze()
