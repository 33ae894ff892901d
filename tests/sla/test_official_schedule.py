"""R34: the official holiday schedule of years the `chinese_calendar` package does not know (it
stops at 2026): imported by HQ admins from Excel or CSV (all rows or none) or one day at a time,
counted by the SLA arithmetic, and which rule a year follows (package, imported, weekends only).
Every test freezes the clock: none depends on today's date."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.errors import NotPermitted
from aftersales.core.excel import xlsx_bytes
from aftersales.sla.calendar import WorkingTime, holiday_source
from aftersales.sla.choices import HolidaySource
from aftersales.sla.importing import official_days_import
from aftersales.sla.models import OfficialDay
from aftersales.sla.selectors import holiday_source as source_of
from aftersales.sla.selectors import next_year_schedule_missing, schedule_years_missing, working_time_for
from aftersales.sla.services import official_day_set
from tests import factories as f
from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db

NATIONAL_DAY_2027 = [date(2027, 10, 1) + timedelta(days=n) for n in range(7)]  # Fri 10-01 .. Thu 10-07
CSV_2027 = (
    "date,kind,name\n"
    + "".join(f"{day.isoformat()},holiday,国庆节\n" for day in NATIONAL_DAY_2027)
    + "2027-10-09,workday,国庆节调休\n"
)


@pytest.fixture
def admin(make_user):
    return make_user(Role.HQ_ADMIN, username="hq")


def csv_upload(text: str, name: str = "schedule.csv", encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list], headers=("date", "kind", "name")) -> SimpleUploadedFile:
    content = xlsx_bytes(title="schedule", headers=list(headers), rows=rows)
    return SimpleUploadedFile("schedule.xlsx", content)


# -- the source of a year's holidays and the arithmetic --------------------------------------


def test_r34_source_is_the_package_for_2026_and_weekends_only_beyond():
    assert holiday_source(date(2026, 10, 1)) == HolidaySource.PACKAGE
    assert holiday_source(date(2027, 10, 1)) == HolidaySource.WEEKENDS
    assert holiday_source(date(2027, 10, 1), {2027}) == HolidaySource.IMPORTED
    assert WorkingTime.standard(use_public_holidays=False).holiday_source(date(2026, 1, 1)) == "weekends"


def test_r34_a_year_nobody_knows_falls_back_to_weekends_only(admin):
    """2027 is not in the package and nothing is imported: National Day is a working day, the
    selector says so (weekends-only fallback)."""
    with frozen(at(2027, 9, 20, 10)):
        assert source_of(date(2027, 10, 1)) == HolidaySource.WEEKENDS
        calendar = working_time_for()
        assert calendar.is_working_day(date(2027, 10, 1))  # a Friday
        assert not calendar.is_working_day(date(2027, 10, 9))  # a Saturday
        due = calendar.add_business_time(at(2027, 9, 30, 17), timedelta(hours=2))
        assert due == at(2027, 10, 1, 10)


def test_r34_imported_days_count_in_the_sla_arithmetic(admin):
    report = official_days_import(upload=csv_upload(CSV_2027), actor=admin)
    assert report.ok and report.imported == 8
    assert source_of(date(2027, 3, 1)) == HolidaySource.IMPORTED
    calendar = working_time_for()
    assert not calendar.is_working_day(date(2027, 10, 1))
    assert calendar.is_working_day(date(2027, 10, 9))  # the make-up Saturday
    # 2 working hours from Thursday 30 September 17:00: one hour that day, the next one after the
    # seven days of holiday, on Friday 8 October.
    due = calendar.add_business_time(at(2027, 9, 30, 17), timedelta(hours=2))
    assert due == at(2027, 10, 8, 10)
    assert source_of(date(2028, 1, 1)) == HolidaySource.WEEKENDS


def test_r34_a_service_point_calendar_follows_the_imported_days_too(admin):
    from aftersales.sla.services import working_calendar_create

    point = f.ServicePointFactory()
    hours = {weekday: [(time(8), time(17))] for weekday in range(5)}
    working_calendar_create(name="own", service_point=point, weekly_hours=hours)
    official_day_set(day=date(2027, 10, 9), kind="workday", name="国庆节调休", actor=admin)
    assert working_time_for(point).spans(date(2027, 10, 9)) == ((at(2027, 10, 9, 8), at(2027, 10, 9, 17)),)
    assert source_of(date(2027, 1, 1), point) == HolidaySource.IMPORTED


# -- one day -------------------------------------------------------------------------------------


def test_r34_one_day_is_added_or_replaced(admin):
    official_day_set(day=date(2027, 10, 1), kind="holiday", name=" 国庆节 ", actor=admin)
    official_day_set(day=date(2027, 10, 1), kind="holiday", name="国庆节(修正)", actor=admin)
    assert list(OfficialDay.objects.values_list("date", "name")) == [(date(2027, 10, 1), "国庆节(修正)")]


def test_r34_a_year_the_package_knows_is_refused(admin):
    with pytest.raises(ValidationError) as error:
        official_day_set(day=date(2026, 10, 1), kind="holiday", name="国庆节", actor=admin)
    assert error.value.error_dict["date"][0].code == "official_year_known"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.QUALITY])
def test_r34_only_hq_admins_change_the_schedule(make_user, role):
    with pytest.raises(NotPermitted):
        official_day_set(day=date(2027, 10, 1), kind="holiday", name="国庆节", actor=make_user(role))
    with pytest.raises(NotPermitted):
        official_days_import(upload=csv_upload(CSV_2027), actor=make_user(role, username="x"))
    assert not OfficialDay.objects.exists()


# -- import ----------------------------------------------------------------------------------------


def test_r34_import_from_excel_with_chinese_headers_and_words(admin):
    upload = xlsx_upload(
        [[date(2027, 2, 6), "休", "春节"], ["2027/2/20", "补班", "春节调休"]],
        headers=("日期", "类型", "名称"),
    )
    report = official_days_import(upload=upload, actor=admin)
    assert report.ok, report.errors
    assert list(OfficialDay.objects.values_list("date", "kind")) == [
        (date(2027, 2, 6), "holiday"),
        (date(2027, 2, 20), "workday"),
    ]


def test_r34_import_csv_in_gb18030(admin):
    report = official_days_import(upload=csv_upload(CSV_2027, encoding="gb18030"), actor=admin)
    assert report.imported == 8
    assert OfficialDay.objects.get(date=date(2027, 10, 1)).name == "国庆节"


def test_r34_one_bad_row_saves_nothing_and_each_bad_row_is_named(admin):
    text = (
        "date,kind,name\n"
        "2027-10-01,holiday,国庆节\n"  # row 2: fine
        "2027-10-32,holiday,国庆节\n"  # row 3: no such date
        "2027-10-03,vacation,国庆节\n"  # row 4: unknown kind
        "2027-10-04,holiday,\n"  # row 5: no name
        "2027-10-01,holiday,国庆节\n"  # row 6: twice
        "2026-10-01,holiday,国庆节\n"  # row 7: the package knows 2026
    )
    report = official_days_import(upload=csv_upload(text), actor=admin)
    assert report.imported == 0 and not OfficialDay.objects.exists()
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "date"),
        (4, "kind"),
        (5, "name"),
        (6, "date"),
        (7, "date"),
    ]
    assert "row 2" in report.errors[3].message


def test_r34_import_file_problems(admin):
    missing = official_days_import(upload=csv_upload("date,name\n2027-10-01,国庆节\n"), actor=admin)
    assert missing.errors[0].row == 1 and "kind" in missing.errors[0].message
    garbage = official_days_import(upload=SimpleUploadedFile("x.xlsx", b"not a workbook"), actor=admin)
    assert garbage.errors[0].row is None
    empty = official_days_import(upload=csv_upload("date,kind,name\n"), actor=admin)
    assert empty.errors and not empty.imported


# -- the banner --------------------------------------------------------------------------------


def test_r34_banner_from_november_when_next_year_is_unknown(client, admin):
    """Frozen at 2026-11-05 and 2027-11-05: the package knows 2026 but neither it nor the database
    knows 2027 or 2028."""
    with frozen(at(2026, 11, 5, 9)):
        client.force_login(admin)
        assert next_year_schedule_missing(date(2026, 11, 5)) == 2027
        html = client.get(reverse("workorders:list")).content.decode()
    assert re.findall(r'data-testid="official-schedule-banner" data-year="(\d+)"', html) == ["2027"]
    with frozen(at(2026, 10, 31, 23)):
        client.force_login(admin)
        assert b"official-schedule-banner" not in client.get(reverse("workorders:list")).content
    official_day_set(day=date(2027, 1, 1), kind="holiday", name="元旦", actor=admin)
    with frozen(at(2027, 11, 5, 9)):
        client.force_login(admin)
        assert next_year_schedule_missing(date(2027, 11, 5)) == 2028
        html = client.get(reverse("workorders:list")).content.decode()
    assert re.findall(r'data-testid="official-schedule-banner" data-year="(\d+)"', html) == ["2028"]


def test_r34_banner_all_year_while_the_current_year_is_unknown(client, admin):
    with frozen(at(2027, 3, 1, 9)):
        client.force_login(admin)
        assert schedule_years_missing(date(2027, 3, 1)) == [2027]
        html = client.get(reverse("workorders:list")).content.decode()
    assert re.findall(r'data-testid="official-schedule-banner" data-year="(\d+)"', html) == ["2027"]
    assert schedule_years_missing(date(2027, 11, 5)) == [2027, 2028]


def test_r34_banner_goes_once_a_holiday_of_next_year_is_imported(client, admin):
    official_day_set(day=date(2028, 1, 1), kind="holiday", name="元旦", actor=admin)
    official_day_set(day=date(2027, 1, 1), kind="holiday", name="元旦", actor=admin)
    with frozen(at(2027, 11, 5, 9)):
        client.force_login(admin)
        assert next_year_schedule_missing(date(2027, 11, 5)) is None
        assert b"official-schedule-banner" not in client.get(reverse("workorders:list")).content


def test_r34_banner_only_for_admins_and_not_for_years_the_package_knows(client, supervisor):
    with frozen(at(2027, 11, 5, 9)):
        client.force_login(supervisor)
        assert b"official-schedule-banner" not in client.get(reverse("workorders:list")).content
    assert next_year_schedule_missing(date(2025, 11, 5)) is None  # the package knows 2026
    assert schedule_years_missing(date(2025, 11, 5)) == []


# -- the calendar page ----------------------------------------------------------------------------


def test_r34_calendar_page_shows_each_years_source(client, admin):
    official_day_set(day=date(2028, 1, 1), kind="holiday", name="元旦", actor=admin)
    with frozen(at(2026, 11, 5, 9)):
        client.force_login(admin)
        page = client.get(reverse("sla:calendar") + "?year=2028")
    html = page.content.decode()
    assert 'data-testid="holiday-source-2026" data-source="package"' in html
    assert 'data-testid="holiday-source-2027" data-source="weekends"' in html
    assert 'data-testid="holiday-source-2028" data-source="imported"' in html
    assert "Fallback: weekends only" in html
    assert 'data-date="2028-01-01" data-kind="holiday"' in html
    assert 'data-testid="official-import-form"' in html


def test_r34_calendar_page_is_read_only_for_others(client, supervisor):
    with frozen(at(2027, 3, 1, 9)):
        client.force_login(supervisor)
        page = client.get(reverse("sla:calendar"))
    assert page.status_code == 200 and b"official-import-form" not in page.content
    assert 'data-source="weekends"' in page.content.decode()
    client.force_login(supervisor)
    assert client.post(reverse("sla:official_day_add"), {}).status_code == 403
    assert client.post(reverse("sla:official_schedule_import"), {}).status_code == 403


def test_r34_add_one_day_from_the_page(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("sla:official_day_add"), {"date": "2027-10-09", "kind": "workday", "name": "国庆节调休"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    refused = client.post(
        reverse("sla:official_day_add"), {"date": "2026-10-09", "kind": "workday", "name": "x"}
    )
    assert refused.status_code == 200
    assert b"already has the official schedule of 2026" in refused.content
    assert OfficialDay.objects.count() == 1


def test_r34_import_from_the_page_reports_rows(client, admin):
    client.force_login(admin)
    bad = client.post(
        reverse("sla:official_schedule_import"),
        {"file": csv_upload("date,kind,name\n2027-10-01,holiday,国庆节\n2027-10-02,xx,国庆节\n")},
    )
    assert b'data-testid="import-error" data-row="3" data-column="kind"' in bad.content
    assert not OfficialDay.objects.exists()
    good = client.post(reverse("sla:official_schedule_import"), {"file": csv_upload(CSV_2027)})
    assert b'data-imported="8"' in good.content
    wrong_type = client.post(
        reverse("sla:official_schedule_import"), {"file": SimpleUploadedFile("a.txt", b"x")}
    )
    assert b"Upload an Excel (.xlsx) or CSV file." in wrong_type.content
    template = client.get(reverse("sla:official_schedule_template"))
    assert template.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(template.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["date", "kind", "name"]


# -- the API ----------------------------------------------------------------------------------


def test_r34_api_adds_lists_and_refuses(api_client, admin, supervisor):
    client = api_client(admin)
    created = client.post(
        "/api/official-days/", {"date": "2027-10-01", "kind": "holiday", "name": "国庆节"}, format="json"
    )
    assert created.status_code == 201 and created.json()["kind"] == "holiday"
    known = client.post(
        "/api/official-days/", {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"}, format="json"
    )
    assert known.status_code == 400
    assert known.json()["errors"][0] == {
        "field": "date",
        "code": "official_year_known",
        "message": known.json()["errors"][0]["message"],
    }
    bad_kind = client.post(
        "/api/official-days/", {"date": "2027-10-02", "kind": "x", "name": "a"}, format="json"
    )
    assert bad_kind.status_code == 400 and bad_kind.json()["errors"][0]["field"] == "kind"
    denied = api_client(supervisor).post(
        "/api/official-days/", {"date": "2027-10-02", "kind": "holiday", "name": "a"}, format="json"
    )
    assert denied.status_code == 403 and denied.json()["errors"][0]["code"] == "permission_denied"
    listed = api_client(supervisor).get("/api/official-days/?year=2027").json()
    assert [row["date"] for row in listed] == ["2027-10-01"]
    assert api_client(supervisor).get("/api/official-days/?year=2028").json() == []


def test_r34_api_import_all_or_nothing(api_client, admin):
    client = api_client(admin)
    bad = client.post(
        "/api/official-days/import/",
        {"file": csv_upload("date,kind,name\n2027-10-01,holiday,国庆节\n2027-13-01,holiday,x\n")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"field": "rows[3].date", "code": "import_row_invalid", "message": bad.json()["errors"][0]["message"]}
    ]
    assert not OfficialDay.objects.exists()
    missing = client.post(
        "/api/official-days/import/", {"file": csv_upload("date\n2027-10-01\n")}, format="multipart"
    )
    assert missing.json()["errors"][0]["code"] == "import_file_invalid"
    good = client.post("/api/official-days/import/", {"file": csv_upload(CSV_2027)}, format="multipart")
    assert good.status_code == 201 and good.json() == {"rows": 8, "imported": 8}


def test_r34_api_source_of_a_date(api_client, supervisor):
    client = api_client(supervisor)
    assert client.get("/api/official-days/source/?date=2026-05-01").json()["source"] == "package"
    body = client.get("/api/official-days/source/?date=2027-05-01").json()
    assert body["source"] == "weekends" and body["year"] == 2027
    assert client.get("/api/official-days/source/?date=nope").status_code == 400


def test_r34_schema_documents_the_endpoints_and_errors(api_client, supervisor):
    schema = api_client(supervisor).get("/api/schema/?format=json").json()
    assert "/api/official-days/import/" in schema["paths"]
    assert "/api/official-days/source/" in schema["paths"]
    post = schema["paths"]["/api/official-days/import/"]["post"]
    assert {"201", "400", "403"} <= set(post["responses"])
    assert "`official_year_known`" in schema["info"]["description"]
