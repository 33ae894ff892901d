"""Reads of user management (issue 13): the staff users HQ admins keep (supervisors read them),
a user's change history, and the sign-in lock-outs and failed sign-ins HQ admins watch (R41)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import ChangeRecord
from aftersales.core.phones import phone_display
from aftersales.core.privacy import register_revealable

from .choices import Role
from .models import LoginFailure, LoginThrottle, User

# Roles that read the staff users; of them, only HQ admins change them.
USER_READER_ROLES = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})


def reads_users(user) -> bool:
    """Supervisors and HQ admins read the staff users (their roles, dealers, whether active)."""
    return user.has_role(*USER_READER_ROLES)


def manages_users(user) -> bool:
    """Only HQ admins create users, change their roles and dealers, deactivate them and set
    their passwords."""
    return user.has_role(Role.HQ_ADMIN)


def manages_sign_ins(user) -> bool:
    """HQ admins watch failed sign-ins and lift lock-outs (as the admin site and `login_unlock`)."""
    return user.has_role(Role.HQ_ADMIN)


def user_list(user) -> QuerySet[User]:
    """Every staff user, active or not, for those who read them; nothing for anyone else."""
    if not reads_users(user):
        return User.objects.none()
    return User.objects.select_related("dealer", "service_point")


def user_history(user: User) -> QuerySet[ChangeRecord]:
    """The user's field changes (role, dealer, active, password set ...), newest first."""
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=user.pk
    ).select_related("actor")


def login_lockouts(user) -> QuerySet[LoginThrottle]:
    """The name and address pairs locked out now, for those who may unlock them."""
    if not manages_sign_ins(user):
        return LoginThrottle.objects.none()
    return LoginThrottle.objects.filter(locked_until__gt=timezone.now())


def login_failures(user) -> QuerySet[LoginFailure]:
    """Every refused sign-in, newest first, for those who watch them."""
    if not manages_sign_ins(user):
        return LoginFailure.objects.none()
    return LoginFailure.objects.select_related("user")


def _staff_phone(reader, pk: int) -> str:
    return phone_display(get_object_or_404(user_list(reader), pk=pk).phone)


# A staff user's phone is a record's personal value (accounts.privacy: masked for every role),
# revealed one at a time, for a reason, by those who read the users.
register_revealable("user", "phone", label=_("Phone"), read=_staff_phone)
