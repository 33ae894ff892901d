"""Reads of work orders, always scoped in SQL to what the user may see (R37)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy, ngettext

from aftersales.accounts.choices import Role
from aftersales.accounts.hooks import register_engineer_work_check
from aftersales.catalog.selectors import PRODUCT_MODELS
from aftersales.core.models import ChangeRecord
from aftersales.core.panels import history_page
from aftersales.core.phones import phone_normalize, phone_search_digits
from aftersales.core.search import highlight, query_parse
from aftersales.customers.models import Contact, Customer
from aftersales.customers.selectors import customer_scope, customer_search
from aftersales.devices.models import Device
from aftersales.devices.selectors import device_find, device_scope

from . import hooks
from .choices import OPEN_STATES, State
from .models import Attachment, WorkOrder
from .search import INDEX, WHOLE_NUMBER


def workorder_scope(user, queryset: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """Dealer staff: their dealer's service points; engineers: assigned to them or their service
    point; company-wide roles: everything; anyone else: nothing."""
    queryset = WorkOrder.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_company:
        return queryset
    if user.role == Role.DEALER_STAFF and user.dealer_id:
        return queryset.filter(service_point__dealer_id=user.dealer_id)
    if user.role == Role.ENGINEER:
        engineer = getattr(user, "engineer", None)
        if engineer is None:
            return queryset.none()
        return queryset.filter(Q(engineer=engineer) | Q(service_point_id=engineer.service_point_id))
    return queryset.none()


def attachment_scope(user) -> QuerySet[Attachment]:
    """The files of the work orders the user may see (R37)."""
    return Attachment.objects.filter(work_order__in=workorder_scope(user).values("pk"))


def workorder_list(user) -> QuerySet[WorkOrder]:
    """The list rows with everything the list shows joined in one query, with the annotations
    of the columns other apps add (`hooks.register_list_column`)."""
    return (
        workorder_scope(user)
        .select_related("customer", "service_point", "engineer__user", "product_model")
        .annotate(**hooks.list_annotations())
    )


def workorder_get(user, pk: int) -> WorkOrder:
    """One work order the user may see, or 404 (never 403: its existence is not disclosed), with
    what its page header, overview and API output show: the customer, point, engineer and creator
    joined in, the product model from memory (`catalog.selectors.PRODUCT_MODELS`). PostgreSQL's
    planning time grows steeply with the joins: with the contact, the device and its model and
    line, the dealer and the engineer's point too (13 tables) it planned for 5 ms a query that ran
    in 0.5 ms, on every work-order page, tab and API call (issue 9); what only some tabs use (the
    device, for the warranty and dispatch) is read when they ask for it."""
    work_order = get_object_or_404(
        workorder_scope(user).select_related("customer", "service_point", "engineer__user", "created_by"),
        pk=pk,
    )
    if work_order.product_model_id is not None:
        model = PRODUCT_MODELS.get().get(work_order.product_model_id)
        if model is not None:  # else read when asked for (a model added a moment ago elsewhere)
            work_order.product_model = model
    return work_order


def workorder_get_by_number(user, number: str) -> WorkOrder:
    return get_object_or_404(workorder_scope(user), number=number)


def workorder_history(work_order: WorkOrder) -> QuerySet[ChangeRecord]:
    from django.contrib.contenttypes.models import ContentType

    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(WorkOrder), object_id=work_order.pk
    ).select_related("actor")


def workorder_timeline(work_order: WorkOrder) -> list:
    """Every event and field change merged oldest first (a work order's whole story, for tests and
    small reads; pages read it newest first, one page at a time: `workorder_timeline_page`)."""
    events = list(work_order.events.select_related("actor"))
    changes = list(workorder_history(work_order).exclude(field="state"))
    return sorted(events + changes, key=timeline_key)


# --- the timeline a page at a time (keyset, never OFFSET) ---------------------------------------

# Entries of the timeline one page (or one API page) shows at most.
TIMELINE_PAGE_SIZE = 20
# Events sort after field changes of the same moment (oldest first), i.e. before them newest first.
_EVENT_RANK, _CHANGE_RANK = 1, 0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timeline_key(row) -> tuple[datetime, int, int]:
    """A timeline row's place: (time, event after change, id): unique, so pages never overlap."""
    rank = _CHANGE_RANK if isinstance(row, ChangeRecord) else _EVENT_RANK
    return (row.created_at, rank, row.pk)


@dataclass(frozen=True)
class TimelineCursor:
    """Where a page of the timeline ends: the key of the last (oldest) entry it showed. Written in
    links as `<microseconds since 1970>.<rank>.<id>`, e.g. `1796567575123456.1.42`."""

    created_at: datetime
    rank: int
    pk: int

    @classmethod
    def of(cls, row) -> TimelineCursor:
        return cls(*timeline_key(row))

    def encode(self) -> str:
        micros = (self.created_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.rank}.{self.pk}"

    @classmethod
    def decode(cls, text: str) -> TimelineCursor:
        """The cursor a link carries; ValueError when it is not one."""
        parts = text.split(".")
        if len(parts) != 3 or not all(part.isdigit() for part in parts):
            raise ValueError(f"not a timeline cursor: {text!r}")
        micros, rank, pk = (int(part) for part in parts)
        if rank not in (_EVENT_RANK, _CHANGE_RANK) or micros > 10**17:
            raise ValueError(f"not a timeline cursor: {text!r}")
        return cls(_EPOCH + timedelta(microseconds=micros), rank, pk)

    def before(self, rank: int) -> Q:
        """Rows of the table of `rank` that come after this cursor newest first."""
        older = Q(created_at__lt=self.created_at)
        if rank == self.rank:
            return older | Q(created_at=self.created_at, pk__lt=self.pk)
        if rank < self.rank:  # same moment, lower rank: shown after the cursor's row
            return older | Q(created_at=self.created_at)
        return older


@dataclass(frozen=True)
class TimelinePage:
    """One page of the timeline, newest first; `next` is the cursor of the older entries, None
    at the first event."""

    rows: list
    next: TimelineCursor | None


def workorder_timeline_page(
    work_order: WorkOrder, *, before: TimelineCursor | None = None, size: int = TIMELINE_PAGE_SIZE
) -> TimelinePage:
    """The newest `size` events and field changes older than `before` (all when None), newest
    first: two queries of at most `size + 1` rows each, however long the timeline."""
    events = work_order.events.select_related("actor").order_by("-created_at", "-id")
    changes = workorder_history(work_order).exclude(field="state").order_by("-created_at", "-id")
    if before is not None:
        events = events.filter(before.before(_EVENT_RANK))
        changes = changes.filter(before.before(_CHANGE_RANK))
    rows = sorted([*events[: size + 1], *changes[: size + 1]], key=timeline_key, reverse=True)
    if len(rows) <= size:
        return TimelinePage(rows=rows, next=None)
    rows = rows[:size]
    return TimelinePage(rows=rows, next=TimelineCursor.of(rows[-1]))


QUEUE_SIZE = 10
# Roles whose home page lists the overdue work orders (R34): those who move work orders on. Quality,
# finance and the parts desk act on return visits, complaints, money and parts (their apps' panels).
OVERDUE_ROLES = frozenset(
    {
        Role.AGENT,
        Role.DISPATCHER,
        Role.ENGINEER,
        Role.CLERK,
        Role.SUPERVISOR,
        Role.HQ_ADMIN,
        Role.DEALER_STAFF,
    }
)


def _mine(user):
    """The user's own queue: what their role acts on next; None for the roles that have none among
    work orders (supervisors and HQ admins act on the overdue ones, quality on return visits and
    complaints, finance and the parts desk on their own lists)."""
    rows = workorder_list(user)
    if user.role == Role.ENGINEER:
        return gettext_lazy("Assigned to me"), rows.filter(engineer__user=user, state__in=OPEN_STATES)
    if user.role == Role.DISPATCHER:
        return gettext_lazy("Waiting for assignment"), rows.filter(state=State.ACCEPTED)
    if user.role == Role.CLERK:
        return gettext_lazy("Completed, to close"), rows.filter(state=State.COMPLETED)
    if user.role == Role.DEALER_STAFF:
        return gettext_lazy("To accept or assign"), rows.filter(state__in=[State.NEW, State.ACCEPTED])
    if user.role == Role.AGENT:
        return gettext_lazy("Opened by me, still open"), rows.filter(created_by=user, state__in=OPEN_STATES)
    return None


def workorder_overdue(user, *, at: datetime | None = None) -> QuerySet[WorkOrder]:
    """R34: the open work orders in the user's scope with a service-level clock breached or at risk
    (`hooks.overdue_condition`), the one due first first."""
    at = at or timezone.now()
    return (
        workorder_list(user)
        .filter(Q(state__in=OPEN_STATES) & hooks.overdue_condition(at))
        .order_by(F("sla_due_at").asc(nulls_last=True), "created_at", "pk")
    )


def workorder_queue(user) -> dict:
    """The home page's work-order panel, all scoped (R37): counts by state; the overdue work orders
    (a service-level clock breached or at risk, R34) for the roles that move work orders on; and
    the user's own queue for the roles that have one. A part a role does not act on is None."""
    scope = workorder_scope(user)
    counted = dict(scope.order_by().values_list("state").annotate(n=Count("pk")))
    now = timezone.now()
    queue: dict = {
        "counts": [(value, label, counted.get(value, 0)) for value, label in State.choices],
        "open_count": sum(counted.get(value, 0) for value in OPEN_STATES),
        "overdue_count": None,
        "overdue": None,
        "mine_title": None,
        "mine_count": None,
        "mine": None,
    }
    if user.has_role(*OVERDUE_ROLES):
        overdue = workorder_overdue(user, at=now)
        rows = list(overdue[:QUEUE_SIZE])
        for row in rows:
            row.sla_breached = row.sla_due_at is None or row.sla_due_at < now  # type: ignore[attr-defined]
        queue["overdue"] = rows
        queue["overdue_count"] = len(rows) if len(rows) < QUEUE_SIZE else overdue.count()
    mine = _mine(user)
    if mine is not None:
        title, rows = mine
        queue["mine_title"] = title
        queue["mine_count"] = rows.count()
        queue["mine"] = list(rows.order_by("-created_at")[:QUEUE_SIZE])
    return queue


# --- the global search box (issue 12) -------------------------------------------------------------

# Rows of each kind the global search shows; the lists behind "all results" have the rest.
SEARCH_LIMIT = 10
# The texts of a hit its snippet is taken from: the first holding a searched word.
SNIPPET_FIELDS = ("fault_symptom", "error_messages", "probable_cause", "resolution")


@dataclass(frozen=True)
class SearchHit:
    work_order: WorkOrder
    snippet: SafeString


@dataclass(frozen=True)
class SearchResults:
    text: str
    jump: WorkOrder | None
    work_orders: list[SearchHit]
    customers: list[Customer]
    devices: list[Device]

    @property
    def empty(self) -> bool:
        return not (self.jump or self.work_orders or self.customers or self.devices)


def search_everything(user, text: str) -> SearchResults:
    """The navbar's search: a whole work-order number is that work order (jumped to); else the
    work orders whose words match, best first (core.search), those with the phone's digits, and
    the customers and devices by name, code, phone or serial number; all within the user's scope,
    a bounded number of statements whatever the data."""
    text = (text or "").strip()[:200]
    if not text:
        return SearchResults(text="", jump=None, work_orders=[], customers=[], devices=[])
    scope = workorder_scope(user)
    if WHOLE_NUMBER.fullmatch(text):
        jump = scope.filter(number=text.upper()).first()
        if jump is not None:
            return SearchResults(text=text, jump=jump, work_orders=[], customers=[], devices=[])
    query = query_parse(text)
    keys = INDEX.ranked(
        query, within=None if user.sees_whole_company else scope.values("pk"), limit=SEARCH_LIMIT
    )
    digits = phone_search_digits(text)
    if len(digits) >= 7 and len(keys) < SEARCH_LIMIT:
        by_phone = scope.filter(contact_phone__contains=digits).order_by("-created_at", "-id")
        keys += [pk for pk in by_phone.values_list("pk", flat=True)[:SEARCH_LIMIT] if pk not in keys]
    rows = {wo.pk: wo for wo in scope.filter(pk__in=keys[:SEARCH_LIMIT]).select_related("customer")}
    hits = [SearchHit(work_order=rows[pk], snippet=_snippet(rows[pk], query)) for pk in keys if pk in rows]
    return SearchResults(
        text=text,
        jump=None,
        work_orders=hits,
        customers=list(customer_search(user, text, limit=5)),
        devices=list(device_find(user, text, limit=5)),
    )


def _snippet(work_order: WorkOrder, query) -> SafeString:
    for name in SNIPPET_FIELDS:
        marked = highlight(getattr(work_order, name), query)
        if "<mark>" in marked:
            return marked
    return highlight(work_order.fault_symptom, query)


# --- intake: who is calling, about which device (issue 12) ---------------------------------------

CALLER_CUSTOMERS = 5
CALLER_OPEN = 10
CALLER_RECENT = 5
CALLER_HISTORY = 5


@dataclass(frozen=True)
class CallerLookup:
    """What intake shows beside the form once the phone or the serial number is recognised: the
    customers with that phone (theirs or a contact's), their open and latest other work orders,
    the device with that serial number and its latest history, and the open work orders on that
    device, offered instead of a duplicate (a repeat call gets a note, not a new work order)."""

    phone: str
    serial: str
    customers: list
    devices: list
    open_work_orders: list
    recent_work_orders: list
    device_history: list
    duplicates: list

    @property
    def recognised(self) -> bool:
        return bool(self.customers or self.devices or self.open_work_orders or self.recent_work_orders)


def caller_lookup_params(params) -> dict:
    """The lookup's inputs from the intake form's fields (or the API's short names)."""

    def number(name: str) -> int | None:
        value = (params.get(name) or "").strip()
        return int(value) if value.isdigit() and len(value) <= 12 else None

    phone = params.get("contact_phone") or params.get("new_customer_phone") or params.get("phone") or ""
    serial = params.get("serial_number") or params.get("serial") or ""
    customer_id, device_id = number("customer"), number("device")
    return {"phone": phone, "serial": serial, "customer_id": customer_id, "device_id": device_id}


def caller_lookup(
    user, *, phone: str = "", serial: str = "", customer_id: int | None = None, device_id: int | None = None
) -> CallerLookup:
    """The caller's and the device's records in the user's scope (R37), each list bounded, so the
    cost is the same whatever their history: about ten queries."""
    try:
        e164 = phone_normalize(phone) if phone else ""
    except ValidationError:
        e164 = ""
    serial = (serial or "").strip().upper()

    customer_filter = Q(pk=customer_id) if customer_id else Q(pk__in=[])
    if e164:
        customer_filter |= Q(phone=e164) | Q(pk__in=Contact.objects.filter(phone=e164).values("customer_id"))
    customers = []
    if customer_id or e164:
        customers = list(
            customer_scope(user).filter(customer_filter).order_by("name", "pk")[:CALLER_CUSTOMERS]
        )

    device_filter = Q(pk=device_id) if device_id else Q(pk__in=[])
    if len(serial) >= 3:
        device_filter |= Q(serial_number__iexact=serial)
    devices = []
    if device_id or len(serial) >= 3:
        devices = list(
            device_scope(user)
            .filter(device_filter)
            .select_related("product_model", "customer")
            .order_by("serial_number", "pk")[:3]
        )

    # the work orders the user may see of whoever has that phone, even a customer of another
    # dealer's (its work orders at the user's own points are theirs to see, R37)
    caller_filter = Q(customer__in=[c.pk for c in customers])
    if e164:
        caller_filter |= (
            Q(contact_phone=e164)
            | Q(customer__phone=e164)
            | Q(customer__in=Contact.objects.filter(phone=e164).values("customer_id"))
        )
    rows = (
        workorder_scope(user)
        .select_related("customer", "device", "service_point")
        .order_by("-created_at", "-id")
    )
    open_orders, recent = [], []
    if customers or e164:
        callers = rows.filter(caller_filter)
        open_orders = list(callers.filter(state__in=OPEN_STATES)[:CALLER_OPEN])
        recent = list(callers.exclude(state__in=OPEN_STATES)[:CALLER_RECENT])

    duplicates = []
    if devices or len(serial) >= 3:
        same_device = Q(device__in=[d.pk for d in devices])
        if len(serial) >= 3:
            same_device |= Q(serial_number__iexact=serial)
        duplicates = list(rows.filter(same_device, state__in=OPEN_STATES)[:3])
    history = history_page("device", user, devices[0], size=CALLER_HISTORY).rows if devices else []
    return CallerLookup(
        phone=e164,
        serial=serial,
        customers=customers,
        devices=devices,
        open_work_orders=open_orders,
        recent_work_orders=recent,
        device_history=history,
        duplicates=duplicates,
    )


# How many work-order numbers a message names before "…".
SHOWN_NUMBERS = 5


@register_engineer_work_check
def engineer_open_work_orders(engineer) -> str | None:
    """R38: the open work orders assigned to `engineer`, in words for the refusal to deactivate."""
    open_orders = WorkOrder.objects.filter(engineer=engineer, state__in=OPEN_STATES)
    numbers = list(open_orders.order_by("number").values_list("number", flat=True)[:SHOWN_NUMBERS])
    if not numbers:
        return None
    count = open_orders.count()
    shown = ", ".join(numbers[:SHOWN_NUMBERS]) + ("…" if count > SHOWN_NUMBERS else "")
    return ngettext(
        "%(count)d open work order: %(numbers)s", "%(count)d open work orders: %(numbers)s", count
    ) % {
        "count": count,
        "numbers": shown,
    }
