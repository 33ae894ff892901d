"""The filter widget of large sets (core.autocomplete, issue 9): it renders only the chosen rows,
labelled, scoped through its field, for single and multiple choice; every list page that filters
on a large set uses it, so a page does not grow with the engineers, points, customers or dealers."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Engineer
from aftersales.core.autocomplete import AutocompleteSelect, AutocompleteSelectMultiple, autocomplete_filter
from aftersales.core.lists import ListFilterSet
from aftersales.workorders.models import WorkOrder

from .. import factories as f

pytestmark = pytest.mark.django_db


class EngineersFilterSet(ListFilterSet):
    one = autocomplete_filter("engineers", model=Engineer, field_name="engineer", label="One")
    several = autocomplete_filter(
        "engineers", model=Engineer, field_name="engineer", label="Several", multiple=True
    )

    class Meta:
        model = WorkOrder
        fields = ["one", "several"]


def filterset_for(user, query: str) -> EngineersFilterSet:
    request = RequestFactory().get(f"/?{query}")
    request.user = user
    return EngineersFilterSet(request.GET, queryset=WorkOrder.objects.all(), request=request)


def options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', html)


def test_single_choice_renders_only_the_chosen_row_with_its_label(agent, world):
    filterset = filterset_for(agent, f"one={world.engineer_b.pk}")
    html = str(filterset.form["one"])
    assert options(html) == [("", "—"), (str(world.engineer_b.pk), world.engineer_b.user.display_name)]
    assert 'name="one"' in html and not re.search("<select[^>]* multiple", html) and "selected" in html
    assert f'data-autocomplete-url="{reverse("api-autocomplete-engineers")}"' in html
    assert isinstance(filterset.form.fields["one"].widget, AutocompleteSelect)
    # Nothing chosen: no row is read or rendered at all.
    assert options(str(filterset_for(agent, "").form["one"])) == [("", "—")]


def test_multiple_choice_renders_each_chosen_row_and_filters_by_any(agent, world):
    f.WorkOrderFactory(service_point=world.point_a, engineer=world.engineer_a)
    f.WorkOrderFactory(service_point=world.point_b, engineer=world.engineer_b)
    query = f"several={world.engineer_a.pk}&several={world.engineer_b.pk}"
    filterset = filterset_for(agent, query)
    html = str(filterset.form["several"])
    assert isinstance(filterset.form.fields["several"].widget, AutocompleteSelectMultiple)
    assert 'data-multiple="true"' in html and re.search("<select[^>]* multiple", html)
    assert [value for value, _ in options(html)] == [str(world.engineer_a.pk), str(world.engineer_b.pk)]
    assert filterset.qs.count() == 2


def test_r37_choices_are_the_users_scope(world):
    # Given dealer A's staff choosing dealer B's engineer
    filterset = filterset_for(world.staff_a, f"one={world.engineer_b.pk}")
    # Then the choice is refused and its label never rendered
    assert "one" in filterset.errors
    assert world.engineer_b.user.display_name not in str(filterset.form["one"])
    assert list(filterset.form.fields["one"].queryset) == [world.engineer_a]
    # and without a request (the API schema) there is no choice at all
    unbound = EngineersFilterSet(queryset=WorkOrder.objects.all())
    assert list(unbound.form.fields["one"].queryset) == []


def test_rendering_the_chosen_rows_costs_one_query_however_many_rows(
    agent, world, django_assert_max_num_queries
):
    for _ in range(30):
        f.EngineerFactory(service_point=world.point_a)
    query = "&".join(f"several={e.pk}" for e in Engineer.objects.all()[:10])
    form = filterset_for(agent, query).form
    assert form.is_valid()  # (validating the chosen ids is one query of its own)
    with django_assert_max_num_queries(1):
        html = str(form["several"])
    assert len(options(html)) == 10


# --- the list pages ----------------------------------------------------------------------------


def engineer_names(html: str, engineers) -> list[str]:
    return [e.user.display_name for e in engineers if e.user.display_name in html]


@pytest.fixture
def many_engineers(world):
    """50 engineers at dealer A's service point (their names all distinct)."""
    return [
        f.EngineerFactory(
            service_point=world.point_a,
            user=f.UserFactory(role=Role.ENGINEER, last_name="测", first_name=f"工程师{n:02d}号"),
        )
        for n in range(50)
    ]


@pytest.mark.parametrize(
    ("url_name", "role", "engineer_param"),
    [
        ("workorders:list", Role.DISPATCHER, "engineer"),
        ("field:supervision_list", Role.SUPERVISOR, "engineer"),
        ("feedback:list", Role.QUALITY, "engineer"),
        ("field:calendar", Role.DISPATCHER, "engineer"),
    ],
)
def test_list_pages_do_not_render_every_engineer(
    client, make_user, many_engineers, url_name, role, engineer_param
):
    # Given 50 engineers, one of them chosen in the filter
    chosen = many_engineers[7]
    client.force_login(make_user(role, username=f"u_{role}"))
    # When the list page opens
    response = client.get(reverse(url_name), {engineer_param: chosen.pk})
    assert response.status_code == 200
    html = response.content.decode()
    # Then only the chosen engineer's name is on it (the filter and the bulk assign list none)
    assert engineer_names(html, many_engineers) == [chosen.user.display_name]
    assert 'class="autocomplete"' in html


def test_work_order_list_filters_by_customer_and_names_it(client, agent, world):
    customer = f.CustomerFactory(name="宁波海天塑机有限公司")
    order = f.WorkOrderFactory(service_point=world.point_a, customer=customer)
    client.force_login(agent)
    response = client.get(reverse("workorders:list"), {"customer": customer.pk})
    assert [row.number for row in response.context["rows"]] == [order.number]
    assert f'<option value="{customer.pk}"' in response.content.decode()


def test_work_order_list_queries_do_not_grow_with_engineers_points_customers(
    client, dispatcher, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(dispatcher)
    url = reverse("workorders:list")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"engineer": world.engineer_a.pk}).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(20):
        point = f.ServicePointFactory(dealer=world.dealer_a)
        f.EngineerFactory(service_point=point)
        f.CustomerFactory()
    with django_assert_max_num_queries(few):
        client.get(url, {"engineer": world.engineer_a.pk})


def test_devices_list_filters_by_customer_with_the_combobox(client, agent):
    device = f.DeviceFactory()
    f.DeviceFactory()
    client.force_login(agent)
    response = client.get(reverse("devices:list"), {"customer": device.customer_id})
    assert [row.pk for row in response.context["rows"]] == [device.pk]
    html = response.content.decode()
    assert reverse("api-autocomplete-customers") in html
    assert device.customer.name in html


def test_r37_customer_list_offers_dealer_staff_only_their_dealer(client, world):
    client.force_login(world.staff_a)
    response = client.get(reverse("customers:list"), {"dealer": world.dealer_b.pk})
    html = response.content.decode()
    assert reverse("api-autocomplete-dealers") in html
    assert world.dealer_b.name not in html
    assert list(response.context["filterset"].form.fields["dealer"].queryset) == [world.dealer_a]
