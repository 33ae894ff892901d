"""The customer's acceptance on the engineer's phone (R15-R17): ratings and signature, or the
recorded refusal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ..forms import RefusalForm, SignOffForm
from ..services import visit_sign, visit_signoff_refuse
from .visits import VisitFormView


class VisitSignView(VisitFormView):
    """`/field/visits/<pk>/sign/`: the customer's ratings and signature (R15, R16)."""

    form_class = SignOffForm
    service = staticmethod(visit_sign)
    success = _("The customer's signature is recorded.")
    anchor = "signoff"


class VisitRefuseView(VisitFormView):
    """`/field/visits/<pk>/refuse/`: the customer refuses to sign; recorded with the reason (R17)."""

    form_class = RefusalForm
    service = staticmethod(visit_signoff_refuse)
    success = _("The refusal is recorded; the work order stays open.")
    anchor = "signoff"
