"""The dealers pages of the parts app."""

urlpatterns: list = []
