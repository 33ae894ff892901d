"""REST API of what dispatch reads about the organisation (R5): `/api/engineer-leave/` (who is
away when) and `/api/service-areas/` (the regions service points cover).

Leave is read by those who plan visits (dispatch roles and engineers), scoped (R37: dealer staff
their dealer's engineers, an engineer their point's), and recorded by dispatchers, supervisors, HQ
admins and dealer staff (their own dealer's engineers). Areas are read by every staff user,
scoped like the points, and kept by HQ admins and supervisors. Writes go through the services
(`services.leave`, `services.areas`), which validate and keep the history (R41).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers

from aftersales.accounts.api_org import OrgViewSet, crud_schema
from aftersales.accounts.models import Engineer, ServicePoint
from aftersales.accounts.selectors import engineer_list, service_point_list
from aftersales.core.api import RejectUnknownFieldsMixin, ScopedPrimaryKeyRelatedField

from . import services
from .filtersets import EngineerLeaveFilterSet, ServiceAreaFilterSet
from .models import EngineerLeave, ServiceArea
from .selectors import engineer_leave_list, service_area_list


class EngineerLeaveSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """An engineer's leave (R5): away from `start` to `end`, both included; dispatch suggests
    nobody on leave and no visit is booked on its days."""

    engineer = ScopedPrimaryKeyRelatedField(
        queryset=Engineer.objects.all(),
        scope=engineer_list,
        help_text=_("The engineer away; a leave stays with its engineer."),
    )
    engineer_name = serializers.CharField(source="engineer.user.display_name", read_only=True)
    employee_no = serializers.CharField(source="engineer.employee_no", read_only=True)
    service_point = serializers.IntegerField(source="engineer.service_point_id", read_only=True)
    service_point_name = serializers.CharField(source="engineer.service_point.name", read_only=True)
    days = serializers.SerializerMethodField(help_text=_("Calendar days away, both ends included."))
    booked_appointments = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "Visits still booked with customers on these days (R12): reschedule them or give them to "
            "another engineer."
        ),
    )

    class Meta:
        model = EngineerLeave
        fields = [
            "id",
            "engineer",
            "engineer_name",
            "employee_no",
            "service_point",
            "service_point_name",
            "start",
            "end",
            "days",
            "reason",
            "booked_appointments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "start": {"help_text": _("The first day away.")},
            "end": {"help_text": _("The last day away: on or after `start`.")},
        }

    def get_days(self, leave: EngineerLeave) -> int:
        return (leave.end - leave.start).days + 1


class ServiceAreaSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """A region a service point covers (R5): a province, a city of it or a district of that city."""

    service_point = ScopedPrimaryKeyRelatedField(
        queryset=ServicePoint.objects.all(),
        scope=service_point_list,
        help_text=_("The point covering the area; an area stays with its point."),
    )
    service_point_name = serializers.CharField(source="service_point.name", read_only=True)
    region = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = ServiceArea
        fields = [
            "id",
            "service_point",
            "service_point_name",
            "province",
            "city",
            "district",
            "region",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "city": {"help_text": _("A city of the province; empty: the whole province.")},
            "district": {"help_text": _("A district of the city; empty: the whole city.")},
        }


class LeavePermission(permissions.BasePermission):
    """Signed in (else 401); reading for those who plan visits, writing for dispatch roles (403)."""

    message = _("Only dispatchers, supervisors, HQ admins and dealer staff record engineers' leave.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            self.message = _("Your role does not read engineers' leave.")
            return user.plans_visits
        return user.dispatches


@crud_schema(
    EngineerLeaveSerializer,
    delete=_("The engineer is not away after all; the history keeps the leave."),
    read_roles=True,
    protected=False,
)
class EngineerLeaveViewSet(OrgViewSet):
    """Engineers' leave (R5, R12), latest first: `q` searches the engineer (name, user name,
    employee number, phone) and the reason; `engineer`, `service_point`, `dealer`, `on` (away that
    day) and `date_from`/`date_until` (a day in the period) filter. Leaves of one engineer never
    share a day (400 `leave_overlap`); a leave ends on or after it starts (400 `date_order`)."""

    queryset = EngineerLeave.objects.none()
    serializer_class = EngineerLeaveSerializer
    filterset_class = EngineerLeaveFilterSet
    permission_classes = [LeavePermission]

    def get_queryset(self):
        return engineer_leave_list(self.request.user)

    row_argument = "leave"
    create_service = staticmethod(services.engineer_leave_create)
    update_service = staticmethod(services.engineer_leave_update)
    delete_service = staticmethod(services.engineer_leave_delete)


@crud_schema(ServiceAreaSerializer, delete=_("The point no longer covers the area."), protected=False)
class ServiceAreaViewSet(OrgViewSet):
    """The regions service points cover (R5): a province, or a city of it, or a district of that
    city, as China's divisions name them; a point with no area covers its own region. `q`
    searches the region and the point; `service_point`, `dealer` and `province` filter."""

    queryset = ServiceArea.objects.none()
    serializer_class = ServiceAreaSerializer
    filterset_class = ServiceAreaFilterSet

    def get_queryset(self):
        return service_area_list(self.request.user)

    row_argument = "area"
    create_service = staticmethod(services.service_area_create)
    update_service = staticmethod(services.service_area_update)
    delete_service = staticmethod(services.service_area_delete)


def register(router) -> None:
    """Add these viewsets to the project's router (called by field.api.register)."""
    router.register("engineer-leave", EngineerLeaveViewSet, basename="engineer-leave")
    router.register("service-areas", ServiceAreaViewSet, basename="service-area")
