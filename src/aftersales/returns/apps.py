"""The returns bounded context: 退换货申请表, a customer's request to return or exchange a product,
checked against the company's rules, collected, inspected, refunded or replaced, followed up
(R33, issue 11)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "aftersales.returns"
    label = "returns"
    verbose_name = _("Returns and exchanges")

    def ready(self) -> None:
        from . import errors, hooks  # noqa: F401  (error codes; the work-order panel and the demo seeder)
