"""Writes of the organisation (R37, R38): dealers, service points, engineers and their
qualifications per product line. The API goes through here.

Every write validates the whole row (`full_clean`: fields, uniqueness and the models' `clean()`:
coordinates, an engineer's account, a qualification's dates), checks what only a change must (a
dealer or service point newly chosen is active, a region names China's divisions, a new engineer's
account is active), stores phones in E.164, and keeps the change in the history (R41): what was
created, each field edited, and what was deleted. A dealer, service point or engineer that other
records still refer to is never deleted: it is deactivated (`is_active` false) instead (409).
Saving them tells the routing caches (field.suggestions) to reload: core.reference listens."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from aftersales.core.divisions import region_errors
from aftersales.core.errors import DomainError, StillInUse
from aftersales.core.phones import phone_normalize
from aftersales.core.services import record_delete, record_save

from .hooks import engineer_work_checks
from .models import Dealer, Engineer, Qualification, ServicePoint, User

# The fields each history keeps (many-to-many ones read as the related rows' names).
DEALER_FIELDS = ("code", "name", "contact_name", "phone", "is_active")
SERVICE_POINT_FIELDS = (
    "code",
    "name",
    "dealer",
    "province",
    "city",
    "district",
    "address",
    "latitude",
    "longitude",
    "phone",
    "is_active",
)
ENGINEER_FIELDS = ("user", "service_point", "employee_no", "is_active")
QUALIFICATION_FIELDS = ("engineer", "product_line", "certified_on", "expires_on")


def _invalid(errors: dict[str, ValidationError]) -> None:
    if errors:
        raise ValidationError(errors)


def _phone_normalize(fields: dict[str, Any], errors: dict[str, ValidationError]) -> None:
    """The phone given, in E.164 (how lists search it); "" stays empty."""
    if "phone" not in fields:
        return
    try:
        fields["phone"] = phone_normalize(fields["phone"])
    except ValidationError as error:
        errors["phone"] = error


def _active_check(
    instance: Model, fields: dict[str, Any], name: str, errors: dict[str, ValidationError]
) -> None:
    """A dealer or service point newly chosen is active; one already chosen may stay after it was
    deactivated (the row keeps its history)."""
    chosen = fields.get(name)
    if chosen is None or chosen.pk == getattr(instance, f"{name}_id") or chosen.is_active:
        return
    errors[name] = ValidationError(
        _("%(name)s is deactivated: reactivate it or choose another.") % {"name": chosen},
        code="deactivated",
    )


def region_validate(instance: Model, fields: dict[str, Any], errors: dict[str, ValidationError]) -> None:
    """R5: the province, city and district a row will have (those given, else its own) name
    China's divisions, each of its parent; a blank city or district covers the whole of its parent."""
    parts = ("province", "city", "district")
    if instance.pk is not None and not set(parts) & set(fields):
        return
    region = {part: fields.get(part, getattr(instance, part)) or "" for part in parts}
    for part, message in region_errors(region["province"], region["city"], region["district"]).items():
        errors.setdefault(part, ValidationError(message, code="invalid"))


def _delete(instance: Model, *, actor: User, audited: tuple[str, ...], message: str) -> None:
    try:
        record_delete(instance=instance, actor=actor, audited=audited)
    except (ProtectedError, RestrictedError):
        raise StillInUse(message) from None


# --- dealers -------------------------------------------------------------------------------------


def _dealer_write(dealer: Dealer, fields: dict[str, Any], actor: User) -> Dealer:
    errors: dict[str, ValidationError] = {}
    _phone_normalize(fields, errors)
    _invalid(errors)
    return record_save(instance=dealer, data=fields, actor=actor, audit_creation=True)


@transaction.atomic
def dealer_create(*, actor: User, **fields: Any) -> Dealer:
    """A new dealer (a partner company running service points, R37); the phone in E.164."""
    return _dealer_write(Dealer(), fields, actor)


@transaction.atomic
def dealer_update(*, dealer: Dealer, actor: User, **fields: Any) -> Dealer:
    """An edit of a dealer: the fields given; `is_active` false retires it (its rows stay)."""
    return _dealer_write(dealer, fields, actor)


@transaction.atomic
def dealer_delete(*, dealer: Dealer, actor: User) -> None:
    """Only a dealer nothing refers to (no service point, staff, customer, account ...)."""
    _delete(
        dealer,
        actor=actor,
        audited=DEALER_FIELDS,
        message=_("%(dealer)s still has service points, staff or records: deactivate it instead.")
        % {"dealer": dealer},
    )


# --- service points ------------------------------------------------------------------------------


def _service_point_write(point: ServicePoint, fields: dict[str, Any], actor: User) -> ServicePoint:
    errors: dict[str, ValidationError] = {}
    _phone_normalize(fields, errors)
    _active_check(point, fields, "dealer", errors)
    region_validate(point, fields, errors)
    _invalid(errors)
    return record_save(instance=point, data=fields, actor=actor, audit_creation=True)


@transaction.atomic
def service_point_create(*, actor: User, **fields: Any) -> ServicePoint:
    """A new service point (R5): its dealer active (none: run by HQ), its region one of China's
    divisions, the product lines it serves (none: every line), coordinates in range."""
    return _service_point_write(ServicePoint(), fields, actor)


@transaction.atomic
def service_point_update(*, point: ServicePoint, actor: User, **fields: Any) -> ServicePoint:
    """An edit of a service point, checked like a new one for what changes; `is_active` false
    takes it out of dispatch (R5)."""
    return _service_point_write(point, fields, actor)


@transaction.atomic
def service_point_delete(*, point: ServicePoint, actor: User) -> None:
    """Only a service point nothing refers to (engineers, staff, work orders, warehouses ...); its
    areas and working calendar go with it."""
    _delete(
        point,
        actor=actor,
        audited=SERVICE_POINT_FIELDS,
        message=_("%(point)s still has engineers, staff or records: deactivate it instead.")
        % {"point": point},
    )


# --- engineers -----------------------------------------------------------------------------------


@transaction.atomic
def engineer_create(
    *, user: User, service_point: ServicePoint, employee_no: str, actor: User, is_active: bool = True
) -> Engineer:
    """R38: an engineer record for an active user account with the engineer role that is nobody's
    engineer yet (the account's row is locked, so two requests cannot both take it), at an
    active service point."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    if not user.is_active:
        raise DomainError(
            _("%(user)s's account is deactivated.") % {"user": user.username}, code="inactive", field="user"
        )
    engineer = Engineer()
    fields: dict[str, Any] = {"user": user, "service_point": service_point, "employee_no": employee_no}
    errors: dict[str, ValidationError] = {}
    _active_check(engineer, fields, "service_point", errors)
    _invalid(errors)
    return record_save(
        instance=engineer, data={**fields, "is_active": is_active}, actor=actor, audit_creation=True
    )


@transaction.atomic
def engineer_update(*, engineer: Engineer, actor: User, **fields: Any) -> Engineer:
    """An edit of an engineer: the service point (active when newly chosen), the employee number,
    active or not. The user account is the engineer's for good: a new account is a new engineer."""
    if "user" in fields and fields["user"] != engineer.user:
        raise DomainError(
            _("The account of an engineer cannot change: make a new engineer for the other user."),
            code="invalid",
            field="user",
        )
    fields.pop("user", None)
    if engineer.is_active and fields.get("is_active") is False:
        _open_work_refuse(engineer)
    errors: dict[str, ValidationError] = {}
    _active_check(engineer, fields, "service_point", errors)
    _invalid(errors)
    return record_save(instance=engineer, data=fields, actor=actor)


def _open_work_refuse(engineer: Engineer) -> None:
    """R38: an engineer taken out of service hands their open work on first (dispatch reassigns
    it), or nobody would do it: the apps that give engineers work say what is still open
    (`hooks.engineer_work_checks`). Their user account may still be deactivated at once: access
    ends whatever work is open (`services_users.user_update`)."""
    held = [found for check in engineer_work_checks if (found := check(engineer))]
    if held:
        raise StillInUse(
            _("%(engineer)s still holds open work (%(work)s): reassign it before deactivating them.")
            % {"engineer": engineer, "work": "; ".join(held)},
            code="open_work",
            field="is_active",
        )


@transaction.atomic
def engineer_delete(*, engineer: Engineer, actor: User) -> None:
    """Only an engineer without work (work orders, appointments, visits, a van ...); their
    qualifications and leave go with them."""
    _delete(
        engineer,
        actor=actor,
        audited=ENGINEER_FIELDS,
        message=_("%(engineer)s still has work orders, visits or records: deactivate them instead.")
        % {"engineer": engineer},
    )


# --- qualifications (R38) ------------------------------------------------------------------------


def _engineer_lock(engineer: Engineer) -> None:
    """Writes of one engineer's qualifications run one after the other (no two for one line)."""
    Engineer.objects.select_for_update(of=("self",)).filter(pk=engineer.pk).first()


@transaction.atomic
def qualification_create(
    *, engineer: Engineer, product_line: Any, certified_on: date, expires_on: date, actor: User
) -> Qualification:
    """R38: the engineer is trained and assessed on a product line, valid until `expires_on`; one
    qualification per line (renewing one is an edit of its dates)."""
    _engineer_lock(engineer)
    data = {
        "engineer": engineer,
        "product_line": product_line,
        "certified_on": certified_on,
        "expires_on": expires_on,
    }
    return record_save(instance=Qualification(), data=data, actor=actor, audit_creation=True)


@transaction.atomic
def qualification_update(*, qualification: Qualification, actor: User, **fields: Any) -> Qualification:
    """R38: renewed (new dates) or moved to another product line the engineer has none for."""
    _engineer_lock(qualification.engineer)
    fields.pop("engineer", None)
    return record_save(instance=qualification, data=fields, actor=actor)


@transaction.atomic
def qualification_delete(*, qualification: Qualification, actor: User) -> None:
    """R38: the engineer may no longer be assigned work on the line; the history keeps what it was."""
    record_delete(instance=qualification, actor=actor, audited=QUALIFICATION_FIELDS)
