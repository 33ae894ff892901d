"""`manage.py changepassword [USERNAME]`: Django's command (asked twice, checked by the password
validators, three tries), but the new password is saved through `user_password_set`, so that it
revokes the user's API tokens and is kept in their history like every other way of changing it.
(The accounts app comes before django.contrib.auth in INSTALLED_APPS, so this command is the one
`manage.py` runs.)"""

from __future__ import annotations

import getpass

from django.contrib.auth.management.commands import changepassword
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from aftersales.accounts.models import User
from aftersales.accounts.services import user_password_set

MAX_TRIES = 3


class Command(changepassword.Command):
    help = "Change a user's password; the user's API tokens are revoked with it."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "username", nargs="?", help="Username to change password for; by default, the current user."
        )

    def handle(self, *args, **options) -> str:
        username = options["username"] or getpass.getuser()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"user '{username}' does not exist")
        self.stdout.write(f"Changing password for user '{username}'")
        for _attempt in range(MAX_TRIES):
            password = self._get_pass()
            if password != self._get_pass("Password (again): "):
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            revoked = user.api_tokens.filter(revoked_at__isnull=True).count()
            user_password_set(user=user, password=password)
            return f"Password changed successfully for user '{username}'; {revoked} API token(s) revoked."
        raise CommandError(f"Aborting password change for user '{username}' after {MAX_TRIES} attempts")
