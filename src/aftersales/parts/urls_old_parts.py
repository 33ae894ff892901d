"""The old_parts pages of the parts app: old parts (R29), their shipments to HQ and the warranty
reimbursement claims (R31), under /parts/old-parts/."""

from django.urls import path

from . import views_claims as c
from . import views_old_parts as v

urlpatterns = [
    path("", v.OldPartListView.as_view(), name="old_part_list"),
    path("due/", v.OldPartDueListView.as_view(), name="old_part_due_list"),
    path("labels/", v.old_part_labels, name="old_part_labels"),
    path("<int:pk>/", v.old_part_detail, name="old_part_detail"),
    path("<int:pk>/do/<str:action>/", v.OldPartTransitionView.as_view(), name="old_part_transition"),
    path("<int:pk>/photo/", v.old_part_photo_file, name="old_part_photo"),
    path("<int:pk>/photo/upload/", v.old_part_photo_view, name="old_part_photo_upload"),
    path("<int:pk>/label/", v.old_part_label, name="old_part_label"),
    path("<int:pk>/penalty/reverse/", v.old_part_penalty_reverse_view, name="old_part_penalty_reverse"),
    path("shipments/", v.OldPartShipmentListView.as_view(), name="old_part_shipment_list"),
    path("shipments/new/", v.shipment_create_view, name="old_part_shipment_create"),
    path("shipments/<int:pk>/", v.shipment_detail, name="old_part_shipment_detail"),
    path(
        "shipments/<int:pk>/do/<str:action>/",
        v.ShipmentTransitionView.as_view(),
        name="old_part_shipment_transition",
    ),
    path("shipments/<int:pk>/add/", v.shipment_add_view, name="old_part_shipment_add"),
    path(
        "shipments/<int:pk>/remove/<int:old_part_pk>/",
        v.shipment_remove_view,
        name="old_part_shipment_remove",
    ),
    path("shipments/<int:pk>/labels/", v.shipment_labels, name="old_part_shipment_labels"),
    path("claims/", c.ClaimListView.as_view(), name="claim_list"),
    path("claims/build/", c.claim_build_view, name="claim_build"),
    path("claims/<int:pk>/", c.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/do/<str:action>/", c.ClaimTransitionView.as_view(), name="claim_transition"),
    path("claims/<int:pk>/print/", c.claim_print_view, name="claim_print"),
    path("claims/<int:pk>/export/", c.claim_export_view, name="claim_export"),
    path("claims/lines/<int:pk>/decide/", c.claim_line_decide_view, name="claim_line_decide"),
]
