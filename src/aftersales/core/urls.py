from django.urls import path

from . import lists, privacy_views, views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("lists/<slug:list_key>/columns/", lists.ListColumnsView.as_view(), name="list_columns"),
    path("lists/<slug:list_key>/filters/", lists.SavedFilterCreateView.as_view(), name="saved_filter_create"),
    path("privacy/reveal/", privacy_views.reveal_view, name="privacy_reveal"),
    path("privacy/access-log/", privacy_views.AccessLogListView.as_view(), name="privacy_access_log"),
    path("lists/filters/<int:pk>/delete/", lists.SavedFilterDeleteView.as_view(), name="saved_filter_delete"),
]
