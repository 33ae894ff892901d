"""What apps above a reference record add to its page: the customer page (customer 360) and the
device page (its service history), the way they add panels to the work-order page. Customers and
devices sit below the work order and know none of what hangs off it, so the apps above register
here (core knows no domain app: a page is named by a string):

- `register_object_panel(page, template, context)`: a section of the page, rendered with what
  `context(request, obj)` returns (read through the app's scoped selectors, a bounded number of
  rows: the page's cost does not grow with the record's history); None leaves it out.
- `register_object_facts(page, provider)`: the counts at the top of the page and in the API
  summary; each fact may carry the time of the last contact it knows of.
- `register_history_source(page, kind, source)`: rows of the record's history (work orders,
  visits, parts, repairs ...), merged newest first and read a page at a time with a keyset cursor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

# The pages apps may add to.
PAGES = ("customer", "device")

PanelContext = Callable[[Any, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class ObjectPanel:
    page: str
    template: str
    context: PanelContext
    order: int = 100


@dataclass(frozen=True)
class Fact:
    """One count at the top of a page: `key` stable (API), `label` shown, `url` the filtered list
    it counts (or ""), `last_contact` the latest time the customer was in touch that it knows of."""

    key: str
    label: Any
    value: int | str | None
    url: str = ""
    last_contact: datetime | None = None


FactsProvider = Callable[[Any, Any], "list[Fact]"]

object_panels: list[ObjectPanel] = []
fact_providers: dict[str, list[tuple[int, FactsProvider]]] = {page: [] for page in PAGES}


def _check(page: str) -> None:
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}; one of {PAGES}")


def register_object_panel(page: str, template: str, context: PanelContext, *, order: int = 100) -> None:
    """Show `template` on `page`, rendered with `context(request, obj)` (None: not shown)."""
    _check(page)
    if any(panel.page == page and panel.template == template for panel in object_panels):
        return
    object_panels.append(ObjectPanel(page, template, context, order))
    object_panels.sort(key=lambda panel: panel.order)


def object_panels_for(page: str, request, obj) -> list[tuple[str, dict[str, Any]]]:
    """The (template, context) pairs of `page` for `obj`, in order, those with nothing left out."""
    base = {"obj": obj, "user": request.user, "request": request}
    shown = []
    for panel in object_panels:
        if panel.page != page:
            continue
        extra = panel.context(request, obj)
        if extra is not None:
            shown.append((panel.template, {**base, **extra}))
    return shown


def register_object_facts(page: str, provider: FactsProvider, *, order: int = 100) -> FactsProvider:
    """`provider(user, obj) -> [Fact, …]`: counts at the top of `page` and in its API summary."""
    _check(page)
    providers = fact_providers[page]
    if all(existing is not provider for _order, existing in providers):
        providers.append((order, provider))
        providers.sort(key=lambda pair: pair[0])
    return provider


def object_facts(page: str, user, obj) -> list[Fact]:
    _check(page)
    return [fact for _order, provider in fact_providers[page] for fact in provider(user, obj)]


def last_contact(facts: list[Fact]) -> datetime | None:
    """The latest contact any fact knows of (a work order, a complaint, a return visit ...)."""
    times = [fact.last_contact for fact in facts if fact.last_contact is not None]
    return max(times) if times else None


# --- history, a page at a time (keyset, never OFFSET) --------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HISTORY_PAGE_SIZE = 20


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a record's history: when, what kind (the source's), the row's id, and what the
    page and the API show of it."""

    at: datetime
    kind: str
    pk: int
    title: str
    detail: str = ""
    url: str = ""
    work_order: str = ""
    state: str = ""

    @property
    def key(self) -> tuple[datetime, str, int]:
        return (self.at, self.kind, self.pk)


@dataclass(frozen=True)
class HistoryCursor:
    """Where a page of history ends: the key of its last (oldest) row, written
    `<microseconds since 1970>.<kind>.<id>`."""

    at: datetime
    kind: str
    pk: int

    def encode(self) -> str:
        micros = (self.at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.kind}.{self.pk}"

    @classmethod
    def decode(cls, text: str) -> HistoryCursor:
        """The cursor a link carries; ValueError when it is not one."""
        parts = (text or "").split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            raise ValueError(f"not a history cursor: {text!r}")
        kind = parts[1]
        if not kind.replace("_", "").isalnum() or len(kind) > 32 or int(parts[0]) > 10**17:
            raise ValueError(f"not a history cursor: {text!r}")
        return cls(_EPOCH + timedelta(microseconds=int(parts[0])), kind, int(parts[2]))

    def before(self, kind: str, field: str) -> Q:
        """The rows of a source of `kind` (its time in `field`) that come after this cursor newest
        first: older, or of the same moment and a lower (kind, id)."""
        condition = Q(**{f"{field}__lt": self.at})
        if kind < self.kind:
            condition |= Q(**{field: self.at})
        elif kind == self.kind:
            condition |= Q(**{field: self.at, "pk__lt": self.pk})
        return condition


def history_rows(rows: QuerySet, *, kind: str, field: str, before: HistoryCursor | None, limit: int) -> list:
    """A source's page of rows: newest first by `field` (then id), after the cursor, at most
    `limit`; the source turns them into its entries."""
    rows = rows.order_by(f"-{field}", "-id")
    if before is not None:
        rows = rows.filter(before.before(kind, field))
    return list(rows[:limit])


# source(user, obj, before, limit) -> at most `limit` entries, newest first, all of its `kind`.
HistorySource = Callable[[Any, Any, "HistoryCursor | None", int], "list[HistoryEntry]"]
history_sources: dict[str, dict[str, HistorySource]] = {page: {} for page in PAGES}


def register_history_source(page: str, kind: str, source: HistorySource) -> HistorySource:
    """Add the rows of `kind` (unique on the page) to `page`'s history."""
    _check(page)
    history_sources[page][kind] = source
    return source


def history_kinds(page: str) -> list[str]:
    return sorted(history_sources[page])


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryEntry]
    next: HistoryCursor | None


def history_page(
    page: str, user, obj, *, before: HistoryCursor | None = None, size: int = HISTORY_PAGE_SIZE
) -> HistoryPage:
    """The newest `size` rows of every source older than `before`, newest first: one query of at
    most `size + 1` rows per source, however long the history."""
    _check(page)
    rows: list[HistoryEntry] = []
    for _kind, source in sorted(history_sources[page].items()):
        rows.extend(source(user, obj, before, size + 1))
    rows.sort(key=lambda row: row.key, reverse=True)
    if len(rows) <= size:
        return HistoryPage(rows=rows, next=None)
    rows = rows[:size]
    last = rows[-1]
    return HistoryPage(rows=rows, next=HistoryCursor(last.at, last.kind, last.pk))
