"""The stock pages of the parts app."""

urlpatterns: list = []
