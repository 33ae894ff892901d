"""Dealer accounts (R28-R31, R37, R41): HQ finance's list of balances and limits, an account's
ledger with its filters, pages and Excel, finance's payment, credit limit and reversal, the
monthly statement (对账单) with exact opening and closing balances as a page, print view, PDF and
Excel, and the same through the API; a dealer's staff see only their own account."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aftersales.accounts.choices import Role
from aftersales.parts.choices import EntryKind
from aftersales.parts.models import AccountEntry, DealerAccount
from aftersales.parts.selectors_dealers import statement_for
from aftersales.parts.services.accounts import account_of, entry_post
from aftersales.parts.services.dealer_accounts import payment_record

from ..api.helpers import assert_problem
from ..timeutil import at, frozen

pytestmark = pytest.mark.django_db


def _rows(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


@pytest.fixture
def ledger(world, finance):
    """Dealer A: ¥1,000.00 bought in October, ¥400.00 paid on 3 November, ¥250.50 bought on
    20 November, ¥80.25 reimbursed on 1 December; dealer B owes ¥99.00."""
    a = world.dealer_a
    with frozen(at(2026, 10, 10, 9)):
        entry_post(
            dealer=a, kind=EntryKind.ADJUSTMENT, amount=Decimal("1000.00"), actor=finance, reason="期初欠款"
        )
    with frozen(at(2026, 11, 3, 10)):
        payment_record(dealer=a, amount="400.00", actor=finance, reference="BANK-1103", note="银行转账")
    with frozen(at(2026, 11, 20, 15)):
        entry_post(
            dealer=a, kind=EntryKind.ADJUSTMENT, amount=Decimal("250.50"), actor=finance, reason="配件补差"
        )
    with frozen(at(2026, 12, 1, 0, 0)):
        entry_post(
            dealer=a, kind=EntryKind.ADJUSTMENT, amount=Decimal("-80.25"), actor=finance, reason="保修报销"
        )
    with frozen(at(2026, 11, 5, 9)):
        entry_post(dealer=world.dealer_b, kind=EntryKind.ADJUSTMENT, amount=Decimal("99.00"), actor=finance)
    return world


def test_r28_the_statement_opens_and_closes_exactly_on_the_months_entries(ledger):
    november = statement_for(ledger.dealer_a, at(2026, 11, 1).date())
    assert november.opening == Decimal("1000.00")
    assert [entry.amount for entry in november.entries] == [Decimal("-400.00"), Decimal("250.50")]
    assert november.debits == Decimal("250.50") and november.credits == Decimal("400.00")
    assert november.closing == Decimal("850.50") == november.opening + november.debits - november.credits
    # the next month opens where this one closed; the entry at midnight of 1 December is December's
    december = statement_for(ledger.dealer_a, at(2026, 12, 1).date())
    assert december.opening == november.closing and december.closing == Decimal("770.25")
    # a month with no entries opens and closes on the same balance; one before any entry at zero
    january = statement_for(ledger.dealer_a, at(2027, 1, 1).date())
    assert january.opening == january.closing == Decimal("770.25") and january.entries == []
    september = statement_for(ledger.dealer_a, at(2026, 9, 1).date())
    assert september.opening == september.closing == Decimal("0.00")


def test_r28_the_statement_page_print_view_pdf_and_excel(ledger, client, finance):
    from django.conf import settings

    client.force_login(finance)
    url = reverse("parts:account_statement", args=[ledger.dealer_a.pk])
    page = client.get(url, {"month": "2026-11"}).content.decode()
    assert "¥1,000.00" in page and "¥850.50" in page and "BANK-1103" in page and "期初欠款" not in page

    rows = _rows(client.get(url, {"month": "2026-11", "export": "xlsx"}))
    opening, *entries, totals, closing = rows[1:]
    assert float(opening[6]) == 1000 and float(closing[6]) == 850.5
    assert [float(row[5] or row[4]) for row in entries] == [400, 250.5]
    assert float(totals[4]) == 250.5 and float(totals[5]) == 400

    printed = client.get(
        reverse("parts:account_statement_print", args=[ledger.dealer_a.pk]), {"month": "2026-11"}
    )
    assert printed.status_code == 200 and "¥850.50" in printed.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    pdf = client.get(
        reverse("parts:account_statement_print", args=[ledger.dealer_a.pk]),
        {"month": "2026-11", "format": "pdf"},
    )
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert ledger.dealer_a.name in text and "银行转账" in text and "¥850.50" in text
    assert "捌佰伍拾元伍角" in text  # the closing balance in words


def test_r28_a_bad_month_is_a_message_not_an_error(ledger, client, finance):
    client.force_login(finance)
    page = client.get(
        reverse("parts:account_statement", args=[ledger.dealer_a.pk]), {"month": "2026-13"}, follow=True
    )
    assert page.status_code == 200 and "YYYY-MM" in page.content.decode()


def test_r28_hq_finance_lists_every_account_with_its_limit_and_who_is_over_it(ledger, client, finance):
    DealerAccount.objects.filter(dealer=ledger.dealer_b).update(credit_limit=Decimal("50.00"))
    client.force_login(finance)
    url = reverse("parts:account_list")
    page = client.get(url).content.decode()
    assert ledger.dealer_a.name in page and ledger.dealer_b.name in page and "¥770.25" in page
    over = client.get(url, {"over_limit": "true"}).content.decode()
    assert ledger.dealer_b.name in over and ledger.dealer_a.name not in over
    rows = _rows(client.get(url, {"export": "xlsx", "ordering": "-balance"}))
    assert [row[0] for row in rows[1:3]] == [ledger.dealer_a.name, ledger.dealer_b.name]


def test_r28_the_ledger_filters_by_kind_and_day_pages_and_exports(ledger, client, finance):
    client.force_login(finance)
    url = reverse("parts:account_detail", args=[ledger.dealer_a.pk])
    page = client.get(url).content.decode()
    assert "¥770.25" in page and 'data-testid="payment-form"' in page
    payments = client.get(url, {"kind": "payment"}).content.decode()
    assert "BANK-1103" in payments and "配件补差" not in payments
    november = client.get(url, {"posted_after": "2026-11-01", "posted_before": "2026-11-30"}).content.decode()
    assert "配件补差" in november and "期初欠款" not in november and "保修报销" not in november
    rows = _rows(client.get(url, {"export": "xlsx", "kind": "adjustment"}))
    assert len(rows) == 4 and {row[6] for row in rows[1:]} == {"期初欠款", "配件补差", "保修报销"}


def test_r28_finance_records_a_payment_and_sets_the_limit_on_the_page(ledger, client, finance):
    client.force_login(finance)
    dealer = ledger.dealer_b
    client.post(
        reverse("parts:account_payment", args=[dealer.pk]), {"amount": "99.00", "reference": "BANK-1"}
    )
    entry = AccountEntry.objects.filter(account__dealer=dealer).first()
    assert (
        entry.kind == EntryKind.PAYMENT and entry.amount == Decimal("-99.00") and entry.posted_by == finance
    )
    assert account_of(dealer).balance == Decimal("0.00")
    refused = client.post(reverse("parts:account_payment", args=[dealer.pk]), {"amount": "0"}, follow=True)
    assert refused.status_code == 200 and AccountEntry.objects.filter(account__dealer=dealer).count() == 2

    client.post(reverse("parts:account_credit_limit", args=[dealer.pk]), {"credit_limit": "3000"})
    assert account_of(dealer).credit_limit == Decimal("3000.00")
    page = client.get(reverse("parts:account_detail", args=[dealer.pk])).content.decode()
    assert 'data-testid="limit-history"' in page and "3000.00" in page
    client.post(reverse("parts:account_credit_limit", args=[dealer.pk]), {"credit_limit": ""})
    assert account_of(dealer).credit_limit is None


def test_r41_finance_reverses_an_entry_once_with_a_reason(ledger, client, finance):
    client.force_login(finance)
    entry = AccountEntry.objects.get(reason="配件补差")
    url = reverse("parts:account_entry_reverse", args=[entry.pk])
    client.post(url, {"reason": ""})
    assert not AccountEntry.objects.filter(reverses=entry).exists()
    client.post(url, {"reason": "重复录入"})
    reversal = AccountEntry.objects.get(reverses=entry)
    assert (
        reversal.kind == EntryKind.REVERSAL
        and reversal.amount == Decimal("-250.50")
        and reversal.reason == "重复录入"
    )
    client.post(url, {"reason": "again"})
    assert AccountEntry.objects.filter(reverses=entry).count() == 1
    client.post(reverse("parts:account_entry_reverse", args=[reversal.pk]), {"reason": "撤销冲销"})
    assert not AccountEntry.objects.filter(reverses=reversal).exists()  # a reversal is not reversed


def test_r37_a_dealers_staff_see_their_own_account_only_and_keep_nothing(ledger, client):
    client.force_login(ledger.staff_b)
    own = client.get(reverse("parts:account_detail", args=[ledger.dealer_b.pk]))
    assert own.status_code == 200 and 'data-testid="payment-form"' not in own.content.decode()
    assert client.get(reverse("parts:account_statement", args=[ledger.dealer_b.pk])).status_code == 200
    for url, query in (
        (reverse("parts:account_detail", args=[ledger.dealer_a.pk]), {}),
        (reverse("parts:account_detail", args=[ledger.dealer_a.pk]), {"export": "xlsx"}),
        (reverse("parts:account_statement", args=[ledger.dealer_a.pk]), {"month": "2026-11"}),
        (
            reverse("parts:account_statement", args=[ledger.dealer_a.pk]),
            {"month": "2026-11", "export": "xlsx"},
        ),
        (reverse("parts:account_statement_print", args=[ledger.dealer_a.pk]), {"month": "2026-11"}),
        (
            reverse("parts:account_statement_print", args=[ledger.dealer_a.pk]),
            {"month": "2026-11", "format": "pdf"},
        ),
    ):
        assert client.get(url, query).status_code == 404, (url, query)
    entry = AccountEntry.objects.filter(account__dealer=ledger.dealer_a).first()
    assert (
        client.post(reverse("parts:account_entry_reverse", args=[entry.pk]), {"reason": "x"}).status_code
        == 404
    )
    # their own: no payment, no limit, no reversal
    client.post(reverse("parts:account_payment", args=[ledger.dealer_b.pk]), {"amount": "10"})
    client.post(reverse("parts:account_credit_limit", args=[ledger.dealer_b.pk]), {"credit_limit": "999999"})
    assert AccountEntry.objects.filter(account__dealer=ledger.dealer_b).count() == 1
    assert account_of(ledger.dealer_b).credit_limit is None
    rows = _rows(client.get(reverse("parts:account_list"), {"export": "xlsx"}))
    assert [row[0] for row in rows[1:]] == [ledger.dealer_b.name]


def test_r37_staff_outside_finance_do_not_read_dealer_accounts(ledger, client, make_user):
    client.force_login(make_user(Role.AGENT, username="agent_x"))
    assert client.get(reverse("parts:account_list")).status_code == 403
    assert client.get(reverse("parts:account_detail", args=[ledger.dealer_a.pk])).status_code == 403


# --- the API -------------------------------------------------------------------------------------------


def test_r28_the_account_api_balances_statement_payment_limit_and_reversal(ledger, api_client, finance):
    api = api_client(finance)
    accounts = api.get("/api/dealer-accounts/").json()["results"]
    assert {row["name"]: row["balance"] for row in accounts}[ledger.dealer_a.name] == "770.25"
    statement = api.get(f"/api/dealer-accounts/{ledger.dealer_a.pk}/statement/", {"month": "2026-11"}).json()
    assert (statement["opening"], statement["closing"]) == ("1000.00", "850.50")
    assert [e["amount"] for e in statement["entries"]] == ["-400.00", "250.50"]
    assert_problem(
        api.get(f"/api/dealer-accounts/{ledger.dealer_a.pk}/statement/", {"month": "11/2026"}),
        400,
        field="month",
    )

    paid = api.post(
        f"/api/dealer-accounts/{ledger.dealer_a.pk}/payments/",
        {"amount": "70.25", "reference": "B2"},
        format="json",
    )
    assert (
        paid.status_code == 201
        and paid.json()["amount"] == "-70.25"
        and paid.json()["balance_after"] == "700.00"
    )
    assert_problem(
        api.post(f"/api/dealer-accounts/{ledger.dealer_a.pk}/payments/", {"amount": "-5"}, format="json"),
        400,
        field="amount",
    )
    limited = api.post(
        f"/api/dealer-accounts/{ledger.dealer_a.pk}/credit-limit/", {"credit_limit": "500.00"}, format="json"
    )
    assert limited.json()["credit_limit"] == "500.00" and limited.json()["over_limit"] is True

    entries = api.get("/api/account-entries/", {"dealer": ledger.dealer_a.pk, "kind": "payment"}).json()
    assert entries["count"] == 2
    reversed_ = api.post(
        f"/api/account-entries/{paid.json()['id']}/reverse/", {"reason": "退回"}, format="json"
    )
    assert reversed_.status_code == 201 and reversed_.json()["amount"] == "70.25"
    assert_problem(
        api.post(f"/api/account-entries/{paid.json()['id']}/reverse/", {"reason": "x"}, format="json"),
        400,
        code="already_reversed",
    )
    assert_problem(
        api.post(f"/api/account-entries/{paid.json()['id']}/reverse/", {}, format="json"), 400, field="reason"
    )


def test_r37_the_account_api_is_scoped_to_the_dealer(ledger, api_client):
    api = api_client(ledger.staff_b)
    assert [row["id"] for row in api.get("/api/dealer-accounts/").json()["results"]] == [ledger.dealer_b.pk]
    assert_problem(api.get(f"/api/dealer-accounts/{ledger.dealer_a.pk}/"), 404)
    assert_problem(api.get(f"/api/dealer-accounts/{ledger.dealer_a.pk}/statement/"), 404)
    assert api.get("/api/account-entries/", {"dealer": ledger.dealer_a.pk}).json()["count"] == 0
    entry = AccountEntry.objects.filter(account__dealer=ledger.dealer_a).first()
    assert_problem(api.get(f"/api/account-entries/{entry.pk}/"), 404)
    assert_problem(
        api.post(f"/api/dealer-accounts/{ledger.dealer_b.pk}/payments/", {"amount": "1"}, format="json"), 403
    )
    assert_problem(api_client(ledger.engineer_a.user).get("/api/dealer-accounts/"), 403)
