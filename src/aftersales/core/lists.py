"""One list view for every list of every app (NetBox's `ObjectListView`, far smaller).

A list is a subclass naming its rows (scoped in SQL), its FilterSet, its columns and, if any, its
bulk actions. From one URL it serves the full page, the HTMX partial (filters, sorting, paging
without a reload) and the Excel export of the filtered rows (`?export=xlsx`, or of the ticked
rows with `ids`). It counts rows exactly up to a limit and estimates beyond it, so a list costs
the same at a million rows; users hide columns and save filters (per user, per list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field

from .excel import export_response
from .forms import REFUSALS, error_messages
from .htmx import render_page_or_partial
from .models import ListPreference, SavedFilter
from .phones import search_condition
from .services import list_columns_choose, saved_filter_delete, saved_filter_save

# Up to this many rows a list counts them exactly; beyond, it estimates (PostgreSQL's planner).
EXACT_COUNT_LIMIT = 10_000
# Rows one bulk action changes at most, and ticked rows one export takes at most.
BULK_LIMIT = 200
EXPORT_SELECTED_LIMIT = 5000
# Rows an export reads from the database at a time (`QuerySet.iterator`; its prefetches run per chunk).
EXPORT_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    """A column of a list and of its export. `value(row, user)` is the cell's text (and the
    spreadsheet's value); `html(row, user)` renders a richer cell in Python (`format_html`), or
    `template` with `row` and `user` (ten times the cost: for cells too rich for a function);
    `sort` is the FilterSet's ordering key; columns not `default` are shown only when a user asks
    for them."""

    key: str
    label: Any
    value: Callable[[Any, Any], Any] | None = None
    html: Callable[[Any, Any], str] | None = None
    template: str = ""
    sort: str = ""
    css: str = ""
    default: bool = True
    export: bool = True
    # Always shown, never offered in the column chooser (the row's link, its state).
    fixed: bool = False


class BulkForm(forms.Form):
    """What a bulk action asks for; made for the user who acts (choices scoped to them). The
    actions share one HTML form, so no field is `required` in the browser (the server checks)."""

    use_required_attribute = False

    def __init__(self, user: Any, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user


@dataclass(frozen=True)
class BulkAction:
    """An action on the ticked rows: `run(request, obj, form_data)` for each, in its own
    transaction (one refused row does not undo the others); `form` asks for what it needs."""

    name: str
    label: Any
    run: Callable[[HttpRequest, Any, dict[str, Any]], Any]
    form: type[BulkForm] | None = None
    allowed: Callable[[Any], bool] = lambda user: True
    style: str = "outline-secondary"


# The largest id a (64-bit) primary key holds: a larger number names no row and would overflow.
PK_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": PK_MAX})
class IdsFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """Comma-separated ids (`?ids=4,9`): whole numbers, as ids are."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=PK_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": PK_MAX})
class IdFilter(django_filters.NumberFilter):
    """A row's id (`?dealer=4`): a whole number, as ids are (a NumberFilter takes `4.5`)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=PK_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class YearFilter(django_filters.NumberFilter):
    """A calendar year (`?year=2027`): the years a date can hold, not `0.0`."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 32767})
class SmallNumberFilter(django_filters.NumberFilter):
    """A small positive whole number (`?level=2`), as its column holds."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, min_value=1, max_value=32767, **kwargs)


# Filters every list has that the page does not show as fields.
HIDDEN_FILTERS = ("q", "ordering", "ids")


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose form reads well: several values as buttons, dates with a date picker (the
    "全部" empty choice comes from FILTERS_EMPTY_CHOICE_LABEL). `ids` picks given rows (the API's
    way to read the rows ticked on a page)."""

    ids = IdsFilter(field_name="pk", lookup_expr="in", label=gettext_lazy("Ids"))

    @property
    def form(self) -> forms.Form:
        form = super().form
        if not getattr(form, "_list_widgets", False):
            for field in form.fields.values():
                if isinstance(field, forms.MultipleChoiceField) and not isinstance(
                    field, forms.ModelMultipleChoiceField
                ):
                    choices: Any = field.choices
                    field.widget = forms.CheckboxSelectMultiple(choices=choices)
                elif isinstance(field, forms.DateField):
                    field.widget.input_type = "date"
            form._list_widgets = True
        return form


class SortFilter(django_filters.OrderingFilter):
    """The list's sort, made total: after the keys chosen, the model's default order and then the
    id, in the direction of the first key, so pages never repeat or skip rows that tie, and one
    index (key, created_at, id) serves the sort both ways."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        return qs.order_by(*ordering, *self.tie_break(qs.model, ordering))

    @staticmethod
    def tie_break(model: Any, ordering: Sequence[Any]) -> list[str]:
        first = ordering[0]
        descending = first.startswith("-") if isinstance(first, str) else bool(first.descending)
        used = {
            item.lstrip("-") if isinstance(item, str) else getattr(item.expression, "name", "")
            for item in ordering
        }
        pk = model._meta.pk.name
        names = [str(item).lstrip("-") for item in model._meta.ordering if isinstance(item, str)] + [pk]
        breakers = [
            name for name in dict.fromkeys(names) if name not in used and not (name == pk and "pk" in used)
        ]
        return [f"-{name}" if descending else name for name in breakers]


def date_range(
    field_name: str, from_label: Any, until_label: Any, *, of_datetime: bool = True
) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """The two filters of a day range, both days included, on a date or (by its local day) a
    datetime field: `created_after, created_before = date_range("created_at", …)`."""
    prefix = "date__" if of_datetime else ""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr=f"{prefix}gte", label=from_label),
        django_filters.DateFilter(field_name=field_name, lookup_expr=f"{prefix}lte", label=until_label),
    )


# A search matching more related rows than this (a word common to many customers' names) reads
# them as a subquery instead of a list of ids.
RELATED_SEARCH_LIMIT = 500


def related_search_condition(model: Any, value: str, *, text: Sequence[str], phones: Sequence[str]) -> Q:
    """`search_condition` over `model`'s own fields and those of the rows its foreign keys point
    to (`customer__name`): the related rows matching are read first, by their own indexes, and
    handed over as ids, so every arm of the search's OR is a condition on the list's own table
    that one of its indexes serves (PostgreSQL cannot combine a joined table's condition with the
    others' indexes, and would read every row)."""
    own: dict[str, list[str]] = {"text": [], "phones": []}
    related: dict[str, dict[str, list[str]]] = {}
    for kind, paths in (("text", text), ("phones", phones)):
        for path in paths:
            name, _, rest = path.partition("__")
            if rest and model._meta.get_field(name).many_to_one:
                related.setdefault(name, {"text": [], "phones": []})[kind].append(rest)
            else:
                own[kind].append(path)
    condition = search_condition(value, text=own["text"], phones=own["phones"])
    for name, fields in related.items():
        match = search_condition(value, text=fields["text"], phones=fields["phones"])
        if not match:
            continue
        rows = model._meta.get_field(name).related_model._default_manager.filter(match).values("pk")
        ids = list(rows.values_list("pk", flat=True)[: RELATED_SEARCH_LIMIT + 1])
        condition |= Q(**{f"{name}__in": rows if len(ids) > RELATED_SEARCH_LIMIT else ids})
    return condition


def search_box(
    *,
    text: Sequence[str],
    phones: Sequence[str] = (),
    exact: Sequence[str] = (),
    also: Callable[[str], Q] | None = None,
    outright: Callable[[str], Q | None] | None = None,
    placeholder: Any = "",
    own_text_min_length: int = 0,
) -> django_filters.CharFilter:
    """The search box of a list (`q`): the words inside any of the `text` fields, equal to one of
    the `exact` ones (codes), or their digits inside a `phones` field (E.164 numbers); `also`
    adds a condition of its own (a match in related rows); `outright(value)` gives the condition
    of a value that names one row by itself (a whole work-order number), looked up by it alone on
    its unique index instead of searched for inside every row's text. Shorter values than
    `own_text_min_length` skip the row's own `text` fields (a trigram index serves three
    characters or more; a shorter value would scan every row)."""

    def search(queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        named = outright(value) if outright is not None else None
        if named is not None:
            return queryset.filter(named)
        searched = text if len(value) >= own_text_min_length else [f for f in text if "__" in f]
        condition = related_search_condition(queryset.model, value, text=searched, phones=phones)
        for field in exact:
            condition |= Q(**{f"{field}__iexact": value})
        if also is not None:
            condition |= also(value)
        return queryset.filter(condition)

    attrs = {"placeholder": placeholder} if placeholder else {}
    return django_filters.CharFilter(
        method=search, label=gettext_lazy("Search"), widget=forms.TextInput(attrs=attrs)
    )


def _multiple(field: forms.Field) -> bool:
    """A filter taking several values, shown as a row of toggle buttons."""
    return isinstance(field.widget, forms.CheckboxSelectMultiple)


def estimated_count(queryset: QuerySet) -> int | None:
    """The planner's estimate of the rows of `queryset` (PostgreSQL), or None."""
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return int(plan[0]["Plan"]["Plan Rows"])


def _bounded_count(rows: QuerySet) -> int | None:
    """COUNT of at most EXACT_COUNT_LIMIT + 1 rows; on PostgreSQL given COUNT_TIME_LIMIT_MS, after
    which None (the caller estimates): a condition tested row by row (a common word of the search)
    over rows that mostly fail it would otherwise read the whole table to count."""
    if connection.vendor != "postgresql":
        return rows.count()
    nested = connection.in_atomic_block  # else the limit ends with the transaction opened here
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [settings.COUNT_TIME_LIMIT_MS])
            counted = rows.count()
            if nested:
                cursor.execute("SET LOCAL statement_timeout = DEFAULT")
            return counted
    except OperationalError as error:
        if getattr(error, "__cause__", None).__class__.__name__ != "QueryCanceled":
            raise
        return None


class CountedPaginator(Paginator):
    """Exact counts up to EXACT_COUNT_LIMIT (a bounded COUNT); beyond, the planner's estimate
    (never below the limit), so a page never scans every row just to say how many there are."""

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # a QuerySet
        # Only the ids, unordered: the count never computes the page's annotations or sorts, and
        # the planner estimates the same rows without planning the page's joins and subqueries.
        ids = rows.order_by().values("pk")
        bounded = _bounded_count(ids[: EXACT_COUNT_LIMIT + 1])
        if bounded is not None and bounded <= EXACT_COUNT_LIMIT:
            self.estimated = False
            return bounded
        self.estimated = True
        return max(estimated_count(ids) or 0, bounded or 0)

    estimated = False

    @cached_property
    def num_pages(self) -> int:
        """Past EXACT_COUNT_LIMIT rows no page is offered: an OFFSET that deep reads and throws
        away every row before it (6 s for the last of a million). Older rows are reached by
        filters, search or the opposite sort; the API reads everything by `?cursor=`."""
        pages = super().num_pages
        return min(pages, max(1, EXACT_COUNT_LIMIT // self.per_page)) if self.estimated else pages

    @property
    def capped(self) -> bool:
        """More rows match than the pages offer."""
        return self.estimated and self.num_pages * self.per_page < self.count


def page_numbers(page: Page, around: int = 2) -> list[int | None]:
    """The page links to show: the first, the last and a few around the current one (None = …)."""
    last = page.paginator.num_pages
    wanted = {1, last, *range(page.number - around, page.number + around + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= last):
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


list_views: dict[str, type[ObjectListView]] = {}


class ObjectListView(LoginRequiredMixin, View):
    """A list page (see the module docstring). Subclasses set `list_key`, `title`,
    `filterset_class`, `columns`, `get_queryset(request)` and optionally `page_template` (a page
    extending `core/list.html`), `bulk_actions`, `export_rows` (for exports richer than the
    columns' values), `row_css` (a row's colour)."""

    list_key: str
    title: Any
    filterset_class: type[django_filters.FilterSet]
    columns: Sequence[Column] = ()
    bulk_actions: Sequence[BulkAction] = ()
    page_template = "core/list.html"
    partial_template = "htmx/_list_results.html"
    page_size = 25
    # The filters the page shows (all of the FilterSet's by default; the API may have more).
    page_filters: Sequence[str] | None = None
    # Placeholder of the search box: what it searches.
    search_placeholder: Any = ""
    # Set on the route that serves the export only (kept for links and bookmarks).
    export_only = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "list_key", "") and not cls.export_only:
            list_views.setdefault(cls.list_key, cls)

    # --- rows ---------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        raise NotImplementedError

    def get_filterset(self, request: HttpRequest, data: QueryDict | None = None) -> django_filters.FilterSet:
        return self.filterset_class(
            request.GET if data is None else data, queryset=self.get_queryset(request), request=request
        )

    def get_columns(self, request: HttpRequest) -> list[Column]:
        return list(self.columns)

    def shown_columns(self, request: HttpRequest) -> list[Column]:
        hidden = ListPreference.hidden_for(request.user, self.list_key)
        return [
            c
            for c in self.get_columns(request)
            if c.fixed or (c.key not in hidden if hidden is not None else c.default)
        ]

    def decorate(self, request: HttpRequest, rows: list[Any]) -> list[Any]:
        """A hook to attach per-request values to the rows of one page (e.g. masked phones)."""
        return rows

    def row_css(self, row: Any) -> str:
        """CSS classes of a row's `<tr>` (e.g. `table-danger` for a late one)."""
        return ""

    # --- export -------------------------------------------------------------------------------

    def export_columns(self, request: HttpRequest) -> list[Column]:
        return [c for c in self.get_columns(request) if c.export and c.value is not None]

    def export_headers(self, request: HttpRequest) -> list[Any]:
        return [column.label for column in self.export_columns(request)]

    def export_rows(self, request: HttpRequest, rows: Iterator[Any]) -> Iterator[list[Any]]:
        """The spreadsheet's rows: the exported columns' values (override for a richer export)."""
        columns = self.export_columns(request)
        for row in rows:
            yield [column.value(row, request.user) for column in columns if column.value is not None]

    def export(
        self, request: HttpRequest, queryset: QuerySet, ids: list[int] | None = None
    ) -> HttpResponseBase:
        """The rows as a spreadsheet (only the ticked ones when `ids` is given); logged (R41)."""
        if ids:
            queryset = queryset.filter(pk__in=ids)
        return export_response(
            request=request,
            resource=self.list_key,
            title=str(self.title),
            headers=self.export_headers(request),
            rows=self.export_rows(request, queryset.iterator(chunk_size=EXPORT_CHUNK_SIZE)),
        )

    # --- page ---------------------------------------------------------------------------------

    def get(self, request: HttpRequest) -> HttpResponseBase:
        filterset = self.get_filterset(request)
        if self.export_only or request.GET.get("export") == "xlsx":
            return self.export(request, filterset.qs)
        paginator = CountedPaginator(filterset.qs, self.page_size)
        page = paginator.get_page(request.GET.get("page"))
        rows = self.decorate(request, list(page.object_list))
        query = request.GET.copy()
        for name in ("page", "export", "ids"):
            query.pop(name, None)
        form = filterset.form
        names = self.page_filters if self.page_filters is not None else list(form.fields)
        shown = [name for name in names if name in form.fields]
        context = {
            "list_view": self,
            "title": self.title,
            "filterset": filterset,
            "search_field": form["q"] if "q" in form.fields else None,
            "choice_filters": [form[n] for n in shown if _multiple(form.fields[n])],
            "other_filters": [
                form[n] for n in shown if n not in HIDDEN_FILTERS and not _multiple(form.fields[n])
            ],
            "search_placeholder": self.search_placeholder,
            "page": page,
            "page_numbers": page_numbers(page),
            "rows": rows,
            "columns": self.shown_columns(request),
            "all_columns": [c for c in self.get_columns(request) if not c.fixed],
            "bulk_actions": [
                (action, bulk_form(action, request.user))
                for action in self.bulk_actions
                if action.allowed(request.user)
            ],
            "saved_filters": SavedFilter.objects.filter(user_id=request.user.pk or 0, list_key=self.list_key),
            "query": query.urlencode(),
            "list_url": request.path,
            **self.extra_context(request),
        }
        return render_page_or_partial(
            request, page_template=self.page_template, partial_template=self.partial_template, context=context
        )

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    # --- bulk actions -------------------------------------------------------------------------

    def post(self, request: HttpRequest) -> HttpResponseBase:
        """A bulk action on the ticked rows (of the rows the user may see), or their export."""
        back = redirect(f"{request.path}?{request.POST.get('query', '')}")
        if request.POST.get("bulk_action") == "export":
            ids = selected_ids(request.POST)
            if not ids:
                messages.error(request, _("Tick the rows to act on first."))
                return back
            return self.export(request, self.get_queryset(request), ids[:EXPORT_SELECTED_LIMIT])
        action = next((a for a in self.bulk_actions if a.name == request.POST.get("bulk_action")), None)
        if action is None or not action.allowed(request.user):
            messages.error(request, _("Choose an action you may take."))
            return back
        ids = selected_ids(request.POST)
        if not ids:
            messages.error(request, _("Tick the rows to act on first."))
            return back
        if len(ids) > BULK_LIMIT:
            messages.error(request, _("At most %(limit)d rows at a time.") % {"limit": BULK_LIMIT})
            return back
        data: dict[str, Any] = {}
        form = bulk_form(action, request.user, request.POST)
        if form is not None:
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return back
            data = form.cleaned_data
        done, refused = bulk_run(request, action, self.get_queryset(request).filter(pk__in=ids), data)
        if done:
            messages.success(
                request, _("%(action)s: %(count)d done.") % {"action": action.label, "count": done}
            )
        for row, reason in refused:
            messages.error(request, f"{row}: {reason}")
        return back


def bulk_form(action: BulkAction, user, data: QueryDict | None = None) -> forms.Form | None:
    """The form of a bulk action, its fields prefixed with the action (no clash with the filters)."""
    if action.form is None:
        return None
    return action.form(user, data, prefix=f"bulk-{action.name}")


def bulk_form_data(action: BulkAction, user, values: dict[str, Any]) -> dict[str, Any]:
    """What a bulk action asks for (`values` by field name, as the API takes them), checked by the
    action's own form, as on the list page; a ValidationError by field when it is not valid."""
    if action.form is None:
        return {}
    prefix = f"bulk-{action.name}"
    data = QueryDict(mutable=True)
    for name in action.form.base_fields:
        if values.get(name) is not None:
            data[f"{prefix}-{name}"] = str(values[name])
    form = bulk_form(action, user, data)
    assert form is not None
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.cleaned_data


def selected_ids(data: QueryDict) -> list[int]:
    """The ticked rows' ids (`ids`, repeated or comma-separated); anything not a number is ignored."""
    values = [part for value in data.getlist("ids") for part in value.split(",")]
    return [int(value) for value in values if value.strip().isdigit()]


def bulk_results(
    request: HttpRequest, action: BulkAction, rows: QuerySet, data: dict[str, Any]
) -> Iterator[tuple[Any, str | None]]:
    """Run `action` on each row in its own transaction; yields each row with None when done, or
    the reason it was refused (the list page and the API's bulk endpoints)."""
    for row in rows:
        try:
            with transaction.atomic():
                action.run(request, row, data)
        except REFUSALS as error:
            reason = getattr(error, "message", None) or "; ".join(getattr(error, "messages", [str(error)]))
            yield row, str(reason)
        else:
            yield row, None


def bulk_run(
    request: HttpRequest, action: BulkAction, rows: QuerySet, data: dict[str, Any]
) -> tuple[int, list[tuple[Any, str]]]:
    """Run `action` on each row in its own transaction; returns how many were done and the refused
    rows with the reason."""
    done, refused = 0, []
    for row, reason in bulk_results(request, action, rows, data):
        if reason is None:
            done += 1
        else:
            refused.append((row, reason))
    return done, refused


# --- the user's own settings of a list -----------------------------------------------------------


def _back(request: HttpRequest, fallback: str = "/") -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target or fallback)


class ListColumnsView(LoginRequiredMixin, View):
    """`POST /lists/<key>/columns/`: the columns the user keeps on that list."""

    def post(self, request: HttpRequest, list_key: str) -> HttpResponse:
        view_class = list_views.get(list_key)
        if view_class is None:
            raise Http404
        choosable = {c.key for c in view_class().get_columns(request) if not c.fixed}
        try:
            list_columns_choose(
                user=request.user,
                list_key=list_key,
                shown=set(request.POST.getlist("columns")),
                choosable=choosable,
            )
        except REFUSALS as error:
            error_messages(request, error)
        return _back(request)


class SavedFilterCreateView(LoginRequiredMixin, View):
    """`POST /lists/<key>/filters/`: save the list's current filter under a name."""

    def post(self, request: HttpRequest, list_key: str) -> HttpResponse:
        if list_key not in list_views:
            raise Http404
        try:
            saved = saved_filter_save(
                user=request.user,
                list_key=list_key,
                name=request.POST.get("name", ""),
                query=request.POST.get("query", ""),
            )
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
        return _back(request)


class SavedFilterDeleteView(LoginRequiredMixin, View):
    """`POST /lists/filters/<pk>/delete/`: delete one of the user's saved filters."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            saved_filter_delete(user=request.user, filter_id=pk)
        except SavedFilter.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("Saved filter deleted."))
        return _back(request)
