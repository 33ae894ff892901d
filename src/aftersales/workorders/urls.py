from django.urls import path

from . import views

app_name = "workorders"
urlpatterns = [
    path("", views.WorkOrderListView.as_view(), name="list"),
    path("export.xlsx", views.WorkOrderExportView.as_view(), name="export"),
    path("new/", views.WorkOrderIntakeView.as_view(), name="intake"),
    path("search/", views.search_view, name="search"),
    path("lookup/customers/", views.customer_lookup, name="lookup_customers"),
    path("lookup/devices/", views.device_lookup, name="lookup_devices"),
    path("lookup/caller/", views.caller_lookup_view, name="lookup_caller"),
    path("<int:pk>/", views.WorkOrderDetailView.as_view(), name="detail"),
    path("<int:pk>/timeline/", views.WorkOrderTimelineView.as_view(), name="timeline"),
    path("<int:pk>/edit/", views.WorkOrderEditView.as_view(), name="edit"),
    path("<int:pk>/do/<str:action>/", views.WorkOrderTransitionView.as_view(), name="transition"),
    path("<int:pk>/notes/", views.note_add_view, name="note_add"),
    path("<int:pk>/attachments/", views.attachment_add_view, name="attachment_add"),
    path("<int:pk>/attachments/list/", views.attachment_list_view, name="attachment_list"),
    # By the file's random key, never a sequential id (R41); only for who may see the work order.
    path("files/<uuid:key>/", views.attachment_download, name="attachment_download"),
]
