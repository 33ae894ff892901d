"""Handing background jobs to Celery once the transaction commits.

A web process imports Celery (about 7 MB of a worker's memory, issue 9) only when it first hands a
job over, not at start-up: lists, pages and the dispatch board never do. The app is named in
settings (`JOBS_APP`) and imported just before the task, so the tasks' `shared_task` use it (its
broker, or the in-process "embedded" mode without REDIS_URL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string


def job_after_commit(task: str, *args: Any) -> None:
    """Queue the task at the dotted path `task` with `args` when the transaction commits, never on
    rollback. Robust: the caller's work is committed whatever happens here; a job whose hand-over
    failed (broker down) is done later by the periodic job that covers its kind."""

    def hand_over() -> None:
        import_string(settings.JOBS_APP)
        import_string(task).delay(*args)

    transaction.on_commit(hand_over, robust=True)
