"""Organisation and people in the admin: dealers, service points, users, engineers (R37, R38),
the users' API tokens (revoked here, never made or edited: the owner makes them), failed sign-ins
and the lock-outs they caused, with the unlock (R41). Dealers, service points, engineers and
qualifications are written through services_org, as the API writes them (core.admin.ServiceAdmin)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersales.core.admin import ReadOnlyAdmin, ServiceAdmin

from . import services_org
from .forms import AdminPasswordChangeForm
from .models import ApiToken, Dealer, Engineer, LoginFailure, LoginThrottle, Qualification, ServicePoint, User
from .services import api_token_revoke
from .services_login import login_unlock


@admin.register(Dealer)
class DealerAdmin(ServiceAdmin):
    row_argument = "dealer"
    create_service = staticmethod(services_org.dealer_create)
    update_service = staticmethod(services_org.dealer_update)
    delete_service = staticmethod(services_org.dealer_delete)
    list_display = ["code", "name", "contact_name", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "contact_name", "phone"]


@admin.register(ServicePoint)
class ServicePointAdmin(ServiceAdmin):
    row_argument = "point"
    create_service = staticmethod(services_org.service_point_create)
    update_service = staticmethod(services_org.service_point_update)
    delete_service = staticmethod(services_org.service_point_delete)
    list_display = ["code", "name", "dealer", "province", "city", "district", "phone", "is_active"]
    list_filter = ["is_active", "dealer", "province"]
    search_fields = ["code", "name", "province", "city", "district", "address"]
    list_select_related = ["dealer"]
    autocomplete_fields = ["dealer"]
    filter_horizontal = ["product_lines"]
    fieldsets = [
        (None, {"fields": ["code", "name", "dealer", "phone", "is_active"]}),
        (_("Location"), {"fields": ["province", "city", "district", "address", "latitude", "longitude"]}),
        (_("Product lines served"), {"fields": ["product_lines"]}),
    ]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = AdminPasswordChangeForm  # a new password revokes the user's API tokens
    list_display = ["username", "last_name", "first_name", "role", "dealer", "service_point", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser", "dealer"]
    search_fields = ["username", "first_name", "last_name", "email", "phone"]
    list_select_related = ["dealer", "service_point"]
    autocomplete_fields = ["dealer", "service_point"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            _("Role and organisation"),
            {"fields": ["role", "phone", "dealer", "service_point", "language"]},
        ),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (
            _("Role and organisation"),
            {"fields": ["role", "phone", "dealer", "service_point", "language"]},
        ),
    ]


class QualificationInline(admin.TabularInline):
    """Read here; added, renewed and withdrawn on the qualifications' own pages (their link), which
    write through the services and keep the history (R38, R41)."""

    model = Qualification
    extra = 0
    fields = ["product_line", "certified_on", "expires_on"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Engineer)
class EngineerAdmin(ServiceAdmin):
    row_argument = "engineer"
    create_service = staticmethod(services_org.engineer_create)
    update_service = staticmethod(services_org.engineer_update)
    delete_service = staticmethod(services_org.engineer_delete)
    list_display = ["employee_no", "__str__", "service_point", "is_active"]
    list_filter = ["is_active", "service_point__dealer", "service_point"]
    search_fields = ["employee_no", "user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "service_point"]
    autocomplete_fields = ["user", "service_point"]
    inlines = [QualificationInline]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj else []  # the account is the engineer's for good (a new one: a new engineer)


@admin.register(Qualification)
class QualificationAdmin(ServiceAdmin):
    row_argument = "qualification"
    create_service = staticmethod(services_org.qualification_create)
    update_service = staticmethod(services_org.qualification_update)
    delete_service = staticmethod(services_org.qualification_delete)
    list_display = ["engineer", "product_line", "certified_on", "expires_on"]
    list_filter = ["product_line", "expires_on"]
    search_fields = ["engineer__employee_no", "engineer__user__last_name", "engineer__user__first_name"]
    list_select_related = ["engineer__user", "product_line"]
    autocomplete_fields = ["engineer", "product_line"]

    def get_readonly_fields(self, request, obj=None):
        return ["engineer"] if obj else []  # another engineer's: a new qualification of theirs


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "client", "key_prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "revoked_reason", "expires_at"]
    search_fields = ["client", "key_prefix", "user__username", "user__last_name", "user__first_name"]
    list_select_related = ["user"]
    fields = list_display + ["revoked_reason", "revoked_by"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked rows stay: who revoked what, and why

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    """Who tried which name, from where and with what; append-only."""

    list_display = ["created_at", "username", "user", "ip_address", "locked_out", "user_agent"]
    list_filter = ["locked_out", "created_at"]
    search_fields = ["username", "ip_address", "user_agent"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """The counters of names and addresses with recent failures; the locked ones can be unlocked."""

    list_display = ["username", "ip_address", "failures", "window_started_at", "locked_until"]
    list_filter = [("locked_until", admin.EmptyFieldListFilter)]
    search_fields = ["username", "ip_address"]
    readonly_fields = list_display
    actions = ["unlock"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # unlocking is the one way out, and it is logged
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Unlock the selected sign-ins"), permissions=["delete"])
    def unlock(self, request, queryset):
        count = login_unlock(throttles=queryset, actor=request.user.username)
        self.message_user(
            request,
            ngettext("%(count)d sign-in unlocked.", "%(count)d sign-ins unlocked.", count) % {"count": count},
            messages.SUCCESS,
        )
