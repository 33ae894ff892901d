"""The customer's acceptance on the engineer's phone (R15-R17): ratings and signature, or the
recorded refusal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from aftersales.core.forms import REFUSALS, error_messages, form_add_errors, form_error_messages

from ..forms import RefusalForm, SignOffForm
from ..selectors import visit_get
from ..services import visit_sign, visit_signoff_refuse
from .visits import VisitFormView, visit_back, visit_page

# The refusals the engineer answers on the form they filled in (kept, with the drawn signature),
# rather than on a fresh one: a low rating with "satisfied" to confirm (R16, R17).
ANSWERED_ON_THE_FORM = frozenset({"confirm_low_rating"})


class VisitSignView(VisitFormView):
    """`/field/visits/<pk>/sign/`: the customer's ratings and signature (R15, R16). A rating of 1 or
    2 with "satisfied" comes back on the filled-in form (400) asking the engineer to confirm it."""

    form_class = SignOffForm
    service = staticmethod(visit_sign)
    success = _("The customer's signature is recorded.")
    anchor = "signoff"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = visit_get(request.user, pk)
        form = SignOffForm(request.POST, request.FILES, visit=visit)
        if not form.is_valid():
            form_error_messages(request, form)
            return visit_back(visit, self.anchor)
        try:
            self.run(request, visit, form)
        except ValidationError as error:
            if ANSWERED_ON_THE_FORM & set(getattr(error, "error_dict", {})):
                form_add_errors(form, error)
                return visit_page(request, visit, signoff_form=form, status=400)
            error_messages(request, error)
        except REFUSALS as error:
            error_messages(request, error)
        else:
            messages.success(request, str(self.success))
        return visit_back(visit, self.anchor)


class VisitRefuseView(VisitFormView):
    """`/field/visits/<pk>/refuse/`: the customer refuses to sign; recorded with the reason (R17)."""

    form_class = RefusalForm
    service = staticmethod(visit_signoff_refuse)
    success = _("The refusal is recorded; the work order stays open.")
    anchor = "signoff"
