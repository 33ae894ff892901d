"""The old_parts pages of the parts app."""

urlpatterns: list = []
