"""R25: the return-visit report per period, by engineer, service point and product line, for
sales, marketing, the technical department and management: page, Excel and PDF (the page's and,
the same document, the API's)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from aftersales.core.models import AccessLog
from aftersales.feedback.choices import AttemptResult, ReturnVisitState
from aftersales.feedback.models import ReturnVisit
from aftersales.feedback.report import return_visit_report
from aftersales.feedback.services import return_visit_call_failed, return_visit_record
from tests.timeutil import at, frozen

from .. import factories as f
from ..api.helpers import assert_problem

pytestmark = pytest.mark.django_db


def scores(overall: int, skill: int = 4) -> dict[str, int]:
    return dict(
        score_timeliness=5, score_skill=skill, score_attitude=5, score_effectiveness=4, score_overall=overall
    )


@pytest.fixture
def october(completed, engineer, quality, agent):
    """October 2026: 赵工 (printers) praised once, one unsatisfied customer, one unreachable;
    钱工 at another service point (copiers) one satisfied customer; one visit made in November."""
    printers, copiers = f.ProductLineFactory(name="激光打印机"), f.ProductLineFactory(name="数码复印机")
    other = f.EngineerFactory(
        service_point=f.ServicePointFactory(name="杭州西湖服务网点"),
        user__last_name="钱",
        user__first_name="工",
    )
    f.QualificationFactory(engineer=engineer, product_line=printers)
    f.QualificationFactory(engineer=other, product_line=copiers)

    def visit(by, line) -> ReturnVisit:
        work_order = completed(
            at(2026, 10, 12, 10, 0), by=by, product_model=f.ProductModelFactory(product_line=line)
        )
        return ReturnVisit.objects.get(work_order=work_order, state=ReturnVisitState.PENDING)

    praised, unhappy, unreachable, happy, later = (
        visit(engineer, printers),
        visit(engineer, printers),
        visit(engineer, printers),
        visit(other, copiers),
        visit(other, copiers),
    )
    with frozen(at(2026, 10, 14, 10, 0)):
        return_visit_record(
            visit_id=praised.pk, actor=quality, **scores(5), praise="赵工很专业", other_needs="需要延保报价"
        )
        return_visit_record(visit_id=unhappy.pk, actor=agent, **scores(2, skill=2), comment="仍有异响")
        return_visit_call_failed(visit_id=unreachable.pk, actor=quality, result=AttemptResult.WRONG_NUMBER)
        return_visit_record(visit_id=happy.pk, actor=quality, **scores(4))
    with frozen(at(2026, 11, 2, 10, 0)):
        return_visit_record(visit_id=later.pk, actor=agent, **scores(1))
    return type("October", (), dict(engineer=engineer, other=other, printers=printers, copiers=copiers))


def by_label(rows):
    return {row.label: row for row in rows}


def test_r25_report_counts_by_engineer_service_point_and_product_line(october, quality):
    report = return_visit_report(quality, start=date(2026, 10, 1), end=date(2026, 10, 31))
    total = report.total
    assert (total.done, total.unreachable, total.finished, total.satisfied) == (3, 1, 4, 2)
    assert total.satisfaction_rate == 66.7 and total.praise == 1 and total.complaints == 0
    assert total.reach_rate == 75.0
    engineers = by_label(report.by["engineer"])
    zhao, qian = engineers["赵工"], engineers["钱工"]
    assert (zhao.done, zhao.unreachable, zhao.praise, zhao.overall, zhao.skill) == (2, 1, 1, 3.5, 3.0)
    assert zhao.satisfaction_rate == 50.0
    assert (qian.done, qian.overall, qian.satisfaction_rate) == (1, 4.0, 100.0)  # November not counted
    assert by_label(report.by["service_point"])["杭州西湖服务网点"].done == 1
    lines = by_label(report.by["product_line"])
    assert lines["激光打印机"].finished == 3 and lines["数码复印机"].finished == 1
    assert [v.praise for v in report.praise] == ["赵工很专业"]
    assert [v.comment for v in report.unsatisfied] == ["仍有异响"]
    assert [v.other_needs for v in report.other_needs] == ["需要延保报价"]


def test_r25_report_is_scoped_to_what_the_user_sees(october, make_user):
    """Dealer staff see only their own dealer's service points (R37)."""
    dealer = october.other.service_point.dealer
    staff = f.UserFactory(role="dealer_staff", dealer=dealer, username="dealer_x")
    report = return_visit_report(staff, start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert report.total.finished == 1
    assert [row.label for row in report.by["engineer"]] == ["钱工"]


def test_r25_report_page_has_a_tab_per_audience(client, october, quality):
    client.force_login(quality)
    response = client.get(reverse("feedback:report"), {"month": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    for audience in ("management", "technical", "sales", "marketing"):
        assert f'data-testid="report-audience-{audience}"' in html
    assert "2026-10-01 – 2026-10-31" in html and "赵工很专业" in html and "需要延保报价" in html
    assert 'data-testid="report-finished">4<' in html
    response = client.get(reverse("feedback:report"), {"start": "2026-10-01", "end": "2026-11-30"})
    assert 'data-testid="report-finished">5<' in response.content.decode()
    response = client.get(reverse("feedback:report"), {"start": "2026-10-31", "end": "2026-10-01"})
    assert "The range ends before it starts." in response.content.decode()


def test_r25_report_as_excel(client, october, quality):
    client.force_login(quality)
    response = client.get(reverse("feedback:report_export"), {"month": "2026-10"})
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Grouped by", "Name", "Finished")
    zhao = next(row for row in rows if row[0] == "Engineer" and row[1] == "赵工")
    assert zhao[2:5] == (3, 2, 1) and zhao[-3:] == (50.0, 1, 0)
    assert rows[-1][0] == "Total" and rows[-1][2] == 4


def test_r25_report_as_pdf_has_the_chinese_title(client, october, quality):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(quality)
    response = client.get(reverse("feedback:report_print"), {"month": "2026-10", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "return-visits-20261001-20261031.pdf" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\n", "")  # table cells may wrap
    with translation.override("zh-hans"):
        title = gettext("Return-visit report")
    for label in (title, "工程师", "服务网点", "赵工", "激光打印机", "杭州西湖服务网点", "赵工很专业"):
        assert label in text, label
    print_view = client.get(reverse("feedback:report_print"), {"month": "2026-10"})
    assert print_view.status_code == 200 and 'data-testid="doc-pdf"' in print_view.content.decode()


def test_r25_the_report_pdf_over_the_api_is_the_print_views_and_logged_r41(api_client, october, quality):
    response = api_client(quality).get(
        "/api/return-visits/report/print/", {"month": "2026-10"}, HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert "return-visits-20261001-20261031.pdf" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\n", "")
    for label in ("赵工", "钱工", "激光打印机", "杭州西湖服务网点", "赵工很专业"):
        assert label in text, label
    entry = AccessLog.objects.get(actor=quality, action=AccessLog.Action.EXPORT, resource="document")
    assert entry.detail == "return-visits-20261001-20261031.pdf"


def test_the_report_pdf_over_the_api_refuses_a_bad_period_400_and_other_roles_403(
    api_client, october, quality, finance
):
    """The report is for the return-visit roles (HQ's, who see every service point), as its page."""
    response = api_client(quality).get("/api/return-visits/report/print/", {"month": "2026-13"})
    assert_problem(response, 400, field="month")
    dealer_staff = f.UserFactory(role="dealer_staff", dealer=october.other.service_point.dealer)
    for user in (finance, dealer_staff):
        assert_problem(api_client(user).get("/api/return-visits/report/print/"), 403)
    assert not AccessLog.objects.filter(resource="document").exists()
