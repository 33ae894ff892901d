"""The organisation in the Django admin (R37, R38): dealers, service points, engineers and their
qualifications are written through services_org, as the API writes them: phones in E.164, regions
and newly chosen dealers checked, the history kept (R41), rows still in use kept. A refusal shows
on the form (or as a message) with nothing saved, never a server error."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer, Engineer, Qualification, ServicePoint
from aftersales.core.models import ChangeRecord
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    """The test client signed in as an HQ superuser."""
    client.force_login(f.UserFactory(username="root", role=Role.HQ_ADMIN, is_staff=True, is_superuser=True))
    return client


def history(instance) -> list[tuple[str, str, str]]:
    rows = ChangeRecord.objects.filter(
        content_type__model=type(instance)._meta.model_name, object_id=instance.pk
    ).order_by("id")
    return [(row.field, row.old_value, row.new_value) for row in rows]


def form_data(client, url: str) -> dict:
    """What the browser would post back unchanged: the admin form's values, inlines included."""
    page = client.get(url)
    assert page.status_code == 200
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- dealers -------------------------------------------------------------------------------------


def test_r37_r41_a_dealer_added_in_the_admin_has_its_phone_in_e164_and_its_history(root):
    data = {**form_data(root, "/admin/accounts/dealer/add/"), "code": "D-HZ", "name": "杭州经销商"}
    response = root.post("/admin/accounts/dealer/add/", {**data, "phone": "138 0013 8000"})
    assert response.status_code == 302, response.content.decode()
    dealer = Dealer.objects.get(code="D-HZ")
    assert dealer.phone == "+8613800138000"
    assert ("phone", "", "+8613800138000") in history(dealer)
    actors = ChangeRecord.objects.filter(object_id=dealer.pk).values_list("actor__username", flat=True)
    assert set(actors) == {"root"}


def test_r41_a_dealer_changed_in_the_admin_is_in_the_history(root):
    dealer = f.DealerFactory(code="D-HZ", name="杭州经销商", phone="+8613800138000")
    url = f"/admin/accounts/dealer/{dealer.pk}/change/"
    response = root.post(url, {**form_data(root, url), "name": "杭州服务商"})
    assert response.status_code == 302, response.content.decode()
    assert history(dealer) == [("name", "杭州经销商", "杭州服务商")]  # the unchanged phone is not


def test_r37_a_bad_phone_shows_on_the_dealer_form_and_saves_nothing(root):
    data = {**form_data(root, "/admin/accounts/dealer/add/"), "code": "D-X", "name": "X", "phone": "12345"}
    response = root.post("/admin/accounts/dealer/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["phone"] == ["Enter a valid phone number."]
    assert not Dealer.objects.filter(code="D-X").exists()


def test_r37_deleting_a_dealer_still_in_use_shows_why_and_deletes_nothing(root, world):
    url = f"/admin/accounts/dealer/{world.dealer_a.pk}/delete/"
    assert "protected" not in root.get(url).content.decode()  # the service decides, not Django's list
    response = root.post(url, {"post": "yes"})
    assert response.status_code == 302 and response["Location"].endswith(f"/{world.dealer_a.pk}/change/")
    assert any("deactivate it instead" in message for message in messages_of(response))
    assert Dealer.objects.filter(pk=world.dealer_a.pk).exists()
    assert history(world.dealer_a) == []


def test_r37_r41_deleting_an_unused_dealer_in_the_admin_keeps_it_in_the_history(root):
    unused = f.DealerFactory(code="D-NEW", name="新经销商")
    response = root.post(f"/admin/accounts/dealer/{unused.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Dealer.objects.filter(pk=unused.pk).exists()
    assert ("name", "新经销商", "") in history(unused)


def test_r37_deleting_selected_dealers_is_all_or_nothing_through_the_service(root, world):
    unused = f.DealerFactory(code="D-NEW", name="新经销商")
    chosen = {"action": "delete_selected", "_selected_action": [unused.pk, world.dealer_a.pk]}
    assert root.post("/admin/accounts/dealer/", chosen).status_code == 200  # the confirmation
    response = root.post("/admin/accounts/dealer/", {**chosen, "post": "yes"})
    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith("Nothing was deleted:") and "deactivate it instead" in message
    assert Dealer.objects.filter(pk__in=[unused.pk, world.dealer_a.pk]).count() == 2
    assert history(unused) == []

    root.post("/admin/accounts/dealer/", {**chosen, "_selected_action": [unused.pk], "post": "yes"})
    assert not Dealer.objects.filter(pk=unused.pk).exists()
    assert ("name", "新经销商", "") in history(unused)


# --- service points ------------------------------------------------------------------------------


def point_form(root, dealer: Dealer, **values) -> dict:
    data = form_data(root, "/admin/accounts/servicepoint/add/")
    fields = {"code": "SP-HZ", "name": "杭州西湖网点", "dealer": dealer.pk, "province": "浙江省"}
    return {**data, **fields, "city": "杭州市", "district": "西湖区", **values}


def test_r37_a_service_point_with_an_invalid_region_shows_a_form_error_and_saves_nothing(root, world):
    response = root.post("/admin/accounts/servicepoint/add/", point_form(root, world.dealer_a, city="南京市"))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"city"}
    assert not ServicePoint.objects.filter(code="SP-HZ").exists()


def test_r37_r41_a_service_point_added_and_its_product_lines_changed_in_the_admin(root, world):
    printers, copiers = f.ProductLineFactory(name="打印机"), f.ProductLineFactory(name="复印机")
    data = point_form(root, world.dealer_a, phone="0571 8765 4321", product_lines=[printers.pk, copiers.pk])
    response = root.post("/admin/accounts/servicepoint/add/", data)
    assert response.status_code == 302, response.content.decode()
    point = ServicePoint.objects.get(code="SP-HZ")
    assert point.phone == "+8657187654321"
    assert set(point.product_lines.all()) == {printers, copiers}

    url = f"/admin/accounts/servicepoint/{point.pk}/change/"
    response = root.post(url, {**form_data(root, url), "product_lines": [printers.pk]})
    assert response.status_code == 302, response.content.decode()
    assert list(point.product_lines.all()) == [printers]
    assert history(point)[-1][0] == "product_lines" and history(point)[-1][2] == "打印机"


def test_r37_a_deactivated_dealer_newly_chosen_for_a_point_is_refused_on_the_form(root, world):
    world.dealer_b.is_active = False
    world.dealer_b.save()
    url = f"/admin/accounts/servicepoint/{world.point_a.pk}/change/"
    response = root.post(url, {**form_data(root, url), "dealer": world.dealer_b.pk, "name": "改名"})
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["dealer"]
    assert "is deactivated" in error
    world.point_a.refresh_from_db()
    assert world.point_a.dealer == world.dealer_a and world.point_a.name != "改名"
    assert history(world.point_a) == []

    # a point kept with its dealer after the dealer was deactivated may still be edited
    world.dealer_a.is_active = False
    world.dealer_a.save()
    assert root.post(url, {**form_data(root, url), "name": "改名"}).status_code == 302
    assert history(world.point_a) == [("name", world.point_a.name, "改名")]


# --- engineers and their qualifications (R38) ----------------------------------------------------


def test_r38_an_inactive_user_is_refused_as_a_new_engineer_on_the_form(root, world):
    user = f.UserFactory(username="leaver", role=Role.ENGINEER, is_active=False)
    data = form_data(root, "/admin/accounts/engineer/add/")
    data.update(user=user.pk, service_point=world.point_a.pk, employee_no="E-9", is_active="on")
    response = root.post("/admin/accounts/engineer/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == ["leaver's account is deactivated."]
    assert not Engineer.objects.filter(employee_no="E-9").exists()

    user.is_active = True
    user.save()
    assert root.post("/admin/accounts/engineer/add/", data).status_code == 302
    assert ("employee_no", "", "E-9") in history(Engineer.objects.get(employee_no="E-9"))


def test_r38_r41_an_engineer_moved_in_the_admin_is_in_the_history(root, world):
    f.QualificationFactory(engineer=world.engineer_a)
    other = f.ServicePointFactory(dealer=world.dealer_a, name="新网点")
    url = f"/admin/accounts/engineer/{world.engineer_a.pk}/change/"
    response = root.post(url, {**form_data(root, url), "service_point": other.pk})
    assert response.status_code == 302, response.content.decode()
    assert history(world.engineer_a) == [("service_point", world.point_a.name, "新网点")]


def test_r38_the_engineers_qualifications_are_read_only_inline(root, world):
    qualification = f.QualificationFactory(engineer=world.engineer_a)
    page = root.get(f"/admin/accounts/engineer/{world.engineer_a.pk}/change/")
    [inline] = page.context["inline_admin_formsets"]
    assert not (inline.has_add_permission or inline.has_change_permission or inline.has_delete_permission)
    assert f"/admin/accounts/qualification/{qualification.pk}/change/" in page.content.decode()


def test_r38_r41_a_qualification_added_in_the_admin_is_in_the_history(root, world):
    line = f.ProductLineFactory(name="打印机")
    data = form_data(root, "/admin/accounts/qualification/add/")
    data.update(engineer=world.engineer_a.pk, product_line=line.pk, certified_on="2026-01-01")
    refused = root.post("/admin/accounts/qualification/add/", {**data, "expires_on": "2025-12-31"})
    assert refused.status_code == 200 and "expires_on" in refused.context["adminform"].form.errors
    assert not Qualification.objects.exists()

    response = root.post("/admin/accounts/qualification/add/", {**data, "expires_on": "2028-12-31"})
    assert response.status_code == 302, response.content.decode()
    qualification = Qualification.objects.get()
    assert qualification.expires_on == date(2028, 12, 31)
    assert ("product_line", "", "打印机") in history(qualification)

    url = f"/admin/accounts/qualification/{qualification.pk}/delete/"
    assert root.post(url, {"post": "yes"}).status_code == 302
    assert not Qualification.objects.exists()
    assert ("expires_on", "2028-12-31", "") in history(qualification)
