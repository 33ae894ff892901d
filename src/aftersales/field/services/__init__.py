"""Writes of the field-service context, one module per part: dispatch (R5, R38), appointments
(R12), visits (R12, R16), the customer's sign-off (R15-R17), supervision cards (R19), and what
dispatch reads: the areas points cover and engineers' leave (R5)."""

from ..transitions import supervision_due
from .appointments import (
    appointment_book,
    appointment_cancel,
    appointment_complete,
    appointment_reschedule,
    appointments_follow_engineer,
)
from .areas import service_area_create, service_area_delete, service_area_update
from .dispatch import dispatch_assign, workorder_autodispatch
from .leave import engineer_leave_create, engineer_leave_delete, engineer_leave_update, may_record_leave
from .schedule import schedule_assign_book
from .signoff import (
    SERVICE_FORM_TEMPLATE,
    SIGNATURE_MAX_BYTES,
    SIGNATURE_TYPES,
    Signature,
    signature_image,
    signed_form_render,
    signed_forms_render_pending,
    signoff_content,
    signoff_content_hash,
    visit_sign,
    visit_signoff_refuse,
    workorder_completion_check,
)
from .supervision import supervision_transition
from .visits import (
    VISIT_NUMBER_PREFIX,
    visit_create,
    visit_internal_update,
    visit_part_add,
    visit_part_remove,
    visit_parts_request,
    visit_photo_add,
    visit_record,
    visit_transition,
    visits_follow_engineer,
)

__all__ = [
    "SERVICE_FORM_TEMPLATE",
    "SIGNATURE_MAX_BYTES",
    "SIGNATURE_TYPES",
    "Signature",
    "signature_image",
    "VISIT_NUMBER_PREFIX",
    "appointment_book",
    "appointment_cancel",
    "appointment_complete",
    "appointment_reschedule",
    "appointments_follow_engineer",
    "dispatch_assign",
    "engineer_leave_create",
    "engineer_leave_delete",
    "engineer_leave_update",
    "may_record_leave",
    "service_area_create",
    "service_area_delete",
    "service_area_update",
    "signed_form_render",
    "signed_forms_render_pending",
    "schedule_assign_book",
    "signoff_content",
    "signoff_content_hash",
    "supervision_due",
    "supervision_transition",
    "visit_create",
    "visit_internal_update",
    "visit_part_add",
    "visit_part_remove",
    "visit_parts_request",
    "visit_photo_add",
    "visit_record",
    "visit_sign",
    "visit_signoff_refuse",
    "visit_transition",
    "visits_follow_engineer",
    "workorder_autodispatch",
    "workorder_completion_check",
]
