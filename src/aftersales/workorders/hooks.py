"""Extension points for the apps that hang off a work order (field, sla, feedback, billing...).

They register here instead of listening to signals, so a reader of the lifecycle sees every
reaction: `transition_hooks` run inside the transition's transaction, after the event row.
`detail_panels` name templates the work-order page includes (NetBox template extensions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse

TransitionHook = Callable[..., None]

transition_hooks: list[TransitionHook] = []
intake_planners: list[Callable[..., PlannedEvent | None]] = []
intake_hooks: list[Callable[..., None]] = []
transition_guards: list[TransitionHook] = []


# The tabs of the work-order page, in order; a panel names the tab it belongs to.
PANEL_TABS = ("overview", "service", "money", "feedback", "documents", "timeline")
PanelContext = Callable[[Any, Any], "dict[str, Any] | None"]


@dataclass(frozen=True)
class DetailPanel:
    """A panel another app adds to the work-order page (NetBox's template extensions): `template`
    is rendered with what `context(request, work_order)` returns (its data read through the app's
    selectors, its `may_*` flags from the app's permissions), plus `wo`, `user` and `request`;
    when `context` returns None the panel has nothing to show and stays out of the way."""

    template: str
    context: PanelContext | None = None
    order: int = 100
    tab: str = "service"


detail_panels: list[DetailPanel] = []
# Texts other apps add to a work order's search words (a visit's findings): `texts(work_order_ids)`
# gives {work order id: [text, ...]} in one query (workorders.search).
search_texts: list[Callable[[list[int]], dict[int, list[str]]]] = []
demo_seeders: list[Callable[..., None]] = []


def register_transition_hook(hook: TransitionHook) -> TransitionHook:
    """Decorator: `hook(*, work_order, transition, actor)` runs on every transition."""
    transition_hooks.append(hook)
    return hook


def register_transition_guard(guard: TransitionHook) -> TransitionHook:
    """Decorator: `guard(*, work_order, transition, actor)` runs before a transition is applied
    (after the state, role and input checks) and may refuse it by raising TransitionNotAllowed,
    e.g. "start" before the customer confirmed the service plan (R8)."""
    transition_guards.append(guard)
    return guard


@dataclass(frozen=True)
class PlannedEvent:
    """The timeline event an intake planner asks for, recorded with the "created" event once the
    work order is saved (one INSERT for all of them)."""

    kind: str
    action: str = ""
    params: dict[str, Any] | None = None


def register_intake_planner(
    planner: Callable[..., PlannedEvent | None],
) -> Callable[..., PlannedEvent | None]:
    """Decorator: `planner(*, work_order, actor)` runs on a new, validated work order before it is
    saved and may fill in what the caller left empty (e.g. the service point, R5), so the work
    order is inserted complete instead of updated right after; it returns the event explaining
    what it did, or None."""
    intake_planners.append(planner)
    return planner


def register_intake_hook(hook: Callable[..., None]) -> Callable[..., None]:
    """Decorator: `hook(*, work_order, actor)` runs when a work order is created, inside the same
    transaction (e.g. automatic dispatch to a service point, R5)."""
    intake_hooks.append(hook)
    return hook


def register_detail_panel(
    template: str, context: PanelContext | None = None, *, order: int = 100, tab: str = "service"
) -> None:
    """Show `template` on the work-order page, in `tab`, rendered with `context(request, wo)`."""
    if tab not in PANEL_TABS:
        raise ValueError(f"unknown tab {tab!r}; one of {PANEL_TABS}")
    detail_panels.append(DetailPanel(template=template, context=context, order=order, tab=tab))
    detail_panels.sort(key=lambda panel: panel.order)


def detail_panels_for(request, work_order, tab: str) -> list[tuple[str, dict[str, Any]]]:
    """The panels to show in one tab of this work order's page: (template, context) pairs, the
    panels whose context is None left out. Only the tab being shown is computed: the others load
    when opened, so the page's cost does not grow with what other apps hang off it."""
    base = {"wo": work_order, "user": request.user, "request": request}
    shown = []
    for panel in detail_panels:
        if panel.tab != tab:
            continue
        extra = panel.context(request, work_order) if panel.context is not None else {}
        if extra is not None:
            shown.append((panel.template, {**base, **extra}))
    return shown


def tabs_with_panels() -> set[str]:
    """The tabs some app registered a panel for (whether it has anything to show for a given work
    order is only known when the tab is opened)."""
    return {panel.tab for panel in detail_panels}


def detail_url(work_order_id: int, tab: str, anchor: str = "") -> str:
    """The work-order page opened at `tab` (and scrolled to `anchor`): where a panel's form sends
    the user back after posting."""
    if tab not in PANEL_TABS:
        raise ValueError(f"unknown tab {tab!r}; one of {PANEL_TABS}")
    url = reverse("workorders:detail", args=[work_order_id]) + f"?tab={tab}"
    return url + (f"#{anchor}" if anchor else "")


def register_search_texts(
    texts: Callable[[list[int]], dict[int, list[str]]],
) -> Callable[[list[int]], dict[int, list[str]]]:
    """Decorator: the work orders' texts an app keeps (e.g. visit findings) are searched too; the
    app calls `workorders.search.workorder_search_refresh` when they change."""
    search_texts.append(texts)
    return texts


def register_demo_seeder(seeder: Callable[..., None]) -> Callable[..., None]:
    """Decorator: `seeder(*, rng, now)` adds an app's demo records once the demo work orders exist
    (`manage.py demo_seed`); `rng` is the seed's random.Random, so the demo stays deterministic."""
    demo_seeders.append(seeder)
    return seeder


@dataclass(frozen=True)
class ListColumn:
    """A column another app adds to the work-order list and its Excel export (NetBox's table
    extensions): values come from queryset annotations computed in SQL with the rows, never a
    query per row. `annotations()` is called per request (it may depend on the time);
    `html(row, user)` renders one cell (`format_html`), or `template` with `row` (the work order)
    and `user` in its context (`core.lists.Column` says which to prefer); `sort_field` names the
    annotation the column sorts on (rows without a value last), "" for none; `export(wo)` gives
    the cell of the spreadsheet, None to leave the column out of it."""

    key: str
    label: Any
    annotations: Callable[[], dict[str, Any]]
    html: Callable[[Any, Any], str] | None = None
    template: str = ""
    sort_field: str = ""
    css: str = ""
    export: Callable[[Any], Any] | None = None


list_columns: list[ListColumn] = []


def register_list_column(column: ListColumn) -> ListColumn:
    """Add `column` to the work-order list (after the state) and its export; keys are unique."""
    if any(existing.key == column.key for existing in list_columns):
        raise ValueError(f"list column {column.key!r} is already registered")
    list_columns.append(column)
    return column


def list_annotations() -> dict[str, Any]:
    """The annotations of every registered list column, for the list selector."""
    return {name: value for column in list_columns for name, value in column.annotations().items()}


# R34: what "overdue" means wherever a work order is called so (home pages, the list's filter): a
# service-level clock breached or at risk. The SLA app, which keeps the clocks, gives the SQL
# condition on the work order for an instant; with no provider, the next due time has passed.
OverdueCondition = Callable[[datetime], Q]
overdue_condition_providers: list[OverdueCondition] = []


def register_overdue_condition(provider: OverdueCondition) -> OverdueCondition:
    """Decorator: `provider(at) -> Q` on WorkOrder, true for work orders overdue at `at` (R34)."""
    overdue_condition_providers.append(provider)
    return provider


def overdue_condition(at: datetime) -> Q:
    """R34: work orders with a service-level clock breached or at risk at `at` (any provider's)."""
    condition = Q(sla_due_at__lt=at)
    for provider in overdue_condition_providers:
        condition |= provider(at)
    return condition


# R3: what the acknowledgement promises. A provider returns the time by which the customer will
# hear from us about `work_order` (e.g. the SLA app's first-response due time), or None when it
# cannot tell; the first answer wins, and with none the work-order app promises its default.
FeedbackPromise = Callable[[Any], datetime | None]
feedback_promise_providers: list[FeedbackPromise] = []


def register_feedback_promise(provider: FeedbackPromise) -> FeedbackPromise:
    """Decorator: `provider(work_order) -> datetime | None` (R3)."""
    feedback_promise_providers.append(provider)
    return provider


def feedback_promise(work_order) -> datetime | None:
    """R3: the first provider's promised feedback time for `work_order`, or None."""
    for provider in feedback_promise_providers:
        promised = provider(work_order)
        if promised is not None:
            return promised
    return None


# R12, R29, R36: whether a part replaced on a work order is covered by the warranty (or a
# contract), decided by the app that keeps the entitlement with its exclusions and overrides
# (servicing); field asks it when a part is recorded, so an old part is kept for HQ (R29).
PartCover = Callable[..., "tuple[bool, str] | None"]
part_cover_providers: list[PartCover] = []


def register_part_cover(provider: PartCover) -> PartCover:
    """Decorator: `provider(work_order, *, part_category, day) -> (covered, reason) | None`."""
    part_cover_providers.append(provider)
    return provider


def part_cover(work_order, *, part_category: str, day) -> tuple[bool, str] | None:
    """The first provider's answer, or None when no app can decide."""
    for provider in part_cover_providers:
        answer = provider(work_order, part_category=part_category, day=day)
        if answer is not None:
            return answer
    return None


# R32: the parts a work order is expected to need (its service plan names them), so dispatch
# prefers an engineer whose van holds them.
PartsNeeded = Callable[[Any], "list[str]"]
parts_needed_providers: list[PartsNeeded] = []


def register_parts_needed(provider: PartsNeeded) -> PartsNeeded:
    """Decorator: `provider(work_order) -> [part number, …]`."""
    parts_needed_providers.append(provider)
    return provider


def parts_needed(work_order) -> list[str]:
    """Every provider's part numbers for `work_order`, without repeats, in order."""
    numbers: list[str] = []
    for provider in parts_needed_providers:
        numbers.extend(n for n in provider(work_order) if n not in numbers)
    return numbers


@dataclass(frozen=True)
class CustomerConfirmation:
    """R17: the customer's verdict on the work done, as one app records it: a visit's sign-off
    (signed and satisfied, or not), a depot repair's hand-back the customer confirmed. `at` orders
    them; `satisfied` says whether it lets the work order complete; `record` names it (a visit or
    repair number) for the message that explains a refusal."""

    at: datetime
    satisfied: bool
    record: str


CustomerConfirmations = Callable[[Any], "CustomerConfirmation | None"]
customer_confirmation_providers: list[CustomerConfirmations] = []


def register_customer_confirmation(provider: CustomerConfirmations) -> CustomerConfirmations:
    """Decorator: `provider(work_order) -> CustomerConfirmation | None`, the latest confirmation of
    the customer the app keeps for `work_order` (R17)."""
    customer_confirmation_providers.append(provider)
    return provider


def latest_customer_confirmation(work_order) -> CustomerConfirmation | None:
    """R17: the customer's latest confirmation across the apps (a later step supersedes an earlier
    unsatisfied one), or None when they gave none; on the same instant the first provider wins."""
    latest: CustomerConfirmation | None = None
    for provider in customer_confirmation_providers:
        answer = provider(work_order)
        if answer is not None and (latest is None or answer.at > latest.at):
            latest = answer
    return latest


# R27: the visits made for work orders, for the difficult-case "repeated work" criterion (visits on
# the same device within a period, a reopened work order's later visits included). The app that
# keeps visits (field) gives them as a queryset whose rows have `work_order_id`, `device_id` (the
# work order's device) and `at` (when the engineer checked in on site), visits that never reached
# the customer left out; the criterion builds its SQL subqueries on it.
VisitRecords = Callable[[], Any]
visit_record_sources: list[VisitRecords] = []


def register_visit_records(source: VisitRecords) -> VisitRecords:
    """Decorator: `source() -> QuerySet` of the visits made, with `work_order_id`, `device_id`, `at`."""
    visit_record_sources.append(source)
    return source


def visit_records() -> Any:
    """R27: the first source's visits made, or None when no app keeps visits."""
    return visit_record_sources[0]() if visit_record_sources else None
