from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles (R37). Customers are not users of this table; the portal comes later."""

    AGENT = "agent", _("Service agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    ENGINEER = "engineer", _("Engineer")
    CLERK = "clerk", _("Service clerk")
    PARTS_CLERK = "parts_clerk", _("Parts clerk")
    FINANCE = "finance", _("Finance")
    QUALITY = "quality", _("Quality & compliance")
    SUPERVISOR = "supervisor", _("Supervisor")
    HQ_ADMIN = "hq_admin", _("HQ admin")
    DEALER_STAFF = "dealer_staff", _("Dealer staff")


# Roles that see every work order of the company (R37); the others are scoped.
COMPANY_WIDE_ROLES = frozenset(
    {
        Role.AGENT,
        Role.DISPATCHER,
        Role.CLERK,
        Role.PARTS_CLERK,
        Role.FINANCE,
        Role.QUALITY,
        Role.SUPERVISOR,
        Role.HQ_ADMIN,
    }
)

# Roles that take requests and keep customers and devices on file (pages and API alike).
FRONT_LINE_ROLES = frozenset(
    {
        Role.AGENT,
        Role.DISPATCHER,
        Role.ENGINEER,
        Role.CLERK,
        Role.SUPERVISOR,
        Role.HQ_ADMIN,
        Role.DEALER_STAFF,
    }
)

# Roles that maintain the catalogue and may delete reference data.
REFERENCE_ADMIN_ROLES = frozenset({Role.SUPERVISOR, Role.HQ_ADMIN})

# Roles that assign work to engineers (the "assign" transition, the dispatch board).
DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.HQ_ADMIN, Role.DEALER_STAFF})


class TokenRevocation(models.TextChoices):
    """Why an API token stopped working before it expired."""

    REVOKED = "revoked", _("Revoked")
    LOGOUT = "logout", _("Logged out")
    REPLACED = "replaced", _("Replaced by a new token for the same client")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
