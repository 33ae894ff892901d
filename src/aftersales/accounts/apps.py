from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "aftersales.accounts"
    label = "accounts"
    verbose_name = _("Organisation and users")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # error codes; the app's autocomplete lookups; the staff phone's reveal
        from . import errors, selectors, selectors_users  # noqa: F401
        from .middleware import session_timeouts_start

        # Django's own hook for "a user signed in" (it updates last_login the same way).
        user_logged_in.connect(session_timeouts_start, dispatch_uid="accounts.session_timeouts_start")
