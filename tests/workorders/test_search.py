"""Finding work orders by what the customer said (issue 12): a fixed Chinese corpus searched on
SQLite (FTS5) and PostgreSQL (tsvector + GIN) alike, through the list, the global search page and
the API; words kept up to date by the services; scoped like the lists (R37)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.workorders.models import WorkOrder, WorkOrderSearch
from aftersales.workorders.search import INDEX
from aftersales.workorders.services import note_add, workorder_update
from tests import factories as f

pytestmark = pytest.mark.django_db

CORPUS = {
    "fuser": {"fault_symptom": "定影组件异响，打印有黑线", "error_messages": "E-302"},
    "jam": {"fault_symptom": "卡纸，显示错误代码E302", "error_messages": ""},
    "copier": {"fault_symptom": "复印机进纸器卡纸", "error_messages": ""},
    "aircon": {"fault_symptom": "空调不制冷", "error_messages": "", "contact_name": "陈英"},
    "script": {"fault_symptom": "<script>alert(1)</script>定影发烫", "error_messages": ""},
}


@pytest.fixture
def corpus(world):
    orders = {
        name: f.WorkOrderFactory(service_point=world.point_a, **fields) for name, fields in CORPUS.items()
    }
    return type("Corpus", (), {**orders, "world": world})


def list_numbers(client, q: str) -> set[str]:
    response = client.get(reverse("workorders:list"), {"q": q})
    assert response.status_code == 200
    return {wo.number for wo in response.context["rows"]}


def numbers(*orders: WorkOrder) -> set[str]:
    return {wo.number for wo in orders}


def test_a_two_character_word_finds_the_work_orders_that_say_it(client, agent, corpus):
    client.force_login(agent)
    assert list_numbers(client, "定影") == numbers(corpus.fuser, corpus.script)
    world = corpus.world  # its two work orders say 开机后卡纸
    assert list_numbers(client, "卡纸") == numbers(corpus.jam, corpus.copier, world.order_a, world.order_b)
    assert list_numbers(client, "制冷") == numbers(corpus.aircon)


def test_fault_codes_match_however_they_are_written(client, agent, corpus):
    client.force_login(agent)
    for written in ("E-302", "e302", "E302", "e 302", "Ｅ３０２"):
        assert list_numbers(client, written) == numbers(corpus.fuser, corpus.jam), written


def test_every_word_must_match_else_any_word_does(client, agent, corpus):
    client.force_login(agent)
    assert list_numbers(client, "复印机 卡纸") == numbers(corpus.copier)
    # no work order holds both: the list shows those holding either rather than nothing
    assert list_numbers(client, "空调 异响") == numbers(corpus.aircon, corpus.fuser)


def test_a_person_named_at_intake_is_found_by_name(client, agent, corpus):
    client.force_login(agent)
    assert list_numbers(client, "陈英") == numbers(corpus.aircon)


def test_the_api_list_searches_the_same_words(api_client, agent, corpus):
    response = api_client(agent).get("/api/workorders/", {"q": "定影"})
    assert response.status_code == 200
    assert {row["number"] for row in response.json()["results"]} == numbers(corpus.fuser, corpus.script)


def test_ranking_puts_the_work_order_holding_more_of_the_words_first(corpus):
    from aftersales.core.search import query_parse

    keys = INDEX.ranked(query_parse("定影 异响 黑线"))
    assert keys[0] == corpus.fuser.pk


def test_notes_edits_and_findings_are_searched_once_written(agent, corpus):
    note_add(work_order=corpus.aircon, actor=agent, body="客户说压缩机有焦味")
    assert set(WorkOrder.objects.filter(INDEX.condition("焦味"))) == {corpus.aircon}
    corpus.jam.refresh_from_db()
    version = corpus.jam.version
    workorder_update(
        work_order_id=corpus.jam.pk,
        actor=agent,
        expected_version=version,
        fault_category="搓纸轮磨损",
    )
    assert set(WorkOrder.objects.filter(INDEX.condition("搓纸轮"))) == {corpus.jam}
    assert not WorkOrder.objects.filter(INDEX.condition("压缩机")).exclude(pk=corpus.aircon.pk).exists()


def test_a_deleted_work_order_leaves_no_words_behind(corpus):
    pk = corpus.copier.pk
    WorkOrderSearch.objects.filter(work_order_id=pk).delete()
    assert not WorkOrder.objects.filter(INDEX.condition("复印机")).exists()


def test_the_global_search_jumps_to_a_whole_number(client, agent, corpus):
    client.force_login(agent)
    response = client.get(reverse("workorders:search"), {"q": corpus.jam.number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:detail", args=[corpus.jam.pk])


def test_the_global_search_lists_ranked_hits_with_escaped_highlights(client, agent, corpus):
    client.force_login(agent)
    response = client.get(reverse("workorders:search"), {"q": "定影"})
    assert response.status_code == 200
    hits = [hit.work_order for hit in response.context["results"].work_orders]
    assert set(hits) == {corpus.fuser, corpus.script}
    page = response.content.decode()
    assert "<mark>定影</mark>组件异响" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>定影</mark>" in page
    assert "<script>alert(1)" not in page


def test_the_global_search_finds_customers_and_devices_too(client, agent, corpus):
    customer = f.CustomerFactory(name="星河电子有限公司")
    device = f.DeviceFactory(customer=customer, serial_number="CNB7K12345")
    client.force_login(agent)
    results = client.get(reverse("workorders:search"), {"q": "星河电子"}).context["results"]
    assert customer in results.customers
    results = client.get(reverse("workorders:search"), {"q": "CNB7K"}).context["results"]
    assert device in results.devices


def test_the_global_search_says_when_nothing_is_found(client, agent, corpus):
    client.force_login(agent)
    response = client.get(reverse("workorders:search"), {"q": "洗衣机"})
    assert 'data-testid="search-empty"' in response.content.decode()


def test_r37_search_stays_in_the_users_scope(client, api_client, corpus):
    """Dealer B's staff find nothing of dealer A's, not even by its whole number."""
    world = corpus.world
    client.force_login(world.staff_b)
    assert client.get(reverse("workorders:search"), {"q": "定影"}).context["results"].work_orders == []
    response = client.get(reverse("workorders:search"), {"q": corpus.fuser.number})
    assert response.status_code == 200 and response.context["results"].empty
    client.force_login(world.staff_a)
    hits = client.get(reverse("workorders:search"), {"q": "定影"}).context["results"].work_orders
    assert {hit.work_order for hit in hits} == {corpus.fuser, corpus.script}
    body = api_client(world.staff_b).get("/api/search/", {"q": "定影"}).json()
    assert body["work_orders"] == [] and body["jump"] is None


def test_the_search_api_gives_hits_and_the_jump(api_client, agent, corpus):
    client = api_client(agent)
    body = client.get("/api/search/", {"q": "e-302"}).json()
    assert {row["number"] for row in body["work_orders"]} == numbers(corpus.fuser, corpus.jam)
    assert all("<mark>" in row["snippet"] for row in body["work_orders"])
    body = client.get("/api/search/", {"q": corpus.jam.number}).json()
    assert body["jump"].endswith(f"/api/workorders/{corpus.jam.pk}/") and body["work_orders"] == []
    response = client.get("/api/search/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"


def test_the_search_costs_the_same_whatever_the_number_of_work_orders(
    client, agent, corpus, django_assert_max_num_queries
):
    client.force_login(agent)
    client.get(reverse("workorders:search"), {"q": "定影"})
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("workorders:search"), {"q": "定影"})
    for _ in range(20):
        f.WorkOrderFactory(service_point=corpus.world.point_a, fault_symptom="定影组件异响")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("workorders:search"), {"q": "定影"})


def test_an_engineer_finds_only_the_work_of_their_point(client, corpus, make_user):
    engineer = corpus.world.engineer_b
    assert engineer.user.role == Role.ENGINEER
    client.force_login(engineer.user)
    hits = client.get(reverse("workorders:search"), {"q": "卡纸"}).context["results"].work_orders
    assert [hit.work_order for hit in hits] == [corpus.world.order_b]  # not point A's 卡纸 orders


def test_a_common_word_is_tested_row_by_row_with_the_same_result(corpus):
    """More matches than `ids_up_to` are not read as ids but tested for each row (on PostgreSQL a
    scalar subquery, never hashed over every match): the same work orders either way."""
    as_ids = set(WorkOrder.objects.filter(INDEX.condition("卡纸")))
    row_by_row = set(WorkOrder.objects.filter(INDEX.condition("卡纸", ids_up_to=1)))
    assert as_ids == row_by_row and len(as_ids) == 4
    either = set(WorkOrder.objects.filter(INDEX.condition("空调 异响", ids_up_to=1)))
    assert either == {corpus.aircon, corpus.fuser}
    assert not WorkOrder.objects.filter(INDEX.condition("洗衣机", ids_up_to=1)).exists()
