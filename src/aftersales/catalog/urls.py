from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("parts/", views.PartListView.as_view(), name="part_list"),
    path("parts/import/", views.part_import, name="part_import"),
    path("parts/import/template/", views.part_import_template, name="part_import_template"),
    path("parts/<int:pk>/", views.part_detail, name="part_detail"),
    path("price-lists/", views.PriceListListView.as_view(), name="price_list_list"),
    path("price-lists/import/template/", views.price_import_template, name="price_import_template"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list_detail"),
    path("price-lists/<int:pk>/revise/", views.price_list_revise_view, name="price_list_revise"),
    path("price-lists/<int:pk>/import/", views.price_list_import, name="price_list_import"),
    path("fee-schedules/", views.FeeScheduleListView.as_view(), name="fee_schedule_list"),
    path("fee-schedules/submit/", views.fee_schedule_submit_view, name="fee_schedule_submit"),
    path("fee-schedules/<int:pk>/", views.fee_schedule_detail, name="fee_schedule_detail"),
    path(
        "fee-schedules/<int:pk>/do/<str:action>/",
        views.FeeScheduleTransitionView.as_view(),
        name="fee_schedule_transition",
    ),
]
