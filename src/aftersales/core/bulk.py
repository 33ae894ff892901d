"""The bulk actions of a list page through the API: `POST /api/<list>/bulk/`.

A list page (`core.lists.ObjectListView`) declares its `bulk_actions`; `bulk_endpoint(page_view)`
gives its API viewset the same actions on the same rows: the page's rows (its `get_queryset`:
scoped, R37), each action's own role check (`allowed`: 403 otherwise) and form (what it asks for,
checked as on the page: 400 naming the field), and each row changed in its own transaction
through the action's service (`core.lists.bulk_results`), so one refused row does not undo the
others. The answer gives one result per id, in the order given: done, refused with the reason, or
not found (no such id, or out of the user's scope: never acted on, and not told apart).

The request body is described from the actions, one schema per action (`oneOf`, told apart by
`action`): `action` and `ids`, and the fields that action's form asks for, required where the form
requires them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .api import RejectUnknownFieldsMixin, problem_responses
from .lists import BULK_LIMIT, PK_MAX, BulkAction, bulk_form_data, bulk_results

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
    required = bool(field.required)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(required=required, min_value=1, max_value=PK_MAX, help_text=help_text)
    if isinstance(field, forms.ChoiceField):
        offered: Any = field.choices
        choices = [(value, label) for value, label in offered if value not in ("", None)]
        return serializers.ChoiceField(choices=choices, required=required, help_text=help_text)
    if isinstance(field, forms.IntegerField):
        limits: dict[str, Any] = {"min_value": field.min_value, "max_value": field.max_value}
        return serializers.IntegerField(required=required, help_text=help_text, **limits)
    max_length = getattr(field, "max_length", None)
    return serializers.CharField(
        required=required, allow_blank=not required, max_length=max_length, help_text=help_text
    )


def _action_name_field(bulk_action: BulkAction) -> serializers.ChoiceField:
    """`action`: its one value, as a pattern (an enum would become an "Action…Enum" component named
    after the field, one per action and list, colliding where two lists have the same action)."""
    one_name = {
        "type": "string",
        "pattern": f"^{bulk_action.name}$",
        "description": f"`{bulk_action.name}`: {bulk_action.label}",
    }
    field_class = extend_schema_field(one_name)(type("ActionNameField", (serializers.ChoiceField,), {}))
    return field_class(choices=[(bulk_action.name, bulk_action.label)])


def _action_input(bulk_action: BulkAction, *, prefix: str) -> type[serializers.Serializer]:
    """The request body of one action: its name, the ids, what its form asks for (no other key)."""
    attrs: dict[str, Any] = {
        "__doc__": f"The bulk action `{bulk_action.name}` on the given rows, with what it asks for.",
        "action": _action_name_field(bulk_action),
        "ids": serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=PK_MAX),
            min_length=1,
            max_length=BULK_LIMIT,
            help_text=format_lazy(_("The rows to act on (at most {limit})."), limit=BULK_LIMIT),
        ),
    }
    for name, field in bulk_action.form.base_fields.items() if bulk_action.form else ():
        attrs[name] = _api_field(field, help_text=field.label or name)
    camel = "".join(part.title() for part in bulk_action.name.split("_"))
    return type(f"{prefix}Bulk{camel}Input", (RejectUnknownFieldsMixin, serializers.Serializer), attrs)


def bulk_inputs(actions: Sequence[BulkAction], *, prefix: str) -> dict[str, type[serializers.Serializer]]:
    """The request bodies of a list's bulk endpoint, one per action (by its name)."""
    return {bulk_action.name: _action_input(bulk_action, prefix=prefix) for bulk_action in actions}


class ActionChoice(serializers.Serializer):
    """Which action a body names, read before the action's own body (other keys are its business)."""

    def __init__(self, *args: Any, actions: Sequence[BulkAction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"] = serializers.ChoiceField(choices=[(a.name, a.label) for a in actions])


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
    inputs = bulk_inputs(actions, prefix=prefix)
    names = ", ".join(f"`{a.name}`" for a in actions)

    def bulk(self: Any, request: Request) -> Response:
        chosen = ActionChoice(data=request.data, actions=actions)
        chosen.is_valid(raise_exception=True)
        name = chosen.validated_data["action"]
        serializer = inputs[name](data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bulk_action = next(a for a in actions if a.name == name)
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
        request=PolymorphicProxySerializer(
            component_name=f"{prefix}BulkInput",
            serializers=cast(Any, inputs),  # one serializer class per action name
            resource_type_field_name="action",
        ),
        responses={200: BulkSerializer, **problem_responses(400, 403)},
    )(action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)(bulk))
