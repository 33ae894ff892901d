"""The bulk actions of a list page through the API: `POST /api/<list>/bulk/`.

A list page (`core.lists.ObjectListView`) declares its `bulk_actions`; `bulk_endpoint(page_view)`
gives its API viewset the same actions on the same rows: the page's rows (its `get_queryset`:
scoped, R37), each action's own role check (`allowed`: 403 otherwise) and form (what it asks for,
checked as on the page: 400 naming the field), and each row changed in its own transaction
through the action's service (`core.lists.bulk_results`), so one refused row does not undo the
others. The answer gives one result per id, in the order given: done, refused with the reason, or
not found (no such id, or out of the user's scope: never acted on, and not told apart).

The request body is described from the actions: `action` and `ids` are required; each field an
action's form asks for is named with the actions that require it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .api import RejectUnknownFieldsMixin, problem_responses
from .lists import BULK_LIMIT, BulkAction, bulk_form_data, bulk_results

NOT_FOUND = _("No such record.")

BULK_OUTCOMES = [
    ("done", _("Done")),
    ("refused", _("Refused")),
    ("not_found", _("Not found")),
]


def bulk_outcomes(
    request: Any,
    *,
    bulk_action: BulkAction,
    rows: Any,
    ids: Sequence[int],
    data: Mapping[str, Any],
    number: Callable[[Any], str],
    not_found: str,
) -> list[dict[str, Any]]:
    """`bulk_action` on each of `rows` (already scoped to the user) that `ids` names, each in its
    own transaction; one result per id (repeats once), in the order given."""
    ids = list(dict.fromkeys(ids))
    outcomes: dict[int, dict[str, Any]] = {}
    for row, reason in bulk_results(request, bulk_action, rows.filter(pk__in=ids), dict(data)):
        outcomes[row.pk] = {
            "id": row.pk,
            "number": number(row),
            "outcome": "done" if reason is None else "refused",
            "reason": reason or "",
        }
    missing = {"number": None, "outcome": "not_found", "reason": str(not_found)}
    return [outcomes.get(pk) or {"id": pk, **missing} for pk in ids]


class BulkResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True, help_text=_("Null when not found."))
    outcome = serializers.ChoiceField(choices=BULK_OUTCOMES)
    reason = serializers.CharField(allow_blank=True, help_text=_("Why it was refused or not found."))


class BulkSerializer(serializers.Serializer):
    """What one bulk action did: the counts of each outcome and one result per id."""

    action = serializers.CharField()
    done = serializers.IntegerField()
    refused = serializers.IntegerField()
    not_found = serializers.IntegerField()
    results = BulkResultSerializer(many=True, help_text=_("One per id, in the order given."))


def _api_field(field: forms.Field, *, help_text: Any) -> serializers.Field:
    """The API's field for a field of a bulk action's form (the form still checks the value)."""
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(required=False, help_text=help_text)
    if isinstance(field, forms.ChoiceField):
        offered: Any = field.choices
        choices = [(value, label) for value, label in offered if value not in ("", None)]
        return serializers.ChoiceField(choices=choices, required=False, help_text=help_text)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(required=False, help_text=help_text)
    max_length = getattr(field, "max_length", None)
    return serializers.CharField(required=False, max_length=max_length, help_text=help_text)


def bulk_input_serializer(actions: Sequence[BulkAction], *, prefix: str) -> type[serializers.Serializer]:
    """The request body of a list's bulk endpoint: `action`, `ids` and what each action asks for
    (no other key)."""
    attrs: dict[str, Any] = {
        "__doc__": "One bulk action of the list page on the given rows, with what that action asks for.",
        "action": serializers.ChoiceField(choices=[(a.name, a.label) for a in actions]),
        "ids": serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            min_length=1,
            max_length=BULK_LIMIT,
            help_text=format_lazy(_("The rows to act on (at most {limit})."), limit=BULK_LIMIT),
        ),
    }
    asked: dict[str, tuple[forms.Field, list[str]]] = {}
    for bulk_action in actions:
        for name, field in bulk_action.form.base_fields.items() if bulk_action.form else ():
            asked.setdefault(name, (field, []))[1].append(bulk_action.name)
    for name, (field, names) in asked.items():
        needed = _("required with {actions}") if field.required else _("optional with {actions}")
        help_text = format_lazy(
            "{label} ({needed}).",
            label=field.label or name,
            needed=format_lazy(needed, actions=", ".join(f"`{n}`" for n in names)),
        )
        attrs[name] = _api_field(field, help_text=help_text)
    return type(f"{prefix}BulkInput", (RejectUnknownFieldsMixin, serializers.Serializer), attrs)


def bulk_endpoint(
    page_view: Any,
    *,
    prefix: str,
    summary: Any,
    not_found: Any = NOT_FOUND,
    number: Callable[[Any], str] = lambda row: str(row.number),
    description: str = "",
) -> Any:
    """A viewset's `POST /<resource>/bulk/`: the bulk actions of the list page `page_view` (see
    the module docstring). `number` names a row in the results; `prefix` names the request body's
    component in the schema."""
    actions: Sequence[BulkAction] = tuple(page_view.bulk_actions)
    input_class = bulk_input_serializer(actions, prefix=prefix)
    names = ", ".join(f"`{a.name}`" for a in actions)

    def bulk(self: Any, request: Request) -> Response:
        serializer = input_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bulk_action = next(a for a in actions if a.name == data["action"])
        if not bulk_action.allowed(request.user):
            raise exceptions.PermissionDenied(_("Your role may not take this action."))
        params = bulk_form_data(bulk_action, request.user, data)
        page = page_view()
        page.setup(request._request)
        results = bulk_outcomes(
            request,
            bulk_action=bulk_action,
            rows=page.get_queryset(request._request),
            ids=data["ids"],
            data=params,
            number=number,
            not_found=not_found,
        )
        counts = Counter(result["outcome"] for result in results)
        summary_data: dict[str, Any] = {"action": bulk_action.name, "results": results}
        summary_data.update({outcome: counts[outcome] for outcome, _label in BULK_OUTCOMES})
        return Response(BulkSerializer(summary_data).data)

    return extend_schema(
        summary=summary,
        description=description
        or f"The list page's bulk actions: {names}, each allowed to the same roles as on the page "
        "(403 otherwise), with what it asks for checked as on the page (400 naming the field). "
        "Each row is changed in its own transaction through the same service as the single "
        "action, so one refused row does not undo the others; the answer gives one result per "
        "id: done, refused with the reason, or not found (no such id or out of your scope: "
        "never acted on).",
        request=input_class,
        responses={200: BulkSerializer, **problem_responses(400, 403)},
    )(action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)(bulk))
