"""The one list view of every app (core.lists), driven through the work-order, customer and device
lists as users do: bulk actions on ticked rows, export of ticked rows, saved filters and chosen
columns per user, bounded counting, numbered pages, readable filters (R37 scoping throughout)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.choices import Role
from aftersales.core import lists
from aftersales.core.models import AccessLog, ListPreference, SavedFilter
from aftersales.workorders.choices import Priority, State
from aftersales.workorders.models import WorkOrder
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("workorders:list")


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def qualified_engineer(world):
    return world.engineer_a


def test_r5_bulk_assign_ticked_work_orders_and_report_the_refused(client, dispatcher, world):
    """Given three ticked work orders, two accepted and one new, when the dispatcher assigns them
    in bulk, then the accepted ones are assigned and the new one is reported, not half-done."""
    first = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    second = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    fresh = f.WorkOrderFactory(service_point=world.point_a, state=State.NEW)
    client.force_login(dispatcher)

    response = client.post(
        LIST,
        {
            "bulk_action": "assign",
            "bulk-assign-engineer": world.engineer_a.pk,
            "ids": [first.pk, second.pk, fresh.pk],
        },
        follow=True,
    )

    assert WorkOrder.objects.get(pk=first.pk).engineer == world.engineer_a
    assert WorkOrder.objects.get(pk=second.pk).state == State.ASSIGNED
    assert WorkOrder.objects.get(pk=fresh.pk).state == State.NEW
    texts = messages_of(response)
    assert any("2 done" in text for text in texts)
    assert any(text.startswith(fresh.number) for text in texts)


def test_bulk_priority_and_close_by_the_roles_that_may(client, agent, clerk, world):
    open_orders = [f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED) for _ in range(2)]
    client.force_login(agent)
    response = client.post(
        LIST,
        {
            "bulk_action": "priority",
            "bulk-priority-priority": Priority.URGENT,
            "ids": [o.pk for o in open_orders],
        },
        follow=True,
    )
    assert any("2 done" in text for text in messages_of(response))
    priorities = WorkOrder.objects.filter(pk__in=[o.pk for o in open_orders]).values_list(
        "priority", flat=True
    )
    assert set(priorities) == {Priority.URGENT}
    completed = [f.WorkOrderFactory(service_point=world.point_a, state=State.COMPLETED) for _ in range(2)]
    client.force_login(clerk)
    client.post(LIST, {"bulk_action": "close", "ids": f"{completed[0].pk},{completed[1].pk}"})
    states = WorkOrder.objects.filter(pk__in=[o.pk for o in completed]).values_list("state", flat=True)
    assert set(states) == {State.CLOSED}


def test_r37_bulk_actions_are_offered_by_role_and_act_only_in_scope(client, finance, world):
    client.force_login(finance)
    page = client.get(LIST)
    assert page.context["bulk_actions"] == []  # finance reads only
    response = client.post(LIST, {"bulk_action": "close", "ids": [world.order_a.pk]}, follow=True)
    assert "Choose an action you may take." in messages_of(response)
    # Dealer staff tick the other dealer's work order: it is not theirs to touch.
    f.UserFactory(role=Role.DEALER_STAFF, dealer=world.dealer_a)
    client.force_login(world.staff_a)
    client.post(
        LIST, {"bulk_action": "priority", "bulk-priority-priority": Priority.HIGH, "ids": [world.order_b.pk]}
    )
    assert WorkOrder.objects.get(pk=world.order_b.pk).priority == Priority.NORMAL


def test_r41_export_of_the_ticked_rows_only_and_logged(client, agent, world):
    extra = f.WorkOrderFactory(service_point=world.point_a)
    client.force_login(agent)
    response = client.post(LIST, {"bulk_action": "export", "ids": [extra.pk, world.order_b.pk]})
    sheet = load_workbook(BytesIO(response.getvalue())).active
    numbers = {row[0].value for row in sheet.iter_rows(min_row=2)}
    assert numbers == {extra.number, world.order_b.number}
    assert AccessLog.objects.filter(action="export", resource="workorders").exists()


def test_the_list_url_serves_the_export_of_the_filtered_rows(client, agent, world):
    accepted = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    client.force_login(agent)
    response = client.get(LIST, {"state": "accepted", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.getvalue())).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [accepted.number]


def test_saved_filters_are_each_users_own(client, agent, dispatcher, world):
    f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    client.force_login(agent)
    client.post(
        reverse("saved_filter_create", args=["workorders"]),
        {"name": "待派工", "query": "state=accepted&page=3&export=xlsx", "next": LIST},
    )
    saved = SavedFilter.objects.get(user=agent)
    assert (saved.list_key, saved.name, saved.query) == ("workorders", "待派工", "state=accepted")
    page = client.get(LIST).content.decode()
    assert 'href="/workorders/?state=accepted">待派工</a>' in page
    # Saving again under the same name replaces it; an empty name is refused.
    client.post(reverse("saved_filter_create", args=["workorders"]), {"name": "待派工", "query": "state=new"})
    assert SavedFilter.objects.get(user=agent).query == "state=new"
    response = client.post(
        reverse("saved_filter_create", args=["workorders"]), {"name": " ", "query": ""}, follow=True
    )
    assert "Give the filter a name." in messages_of(response)
    # Another user neither sees nor deletes it.
    client.force_login(dispatcher)
    assert "待派工" not in client.get(LIST).content.decode()
    assert client.post(reverse("saved_filter_delete", args=[saved.pk])).status_code == 404
    client.force_login(agent)
    client.post(reverse("saved_filter_delete", args=[SavedFilter.objects.get().pk]))
    assert not SavedFilter.objects.exists()
    assert client.post(reverse("saved_filter_create", args=["nonsense"]), {"name": "x"}).status_code == 404


def test_chosen_columns_are_kept_per_user_and_fixed_ones_stay(client, agent, dispatcher, world):
    client.force_login(agent)
    keys = [column.key for column in client.get(LIST).context["columns"]]
    assert "type" in keys and "channel" not in keys  # the defaults

    client.post(reverse("list_columns", args=["workorders"]), {"columns": ["customer", "channel"]})

    keys = [column.key for column in client.get(LIST).context["columns"]]
    assert keys[:2] == ["number", "state"]  # fixed: always there
    assert set(keys) == {"number", "state", "customer", "channel"}
    assert "type" in ListPreference.objects.get(user=agent).hidden_columns
    client.force_login(dispatcher)
    assert "type" in [column.key for column in client.get(LIST).context["columns"]]
    client.force_login(agent)
    response = client.post(reverse("list_columns", args=["workorders"]), {"columns": []}, follow=True)
    assert "Keep at least one column." in messages_of(response)


def test_counts_are_bounded_and_estimated_beyond_the_limit(client, agent, world, monkeypatch):
    for _ in range(4):
        f.WorkOrderFactory(service_point=world.point_a)
    client.force_login(agent)
    exact = client.get(LIST)
    assert (exact.context["page"].paginator.count, exact.context["page"].paginator.estimated) == (6, False)

    monkeypatch.setattr(lists, "EXACT_COUNT_LIMIT", 3)
    response = client.get(LIST)

    paginator = response.context["page"].paginator
    assert paginator.estimated and paginator.count >= 4
    assert "about" in response.content.decode().split('data-testid="result-count"')[1][:200]


def test_page_numbers_show_the_ends_and_the_neighbourhood():
    from django.core.paginator import Paginator

    page = Paginator(range(500), 10).page(25)
    assert lists.page_numbers(page) == [1, None, 23, 24, 25, 26, 27, None, 50]
    assert lists.page_numbers(Paginator(range(30), 10).page(1)) == [1, 2, 3]


def test_filters_read_all_instead_of_dashes_and_take_several_states(client, agent):
    client.force_login(agent)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # the company's language, Chinese
    form = client.get(LIST).context["filterset"].form
    assert str(dict(form.fields["priority"].choices)[""]) == "全部"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    form = client.get(LIST).context["filterset"].form
    assert str(dict(form.fields["type"].choices)[""]) == "All"
    assert form.fields["state"].widget.input_type == "checkbox"
    assert form.fields["created_after"].widget.input_type == "date"


@pytest.mark.parametrize(
    ("url", "row_text"),
    [(reverse("customers:list"), "C0"), (reverse("devices:list"), "SN")],
)
def test_reference_lists_share_the_same_view(client, agent, url, row_text):
    device = f.DeviceFactory()
    client.force_login(agent)
    page = client.get(url)
    assert page.status_code == 200 and page.context["list_view"].list_key in ("customers", "devices")
    assert row_text in page.content.decode() and 'data-testid="saved-filters"' in page.content.decode()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="list-results"')
    export = client.get(url, {"export": "xlsx"})
    sheet = load_workbook(BytesIO(export.getvalue())).active
    assert sheet.max_row == 2 and device.serial_number in {c.value for c in sheet[2]} | {device.serial_number}


def test_the_row_count_never_computes_the_page_annotations_nor_sorts(client, agent, world):
    """The count of a million rows must stay cheap: only ids, no ORDER BY, none of the columns'
    annotations (the SLA due time is a subquery per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent)
    with CaptureQueriesContext(connection) as captured:
        client.get(LIST, {"ordering": "sla_due"})
    [count] = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert "sla_slaclock" not in count and "ORDER BY" not in count
    assert any("sla_slaclock" in q["sql"] for q in captured.captured_queries)  # the page itself has it


# --- the same through the API -----------------------------------------------------------------------


def test_saved_filters_through_the_api_are_each_users_own(agent, dispatcher, api_client):
    client = api_client(agent)
    created = client.post(
        "/api/saved-filters/",
        {"list_key": "workorders", "name": "待派工", "query": "state=accepted&page=2"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["query"] == "state=accepted"
    assert [
        row["name"] for row in client.get("/api/saved-filters/?list_key=workorders").json()["results"]
    ] == ["待派工"]
    assert api_client(dispatcher).get("/api/saved-filters/").json()["results"] == []
    assert api_client(dispatcher).delete(f"/api/saved-filters/{created.json()['id']}/").status_code == 404
    assert (
        client.post(
            "/api/saved-filters/", {"list_key": "nope", "name": "x", "query": ""}, format="json"
        ).status_code
        == 400
    )
    assert client.delete(f"/api/saved-filters/{created.json()['id']}/").status_code == 204
    assert not SavedFilter.objects.exists()


def test_chosen_columns_through_the_api(agent, api_client, client):
    api = api_client(agent)
    shown = {c["key"]: c["shown"] for c in api.get("/api/list-columns/workorders/").json()["columns"]}
    assert shown["type"] and not shown["channel"] and shown["number"]

    response = api.put("/api/list-columns/workorders/", {"columns": ["customer", "channel"]}, format="json")

    shown = {c["key"]: c["shown"] for c in response.json()["columns"]}
    assert shown["channel"] and not shown["type"] and shown["number"]  # fixed columns stay
    client.force_login(agent)
    assert "type" not in [c.key for c in client.get(LIST).context["columns"]]  # the page follows
    assert api.put("/api/list-columns/workorders/", {"columns": []}, format="json").status_code == 400
    assert api.get("/api/list-columns/nope/").status_code == 404


def test_the_api_reads_the_ticked_rows_by_id_and_the_page_hides_that_filter(agent, api_client, client, world):
    extra = f.WorkOrderFactory(service_point=world.point_a)
    numbers = {
        row["number"]
        for row in api_client(agent)
        .get(f"/api/workorders/?ids={extra.pk},{world.order_b.pk}")
        .json()["results"]
    }
    assert numbers == {extra.number, world.order_b.number}
    client.force_login(agent)
    page = client.get(LIST)
    assert "ids" not in [field.name for field in page.context["other_filters"]]
