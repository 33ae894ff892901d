"""Reads of the organisation, scoped to what the user works with (R37)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.db.models.functions import Concat
from django.utils import timezone

from aftersales.core.autocomplete import Lookup, register_lookup
from aftersales.core.phones import search_condition

from .choices import Role
from .models import ApiToken, Dealer, Engineer, LoginThrottle, Qualification, ServicePoint, User


def own_dealer_id(user) -> int | None:
    """The dealer a scoped user works for: their own (dealer staff) or their point's (engineers)."""
    engineer = getattr(user, "engineer", None)
    return engineer.service_point.dealer_id if engineer is not None else user.dealer_id


def service_point_list(user) -> QuerySet[ServicePoint]:
    """Every service point the user may see, active or not (R37): all for company-wide roles,
    their dealer's for dealer staff, their own for an engineer, none for anybody else."""
    points = ServicePoint.objects.all()
    if user.sees_whole_company:
        return points
    if user.role == Role.DEALER_STAFF and user.dealer_id:
        return points.filter(dealer_id=user.dealer_id)
    engineer = getattr(user, "engineer", None)
    if engineer is not None:
        return points.filter(pk=engineer.service_point_id)
    return points.none()


def service_points_in_scope(user) -> QuerySet[ServicePoint]:
    """Active service points the user works with: all, their dealer's, or their own (R37)."""
    return service_point_list(user).filter(is_active=True)


def engineer_list(user) -> QuerySet[Engineer]:
    """Every engineer, active or not, of the service points the user may see (R37): an engineer
    sees the engineers of their own point."""
    return Engineer.objects.filter(service_point__in=service_point_list(user))


def engineers_in_scope(user) -> QuerySet[Engineer]:
    """Active engineers of the active service points in the user's scope."""
    return (
        Engineer.objects.filter(is_active=True, service_point__in=service_points_in_scope(user))
        .select_related("user", "service_point")
        .order_by("service_point__code", "employee_no")
    )


def dealer_list(user) -> QuerySet[Dealer]:
    """Every dealer the user may see, active or not (R37): all for company-wide roles, else their
    own (dealer staff, and the engineers of a dealer's point)."""
    dealers = Dealer.objects.order_by("code")
    if user.sees_whole_company:
        return dealers
    dealer_id = own_dealer_id(user)
    return dealers.filter(pk=dealer_id) if dealer_id else dealers.none()


def dealers_in_scope(user) -> QuerySet[Dealer]:
    """Active dealers the user works with: all, or their own (staff and engineers of a dealer)."""
    return dealer_list(user).filter(is_active=True)


# -- the filters' choices, loaded on demand (core.autocomplete) ---------------------------------------


def engineer_search(rows: QuerySet[Engineer], text: str) -> QuerySet[Engineer]:
    """By name (family name first, as written in Chinese), user name, employee number or phone."""
    condition = search_condition(
        text, text=("full_name", "user__username", "employee_no"), phones=("user__phone",)
    )
    return rows.alias(full_name=Concat("user__last_name", "user__first_name")).filter(condition)


register_lookup(
    Lookup(
        name="engineers",
        scope=engineers_in_scope,
        search=engineer_search,
        label=lambda engineer: engineer.user.display_name,
        detail=lambda engineer: f"{engineer.employee_no} · {engineer.service_point.name}",
        searches="name, user name, employee number or phone",
    )
)
register_lookup(
    Lookup(
        name="service-points",
        scope=lambda user: service_points_in_scope(user).order_by("code"),
        search=lambda rows, text: rows.filter(
            search_condition(text, text=("name", "code", "city", "district"), phones=("phone",))
        ),
        detail=lambda point: " · ".join(part for part in (point.code, point.city, point.district) if part),
        searches="name, code, city, district or phone",
    )
)
register_lookup(
    Lookup(
        name="users",
        # Chosen on the access log's filter, which only its auditors read (R41).
        scope=lambda user: (
            User.objects.order_by("username") if user.reads_access_log else User.objects.none()
        ),
        search=lambda rows, text: rows.filter(
            search_condition(text, text=("username", "last_name", "first_name"), phones=("phone",))
        ),
        label=lambda user: user.display_name,
        detail=lambda user: f"{user.username} · {user.get_role_display()}",
        searches="name, user name or phone",
    )
)
register_lookup(
    Lookup(
        name="dealers",
        scope=dealers_in_scope,
        search=lambda rows, text: rows.filter(search_condition(text, text=("name", "code"))),
        detail=lambda dealer: dealer.code,
        searches="name or code",
    )
)


def engineer_qualified_on(engineer: Engineer, product_line, day: date) -> bool:
    """R38: a qualification for the product line, valid on the day."""
    return Qualification.objects.filter(
        engineer=engineer, product_line=product_line, certified_on__lte=day, expires_on__gte=day
    ).exists()


# -- who answers for work -------------------------------------------------------------------------

# Roles that own work nobody is assigned to yet (besides the engineer who does it).
OWNING_ROLES = (Role.DISPATCHER, Role.DEALER_STAFF)


def _unique(users: list[User]) -> list[User]:
    return list({user.pk: user for user in users}.values())


@dataclass
class StaffRouting:
    """Who answers for a piece of work, e.g. who is warned that it is late (R34): its engineer,
    else the staff of its service point, else the company's dispatchers; the supervisors hear of
    what went wrong, the quality department assesses complaints (R26). Loaded once by
    `staff_routing()` (one query, a few dozen rows) and asked in Python for each work item of a
    batch: a job needs no query per row."""

    supervisors: list[User] = field(default_factory=list)
    quality: list[User] = field(default_factory=list)
    # Dispatchers of no dealer and no service point: the company's own.
    company_dispatchers: list[User] = field(default_factory=list)
    # The dispatchers and dealer staff of a service point; the staff of a dealer (no point).
    by_point: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    by_dealer: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))

    def owners(
        self, *, engineer: Engineer | None = None, service_point: ServicePoint | None = None
    ) -> list[User]:
        """The engineer doing the work (while they and their account are active); else the staff
        of the service point (its dispatchers and dealer staff, its dealer's staff); else the
        company's dispatchers."""
        if engineer is not None and engineer.is_active and engineer.user.is_active:
            return [engineer.user]
        if service_point is not None:
            dealer = self.by_dealer.get(service_point.dealer_id, []) if service_point.dealer_id else []
            staff = self.by_point.get(service_point.pk, []) + dealer
            if staff:
                return _unique(staff)
        return list(self.company_dispatchers)

    def escalation(
        self, *, engineer: Engineer | None = None, service_point: ServicePoint | None = None
    ) -> list[User]:
        """The supervisors, and the owners, who heard first."""
        return _unique(self.supervisors + self.owners(engineer=engineer, service_point=service_point))

    def supervisors_of(self, people: Iterable[User]) -> list[User]:
        """The supervisors of `people` (R26: those involved in a complaint): the supervisors of
        their service points (their own, or their engineer record's: load `people` with
        `select_related("engineer")` to ask without a query), else the company's own supervisors
        (no service point, no dealer)."""
        points: set[int] = set()
        for person in people:
            engineer = getattr(person, "engineer", None)
            if person.service_point_id:
                points.add(person.service_point_id)
            if engineer is not None:
                points.add(engineer.service_point_id)
        local = [user for user in self.supervisors if user.service_point_id in points]
        company = [user for user in self.supervisors if not user.service_point_id and not user.dealer_id]
        return local or company


def staff_routing() -> StaffRouting:
    """The active supervisors, quality staff, dispatchers and dealer staff, sorted into a
    `StaffRouting`."""
    routing = StaffRouting()
    roles = [Role.SUPERVISOR, Role.QUALITY, *OWNING_ROLES]
    for user in User.objects.filter(is_active=True, role__in=roles).order_by("pk"):
        if user.role == Role.SUPERVISOR:
            routing.supervisors.append(user)
        elif user.role == Role.QUALITY:
            routing.quality.append(user)
        elif user.service_point_id:
            routing.by_point[user.service_point_id].append(user)
        elif user.role == Role.DEALER_STAFF and user.dealer_id:
            routing.by_dealer[user.dealer_id].append(user)
        elif user.role == Role.DISPATCHER and not user.dealer_id:
            routing.company_dispatchers.append(user)
    return routing


# -- API tokens ---------------------------------------------------------------------------------------


def manages_tokens_of_others(user) -> bool:
    """HQ admins see and revoke anyone's API tokens; everybody else only their own."""
    return user.has_role(Role.HQ_ADMIN)


def api_tokens_visible(user) -> QuerySet[ApiToken]:
    """The API tokens not revoked (in force or expired) the user may see and revoke: their own,
    or everybody's for an HQ admin; newest first."""
    tokens = ApiToken.objects.filter(revoked_at__isnull=True).select_related("user")
    return tokens if manages_tokens_of_others(user) else tokens.filter(user=user)


def api_tokens_own(user) -> QuerySet[ApiToken]:
    """The user's own tokens not revoked ("My API tokens", whatever the role)."""
    return api_tokens_visible(user).filter(user=user)


# --- sign-in throttling (accounts.services_login) ---------------------------------------------------


def login_key(username: str) -> str:
    """The name a throttle counts under: typed variants of one name ("Agent ", "agent") are one."""
    return username.strip().casefold()[:150]


def login_locked_until(*, username: str, ip_address: str) -> datetime | None:
    """When the lock-out of this name from this address ends, if it is locked out now."""
    return (
        LoginThrottle.objects.filter(
            username=login_key(username), ip_address=ip_address, locked_until__gt=timezone.now()
        )
        .values_list("locked_until", flat=True)
        .first()
    )


def login_throttles_matching(*, username: str = "", ip_address: str = "") -> QuerySet[LoginThrottle]:
    """The counters of a name (any address), of an address (any name), or of both."""
    throttles = LoginThrottle.objects.all()
    if username:
        throttles = throttles.filter(username=login_key(username))
    if ip_address:
        throttles = throttles.filter(ip_address=ip_address)
    return throttles
