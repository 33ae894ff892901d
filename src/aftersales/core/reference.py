"""Reference data every create reads (service points and their coverage, SLA policies, working
calendars) kept in each process's memory instead of read again per request (issue 9).

A `ReferenceCache` loads its value once and keeps it while its version, a number in the shared
cache (Redis in production), is unchanged. Saving or deleting a row of one of its models bumps the
version at once and again when the transaction commits, so every process reloads on its next read
and none keeps what a rolled-back or uncommitted change showed. Writes that send no signals
(`QuerySet.update`, `bulk_create`, raw SQL) are seen at the latest `REFERENCE_CACHE_SECONDS` later;
so are all changes in other processes when the cache is per process (no REDIS_URL: the demo).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import signals

T = TypeVar("T")

_caches: list[ReferenceCache] = []


class ReferenceCache(Generic[T]):
    """`load()`'s result, reloaded when one of `models` changed (see the module)."""

    def __init__(self, name: str, load: Callable[[], T], depends_on: Iterable[type[models.Model]]) -> None:
        self.name, self.load = name, load
        self.key = f"aftersales:reference:{name}"
        self._value: T | None = None
        self._version: object = None
        self._loaded_at: float | None = None
        for model in depends_on:
            for signal in (signals.post_save, signals.post_delete, signals.m2m_changed):
                signal.connect(self._changed, sender=model, weak=False, dispatch_uid=f"{self.key}:{model}")
        _caches.append(self)

    def get(self) -> T:
        version = cache.get(self.key)
        now = time.monotonic()
        fresh = (
            self._loaded_at is not None
            and version == self._version
            and now - self._loaded_at < settings.REFERENCE_CACHE_SECONDS
        )
        if not fresh:
            self._value, self._version, self._loaded_at = self.load(), version, now
        return self._value  # type: ignore[return-value]

    def invalidate(self) -> None:
        """Every process reloads on its next read."""
        cache.add(self.key, 0, timeout=None)
        with contextlib.suppress(ValueError):  # evicted in between: missing is a new version too
            cache.incr(self.key)
        self.clear()

    def clear(self) -> None:
        """This process reloads on its next read."""
        self._loaded_at = None

    def _changed(self, **kwargs) -> None:
        self.invalidate()
        transaction.on_commit(self.invalidate)


def reference_caches_clear() -> None:
    """Forget every loaded value in this process (tests start each case with none)."""
    for reference in _caches:
        reference.clear()
