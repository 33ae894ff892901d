"""History and access log in the admin: visible to administrators, never editable (R41); and
`ServiceAdmin`, the base of the admins whose rows are written through their app's services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import DomainError
from .models import AccessLog, ChangeRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete: rows of history are append-only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _DryRun(Exception):
    """Raised to roll back a service call that only checked the form."""


def refusal_text(error: DomainError | ValidationError) -> str:
    """A service's refusal as one line for an admin message."""
    if isinstance(error, DomainError):
        return error.message
    return " ".join(error.messages)


def _form_errors(form: ModelForm, error: DomainError | ValidationError) -> None:
    """A service's refusal on the form: on the field it names when the form has it, else above."""
    if isinstance(error, DomainError):
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose adds, edits and deletes go through the app's services, like the API's and
    the pages' (ARCHITECTURE: one service per write), so that their rules hold here too: values
    normalised and validated, the history kept (R41), rows still in use kept (409).

    The subclass names them as the API's viewsets do: `create_service(actor=, **fields)`,
    `update_service(<row_argument>=, actor=, **fields)` and `delete_service(<row_argument>=,
    actor=)`. A new row gets the form's fields, an edit those the user changed (many-to-many ones
    included: the service sets them).

    The admin shows a form's errors only while validating it, so validation ends with a dry run:
    the service runs in a savepoint that is rolled back, and whatever it refuses (ValidationError,
    DomainError) shows on the form with nothing saved; `save_model` then runs it for real. A
    delete the service refuses (StillInUse) is an error message and deletes nothing, for one row
    and the "delete selected" action alike (all or nothing); Django's own list of "protected"
    objects is not shown, so the service decides and says why.

    Inlines are not written by the services: make them read-only, or write their rows through
    services in `save_formset`. No `list_editable` (its rows would skip the dry run)."""

    row_argument: str
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    delete_service: Callable[..., None]

    # --- add and change ---------------------------------------------------------------------

    def service_fields(self, form: ModelForm, change: bool) -> dict[str, Any]:
        """The fields given to the service: all the form's on an add, the changed ones on an edit."""
        model_fields = {field.name for field in [*self.opts.concrete_fields, *self.opts.many_to_many]}
        names = model_fields & set(form.changed_data if change else form.cleaned_data)
        return {name: value for name, value in form.cleaned_data.items() if name in names}

    def service_save(self, request: HttpRequest, form: ModelForm, change: bool) -> Model:
        fields = self.service_fields(form, change)
        if not change:
            return self.create_service(actor=request.user, **fields)
        # the form's instance already holds the new values: the service compares with the stored row
        row = self.model._default_manager.get(pk=form.instance.pk)
        return self.update_service(**{self.row_argument: row}, actor=request.user, **fields)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):  # type: ignore[valid-type, misc]
            def full_clean(self) -> None:
                super().full_clean()
                if self.is_bound and not self._errors:
                    model_admin.service_try(request, self, change)

        return ServiceForm

    def service_try(self, request: HttpRequest, form: ModelForm, change: bool) -> None:
        """The dry run: the service's refusal on the form, nothing written."""
        try:
            with transaction.atomic():
                self.service_save(request, form, change)
                raise _DryRun
        except _DryRun:
            pass
        except (ValidationError, DomainError) as error:
            _form_errors(form, error)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        row = self.service_save(request, form, change)
        obj.pk, obj._state.adding = row.pk, False
        obj.refresh_from_db()  # as stored (a phone in E.164), for the message and the admin's log

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:  # not form.save_m2m(): the service set the many-to-many fields
            self.save_formset(request, form, formset, change=change)

    # --- delete -----------------------------------------------------------------------------

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, model_count, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, perms_needed, []  # the delete service refuses, and says why

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.delete_service(**{self.row_argument: obj}, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)  # in a transaction
        except (DomainError, ValidationError) as error:
            self.message_user(request, refusal_text(error), messages.ERROR)
            change = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            return HttpResponseRedirect(reverse(change, args=[object_id], current_app=self.admin_site.name))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if "delete_selected" in actions:  # Django's, replaced by the one through the service
            actions["delete_selected"] = self.get_action(ServiceAdmin.delete_selected)
        return actions

    @admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Django's action, all or nothing through `delete_model`."""
        try:
            with transaction.atomic():
                return django_delete_selected(self, request, queryset)
        except (DomainError, ValidationError) as error:
            message = _("Nothing was deleted: %(reason)s") % {"reason": refusal_text(error)}
            self.message_user(request, message, messages.ERROR)
            return None


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "content_type", "object_id", "field", "old_value", "new_value", "actor"]
    list_filter = ["content_type", "field"]
    search_fields = ["field", "old_value", "new_value", "actor__username"]
    list_select_related = ["content_type", "actor"]
    date_hierarchy = "created_at"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "resource", "object_id", "field", "reason", "ip_address"]
    list_filter = ["action", "reason", "resource"]
    search_fields = ["actor__username", "resource", "object_id", "reason_text", "detail"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
