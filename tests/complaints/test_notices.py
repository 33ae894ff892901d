"""What complaints and difficult cases tell people, in the reader's language (R26, R27, R41):
the notices under the bell and the staff's messages are stored as messages with parameters and
shown in each reader's language, the customer's messages stay in the company's language, and the
records' own histories say their steps when shown, rows written before keeping their text."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from aftersales.accounts.choices import Role
from aftersales.complaints.choices import Severity
from aftersales.complaints.models import CaseStep, ComplaintEvent
from aftersales.complaints.selectors import case_steps, complaint_history
from aftersales.complaints.services import case_open, case_transition, complaint_response_check
from aftersales.complaints.tables import case_history_rows, complaint_history_rows
from aftersales.notifications.models import Message, Notification
from tests.timeutil import at, frozen

pytestmark = pytest.mark.django_db


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return gettext(text)


@pytest.fixture
def readers(make_user):
    """An English-reading quality assessor and a Chinese-reading supervisor (the company's own)."""
    return (
        make_user(Role.QUALITY, username="quality_en", language="en", email="q@example.cn"),
        make_user(Role.SUPERVISOR, username="supervisor_zh", language="zh-hans", email="s@example.cn"),
    )


def shown(notice: Notification, language: str) -> tuple[str, str]:
    with translation.override(language):
        return notice.shown_title, notice.shown_body


def test_r26_the_new_complaint_notice_is_in_each_assessors_language(register, work_order, readers):
    quality_en, supervisor_zh = readers
    complaint = register(work_order, severity=Severity.SERIOUS)

    notices = {
        n.recipient: n for n in Notification.objects.filter(key=f"complaint:{complaint.pk}:registered")
    }
    assert set(notices) == {quality_en, supervisor_zh}  # the quality department and the supervisors
    customer = work_order.customer.name
    english = (
        f"New complaint {complaint.number} (Serious)",
        f"{customer}: 工程师态度恶劣. Response due 2026-03-02 18:00.",
    )
    chinese = (
        zh("New complaint %(number)s (%(severity)s)")
        % {"number": complaint.number, "severity": zh("Serious")},
        zh("%(customer)s: %(description)s. Response due %(due)s.")
        % {"customer": customer, "description": "工程师态度恶劣", "due": "2026-03-02 18:00"},
    )
    assert chinese[0].startswith("新投诉") and chinese != english
    assert (notices[quality_en].title, notices[quality_en].body) == english  # written for its reader
    assert (notices[supervisor_zh].title, notices[supervisor_zh].body) == chinese
    assert notices[quality_en].title_msgid == "New complaint %(number)s (%(severity)s)"
    assert shown(notices[supervisor_zh], "en") == english  # and shown in whatever language is read
    assert shown(notices[quality_en], "zh-hans") == chinese


def test_r26_the_complainant_is_acknowledged_in_the_companys_language(register, work_order, readers):
    complaint = register(work_order)

    sms = Message.objects.get(idempotency_key=f"complaint:{complaint.number}:ack")
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert sms.subject == zh("Your complaint %(number)s has been registered") % {"number": complaint.number}


def test_r26_response_alerts_are_in_each_readers_language(register, work_order, readers):
    quality_en, supervisor_zh = readers
    complaint = register(work_order, severity=Severity.CRITICAL)
    with frozen(at(2026, 3, 2, 12, 30)):
        complaint_response_check()
    with frozen(at(2026, 3, 2, 14, 5)):
        complaint_response_check()

    warning = Notification.objects.get(key=f"complaint:{complaint.pk}:warning")
    overdue = Notification.objects.get(key=f"complaint:{complaint.pk}:overdue")
    assert (warning.recipient, overdue.recipient) == (quality_en, supervisor_zh)
    assert warning.title == f"Complaint {complaint.number} (Critical) must be answered by 2026-03-02 14:00"
    values = {"number": complaint.number, "severity": zh("Critical"), "due": "2026-03-02 14:00"}
    assert (
        overdue.title
        == zh("Complaint %(number)s (%(severity)s) is overdue: no response since %(due)s") % values
    )
    assert (
        shown(overdue, "en")[0]
        == f"Complaint {complaint.number} (Critical) is overdue: no response since 2026-03-02 14:00"
    )


def test_r26_the_feedback_reaches_the_staff_in_their_language_and_the_customer_in_the_companys(
    register, advance, work_order, engineer, readers
):
    quality_en, supervisor_zh = readers
    engineer.user.language = "en"
    engineer.user.save()
    work_order.customer.email = "customer@example.cn"
    work_order.customer.save()
    complaint = advance(
        register(work_order, people=[engineer.user]), "accept", "analyse", "handle", "feed_back"
    )
    key = f"complaint:{complaint.pk}:feedback"

    notices = {n.recipient.username: n for n in Notification.objects.filter(key=key)}
    # the person involved and the company's supervisors (the engineer's point has none)
    assert set(notices) == {"eng", "supervisor_zh", "supervisor"}
    english_title = f"Result of complaint {complaint.number}"
    assert notices["eng"].title == english_title
    assert notices["eng"].body == (
        f"Complaint {complaint.number} (Service attitude) about {work_order.customer.name}. "
        "Cause: 工程师未按规范沟通. Measures: 批评教育并培训."
    )
    assert notices["supervisor_zh"].title == zh("Result of complaint %(number)s") % {
        "number": complaint.number
    }
    assert shown(notices["supervisor_zh"], "en")[0] == english_title
    mail = {m.idempotency_key: m for m in Message.objects.filter(idempotency_key__startswith=key)}
    assert mail[f"{key}:user-{engineer.user.pk}"].subject == english_title  # the staff's own language
    assert mail[f"{key}:user-{supervisor_zh.pk}"].subject == notices["supervisor_zh"].title
    chinese_subject = zh("Result of complaint %(number)s") % {"number": complaint.number}
    assert mail[f"{key}:customer-sms"].subject == mail[f"{key}:customer-email"].subject == chinese_subject


def test_r27_the_new_handler_reads_the_case_in_their_language(register, work_order, clerk, supervisor):
    clerk.language = "en"
    clerk.save()
    register(work_order)
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="重点客户")
    case_transition(case_id=case.pk, action="escalate", actor=clerk, handler=supervisor, note="需更换主板")

    first = Notification.objects.get(key=f"case:{case.pk}:handler:1")
    assert first.title == f"Difficult case {case.number} (work order {work_order.number}) is yours, level 1"
    second = Notification.objects.get(key=f"case:{case.pk}:handler:2")  # the supervisor reads Chinese
    values = {"number": case.number, "work_order": work_order.number, "level": 2}
    assert (
        second.title
        == zh("Difficult case %(number)s (work order %(work_order)s) is yours, level %(level)s") % values
    )
    assert (
        shown(second, "en")[0]
        == f"Difficult case {case.number} (work order {work_order.number}) is yours, level 2"
    )


# -- the records' own histories (R41) ----------------------------------------------------------------


def texts(rows) -> list[tuple[str, str, str]]:
    return [(step.action, text, step.note) for step, _title, text in rows]


def test_r26_r41_a_complaints_history_says_registration_and_alerts_in_the_readers_language(
    register, work_order, quality, hq_supervisor
):
    complaint = register(work_order, severity=Severity.CRITICAL)
    with frozen(at(2026, 3, 2, 12, 30)):
        complaint_response_check()
    with frozen(at(2026, 3, 2, 14, 5)):
        complaint_response_check()
    number = complaint.number

    assert texts(complaint_history_rows(complaint_history(complaint))) == [
        (
            "register",
            "Service attitude · Critical · response due 2026-03-02 14:00",
            "",
        ),  # no words of the user
        ("warn", f"Complaint {number} (Critical) must be answered by 2026-03-02 14:00", ""),
        ("escalate", f"Complaint {number} (Critical) is overdue: no response since 2026-03-02 14:00", ""),
    ]
    registered = ComplaintEvent.objects.get(complaint=complaint, action="register")
    assert registered.params["severity"] == {"msgid": "Critical"}
    with translation.override("zh-hans"):
        (_event, _title, text), *_ = complaint_history_rows([registered])
    values = {"category": zh("Service attitude"), "severity": zh("Critical"), "due": "2026-03-02 14:00"}
    assert text == zh("%(category)s · %(severity)s · response due %(due)s") % values


def test_r27_r41_a_cases_opening_names_its_criteria_in_the_readers_language(
    register, work_order, clerk, supervisor
):
    register(work_order)
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="重点客户")
    case_transition(case_id=case.pk, action="start", actor=clerk)

    assert texts(case_history_rows(case_steps(case))) == [
        ("open", "Criteria met: Complaint linked", "重点客户"),  # the note is the user's own words
        ("start", "", ""),
    ]
    with translation.override("zh-hans"):
        assert texts(case_history_rows(case_steps(case)))[0][1] == (
            zh("Criteria met: %(reasons)s") % {"reasons": zh("Complaint linked")}
        )


def test_r41_history_rows_written_before_steps_had_parameters_keep_their_text(
    client, register, work_order, quality, clerk, supervisor
):
    """Rows are never rewritten (append-only): an old row's text is its note, shown as written."""
    complaint = register(work_order)
    old = ComplaintEvent.objects.create(
        complaint=complaint,
        action="register",
        to_state=complaint.state,
        note="服务态度 · 一般 · 响应期限 2026-03-04 18:00",
    )
    case = case_open(work_order=work_order, handler=clerk, actor=supervisor, note="重点客户")
    old_step = CaseStep.objects.create(
        case=case, action="open", to_state=case.state, level=1, handler=clerk, note="投诉关联\n重点客户"
    )

    assert texts(complaint_history_rows([old])) == [
        ("register", "", "服务态度 · 一般 · 响应期限 2026-03-04 18:00")
    ]
    assert texts(case_history_rows([old_step])) == [("open", "", "投诉关联\n重点客户")]
    client.force_login(quality)
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    assert "服务态度 · 一般 · 响应期限 2026-03-04 18:00" in page  # the old row
    assert "Service attitude · General · response due 2026-03-04 18:00" in page  # the new one, in English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(f"/complaints/{complaint.pk}/").content.decode()
    values = {"category": zh("Service attitude"), "severity": zh("General"), "due": "2026-03-04 18:00"}
    assert zh("%(category)s · %(severity)s · response due %(due)s") % values in page


def test_r26_the_history_api_says_each_step_in_the_readers_language(
    api_client, register, work_order, quality
):
    complaint = register(work_order)

    [row] = api_client(quality).get(f"/api/complaints/{complaint.pk}/history/").json()

    assert (row["action"], row["text"], row["note"]) == (
        "register",
        "Service attitude · General · response due 2026-03-04 18:00",
        "",
    )
