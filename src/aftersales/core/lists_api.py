"""The users' own list settings through the API, as the list pages offer them: saved filters
(`/api/saved-filters/`) and the columns shown (`/api/list-columns/<list>/`). Each user reads and
changes only their own."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from .api import RejectUnknownFieldsMixin, problem_responses
from .idempotency import idempotent
from .lists import list_views
from .models import ListPreference, SavedFilter
from .services import list_columns_choose, saved_filter_delete, saved_filter_save


def _list_view(list_key: str):
    view_class = list_views.get(list_key)
    if view_class is None:
        raise Http404
    return view_class()


class SavedFilterSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedFilter
        fields = ["id", "list_key", "name", "query", "created_at"]
        read_only_fields = fields


class SavedFilterInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    list_key = serializers.ChoiceField(choices=[], help_text=_("The list: workorders, customers, …"))
    name = serializers.CharField(max_length=64)
    query = serializers.CharField(
        max_length=2000, allow_blank=True, help_text=_("The list's query string, e.g. state=accepted.")
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        list_key: Any = self.fields["list_key"]
        list_key.choices = sorted(list_views)  # every list, registered once the apps loaded


class SavedFilterViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your saved filters of the lists (`?list_key=workorders` for one list's)."""

    serializer_class = SavedFilterSerializer
    queryset = SavedFilter.objects.none()  # for the schema; get_queryset is the user's own

    def get_queryset(self):
        rows = SavedFilter.objects.filter(user_id=self.request.user.pk or 0)
        list_key = self.request.query_params.get("list_key")
        return rows.filter(list_key=list_key) if list_key else rows

    @extend_schema(
        request=SavedFilterInputSerializer,
        responses={201: SavedFilterSerializer, **problem_responses(400)},
        summary=_("Save a filter (a filter of the same name is replaced)"),
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = SavedFilterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = saved_filter_save(user=request.user, **serializer.validated_data)
        return Response(SavedFilterSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **problem_responses(404)})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            saved_filter_delete(user=request.user, filter_id=int(kwargs["pk"]))
        except (SavedFilter.DoesNotExist, ValueError):
            raise Http404 from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label"
    shown = serializers.BooleanField()
    fixed = serializers.BooleanField(help_text=_("Always shown."))


class ListColumnsSerializer(serializers.Serializer):
    list_key = serializers.CharField()
    columns = ListColumnSerializer(many=True)


class ListColumnsInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    columns = serializers.ListField(
        child=serializers.CharField(), help_text=_("The keys of the columns to show; the others are hidden.")
    )


class ListColumnsViewSet(viewsets.ViewSet):
    """The columns you show on a list (`/api/list-columns/<list>/`)."""

    lookup_field = "list_key"
    lookup_value_regex = "[-a-z_]+"

    def _columns(self, request: Request, list_key: str) -> Response:
        view = _list_view(list_key)
        hidden = ListPreference.hidden_for(request.user, list_key)
        columns = [
            {
                "key": column.key,
                "label": str(column.label),
                "fixed": column.fixed,
                "shown": column.fixed or (column.key not in hidden if hidden is not None else column.default),
            }
            for column in view.get_columns(request)
        ]
        return Response(ListColumnsSerializer({"list_key": list_key, "columns": columns}).data)

    @extend_schema(responses={200: ListColumnsSerializer, **problem_responses(404)})
    def retrieve(self, request: Request, list_key: str) -> Response:
        return self._columns(request, list_key)

    @extend_schema(
        request=ListColumnsInputSerializer,
        responses={200: ListColumnsSerializer, **problem_responses(400, 404)},
        summary=_("Choose the columns shown on a list"),
    )
    def update(self, request: Request, list_key: str) -> Response:
        view = _list_view(list_key)
        serializer = ListColumnsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choosable = {column.key for column in view.get_columns(request) if not column.fixed}
        list_columns_choose(
            user=request.user,
            list_key=list_key,
            shown=set(serializer.validated_data["columns"]),
            choosable=choosable,
        )
        return self._columns(request, list_key)


def register(router) -> None:
    router.register("saved-filters", SavedFilterViewSet, basename="saved-filter")
    router.register("list-columns", ListColumnsViewSet, basename="list-columns")
