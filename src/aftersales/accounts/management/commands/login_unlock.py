"""`manage.py login_unlock [USERNAME] [--ip ADDRESS] [--all]`: lift sign-in lock-outs from the
command line (e.g. when no administrator can sign in): a name from every address, an address for
every name, or both; `--all` lifts every one."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aftersales.accounts.selectors import login_throttles_matching
from aftersales.accounts.services_login import login_unlock


class Command(BaseCommand):
    help = "Unlock sign-ins locked out after too many failures (by username, IP address, or all)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?", default="", help="The username tried.")
        parser.add_argument("--ip", default="", help="The IP address the sign-ins came from.")
        parser.add_argument("--all", action="store_true", help="Unlock every name and address.")

    def handle(self, *args, **options) -> None:
        username, ip_address = options["username"], options["ip"]
        if not (username or ip_address or options["all"]):
            raise CommandError("Name a username, an --ip address, or --all.")
        throttles = login_throttles_matching(username=username, ip_address=ip_address)
        count = login_unlock(throttles=throttles, actor="manage.py login_unlock")
        self.stdout.write(f"{count} unlocked")
