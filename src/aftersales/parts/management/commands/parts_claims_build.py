"""`manage.py parts_claims_build [--month 2026-11]`: build a month's warranty reimbursement claims by
hand (R31), e.g. after the monthly job missed its day; the previous month by default. Running it
again changes nothing."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aftersales.core.errors import DomainError
from aftersales.parts.services.claims import claims_build, previous_month


class Command(BaseCommand):
    help = "Build the warranty reimbursement claims of a month (default: the previous month)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", help="The month, e.g. 2026-11 (default: the previous month).")

    def handle(self, *args, **options) -> None:
        text = options.get("month")
        try:
            month = datetime.strptime(text, "%Y-%m").date() if text else previous_month(timezone.localdate())
        except ValueError as error:
            raise CommandError("--month is a month such as 2026-11") from error
        try:
            claims = claims_build(month=month)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{month:%Y-%m}: {len(claims)} claims built or added to")
        for claim in claims:
            self.stdout.write(f"  {claim.number} {claim.dealer} {claim.claimed_total}")
