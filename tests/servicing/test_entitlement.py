"""R36: warranty entitlement decided per line, not per work order: the policy that applies (model
over line over everything, a regional variant over the national one), the date it counts from,
and for each kind of line whether it is covered and who pays, with the reason; the same answer on
the work-order page, in the API and in the repairs' warranty check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aftersales.catalog.choices import FeeKind, PartCategory
from aftersales.core.errors import NotPermitted
from aftersales.devices.choices import Payer, StartBasis
from aftersales.devices.entitlement import entitlement_for
from aftersales.devices.models import WarrantyPolicy
from aftersales.servicing.choices import ExclusionReason, WarrantyState
from aftersales.servicing.services import (
    purchase_proof_record,
    warranty_exclusion_record,
    warranty_override_record,
)
from aftersales.servicing.warranty import warranty_check, work_order_entitlement

from .. import factories as f
from ..timeutil import at, travelling

pytestmark = pytest.mark.django_db

BOUGHT = date(2026, 3, 1)


@pytest.fixture
def order(make_order, device):
    device.purchase_date = BOUGHT
    device.save()
    return make_order()


def covered(entitlement) -> dict[str, bool]:
    return {f"{line.kind}:{line.part_category}".rstrip(":"): line.covered for line in entitlement.lines}


def test_r36_standard_cover_covers_the_work_but_not_wear_parts_consumables_or_travel(order):
    entitlement = entitlement_for(order, day=date(2026, 9, 1))
    assert entitlement.in_warranty and entitlement.policy is None
    assert entitlement.until == date(2027, 2, 28)
    assert covered(entitlement) == {
        "diagnosis": True,
        "visit": True,
        "labour": True,
        "travel": False,
        "part:normal": True,
        "part:wear": False,
        "part:consumable": False,
    }
    labour = entitlement.cover(FeeKind.LABOUR)
    assert labour.payer == Payer.MANUFACTURER and "2027-02-28" in labour.reason
    wear = entitlement.cover(FeeKind.PART, PartCategory.WEAR)
    assert wear.payer == Payer.CUSTOMER and "not covered" in wear.reason
    assert entitlement.cover(FeeKind.PART).part_category == PartCategory.NORMAL  # a part by default


def test_r36_out_of_warranty_every_line_is_the_customers(order):
    entitlement = entitlement_for(order, day=date(2027, 3, 1))
    assert not entitlement.in_warranty and "ended on 2027-02-28" in entitlement.reason
    assert not any(covered(entitlement).values())
    assert {line.payer for line in entitlement.lines} == {Payer.CUSTOMER}


def test_r36_the_most_specific_policy_applies(order, line, model):
    WarrantyPolicy.objects.create(name="全线24个月", product_line=line, months=24, covers_wear_parts=True)
    entitlement = entitlement_for(order, day=date(2027, 6, 1))  # beyond the model's 12 months
    assert entitlement.policy.name == "全线24个月" and entitlement.in_warranty
    assert entitlement.cover(FeeKind.PART, PartCategory.WEAR).covered
    WarrantyPolicy.objects.create(name="本型号18个月", product_model=model, months=18, covers_visit=False)
    entitlement = entitlement_for(order, day=date(2027, 6, 1))
    assert entitlement.policy.name == "本型号18个月" and entitlement.until == date(2027, 8, 31)
    assert not entitlement.cover(FeeKind.VISIT).covered
    other_line = entitlement_for(f.WorkOrderFactory(product_model=f.ProductModelFactory()), day=BOUGHT)
    assert other_line.policy is None  # neither policy reaches another product line


def test_r36_a_regional_variant_applies_in_its_province_only(order, line):
    WarrantyPolicy.objects.create(name="全国", product_line=line, months=12)
    regional = WarrantyPolicy.objects.create(
        name="新疆延长", product_line=line, province="新疆维吾尔自治区", months=36
    )
    assert entitlement_for(order, day=BOUGHT).policy.name == "全国"
    order.customer.province = "新疆维吾尔自治区"
    order.customer.save()
    order.refresh_from_db()
    assert entitlement_for(order, day=BOUGHT).policy.name == "新疆延长"
    regional.is_active = False
    regional.save()  # as the admin does: seen at once (core/reference.py)
    assert entitlement_for(order, day=BOUGHT).policy.name == "全国"  # inactive policies never apply


def test_r36_cover_counts_from_the_date_the_policy_names(order, line, device):
    WarrantyPolicy.objects.create(name="安装起算", product_line=line, start_basis=StartBasis.INSTALLATION)
    entitlement = entitlement_for(order, day=date(2026, 9, 1))
    assert not entitlement.known and "installation date" in entitlement.reason
    assert warranty_check(order, day=date(2026, 9, 1)).state == WarrantyState.UNKNOWN
    device.installed_on = date(2026, 5, 10)
    device.save()
    order.refresh_from_db()
    entitlement = entitlement_for(order, day=date(2027, 5, 1))  # after purchase + 12, before install + 12
    assert entitlement.in_warranty and entitlement.start == date(2026, 5, 10)
    assert "Installation date 2026-05-10" in entitlement.reason


def test_r13_r36_repairs_decide_warranty_by_the_same_policy(order, line):
    day = date(2027, 6, 1)
    assert warranty_check(order, day=day).state == WarrantyState.OUT  # the model's 12 months
    WarrantyPolicy.objects.create(name="全线24个月", product_line=line, months=24)
    status = warranty_check(order, day=day)
    assert status.state == WarrantyState.IN and status.until == date(2028, 2, 29)
    assert "全线24个月" in status.reason


def test_r36_work_order_page_shows_the_cover_line_by_line(client, make_order, device, line, agent):
    device.purchase_date = timezone.localdate() - timedelta(days=30)
    device.save()
    WarrantyPolicy.objects.create(name="耗材不保", product_line=line, covers_consumables=False)
    order = make_order()
    client.force_login(agent)
    html = client.get(f"/workorders/{order.pk}/?tab=money").content.decode()
    assert 'data-testid="warranty-panel"' in html and 'data-state="in"' in html
    assert 'data-kind="labour" data-covered="yes"' in html
    assert 'data-kind="part:consumable" data-covered="no"' in html
    assert "耗材不保" in html


def test_r36_api_gives_the_entitlement_of_a_work_order(api_client, agent, order):
    api = api_client(agent)
    response = api.get(f"/api/warranty/{order.pk}/", {"day": "2026-09-01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "in" and body["until"] == "2027-02-28" and body["policy"] is None
    wear = next(x for x in body["lines"] if x["kind"] == "part" and x["part_category"] == "wear")
    assert wear["covered"] is False and wear["payer"] == "customer" and wear["reason"]
    late = api.get(f"/api/warranty/{order.pk}/", {"day": "2027-03-01"}).json()
    assert late["state"] == "out" and not any(x["covered"] for x in late["lines"])
    bad = api.get(f"/api/warranty/{order.pk}/", {"day": "next week"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "day"


def test_r36_r37_api_entitlement_only_in_the_users_scope(api_client, world):
    theirs = f.WorkOrderFactory(service_point=world.point_b)
    api = api_client(world.staff_a)
    assert api.get(f"/api/warranty/{theirs.pk}/").status_code == 404
    assert api.get("/api/warranty/abc/").status_code == 404
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/warranty/{id}/"]["get"]
    assert {"200", "400", "404"} <= set(operation["responses"])


# -- exclusions and overrides (R36) ---------------------------------------------------------------


def test_r36_an_exclusion_charges_the_lines_it_names(order, engineer):
    day = date(2026, 9, 1)
    warranty_exclusion_record(
        work_order=order, actor=engineer.user, reason=ExclusionReason.MISUSE, kind=FeeKind.PART, note="进水"
    )
    entitlement = work_order_entitlement(order, day=day)
    part = entitlement.cover(FeeKind.PART, PartCategory.NORMAL)
    assert not part.covered and part.payer == Payer.CUSTOMER
    assert "Misuse" in part.reason and "进水" in part.reason
    assert entitlement.cover(FeeKind.LABOUR).covered  # the other lines keep their cover
    assert warranty_check(order, day=day).state == WarrantyState.IN
    assert order.events.filter(kind="warranty", action="warranty_exclude").exists()


def test_r36_an_exclusion_of_every_line_puts_the_repair_out_of_warranty(order, engineer):
    warranty_exclusion_record(work_order=order, actor=engineer.user, reason=ExclusionReason.USER_MODIFICATION)
    day = date(2026, 9, 1)
    assert not any(line.covered for line in work_order_entitlement(order, day=day).lines)
    status = warranty_check(order, day=day)
    assert status.state == WarrantyState.OUT and "User modification" in status.reason


def test_r36_exclusion_other_needs_a_note_and_engineers_only_on_their_own_work(order, make_user, engineer):
    with pytest.raises(ValidationError) as refused:
        warranty_exclusion_record(work_order=order, actor=engineer.user, reason=ExclusionReason.OTHER)
    assert "note" in refused.value.message_dict
    stranger = f.EngineerFactory().user
    with pytest.raises(NotPermitted):
        warranty_exclusion_record(work_order=order, actor=stranger, reason=ExclusionReason.MISUSE)
    with pytest.raises(ValidationError):  # only parts have a category
        warranty_exclusion_record(
            work_order=order,
            actor=engineer.user,
            reason=ExclusionReason.MISUSE,
            kind=FeeKind.LABOUR,
            part_category=PartCategory.WEAR,
        )
    assert not order.warranty_exclusions.exists()


def test_r36_a_supervisor_overrides_the_start_date_and_a_payer_with_a_reason(order, supervisor, engineer):
    day = date(2027, 6, 1)
    assert warranty_check(order, day=day).state == WarrantyState.OUT  # bought 2026-03-01, 12 months
    with pytest.raises(NotPermitted):
        warranty_override_record(
            work_order=order, actor=engineer.user, reason="发票", start_on=date(2026, 8, 1)
        )
    with pytest.raises(ValidationError) as refused:
        warranty_override_record(work_order=order, actor=supervisor, reason=" ", start_on=date(2026, 8, 1))
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        warranty_override_record(work_order=order, actor=supervisor, reason="无内容")
    assert "start_on" in refused.value.message_dict
    warranty_override_record(
        work_order=order, actor=supervisor, reason="客户出示的发票日期为 8 月 1 日", start_on=date(2026, 8, 1)
    )
    entitlement = work_order_entitlement(order, day=day)
    assert entitlement.in_warranty and entitlement.until == date(2027, 7, 31)
    assert "set by a supervisor" in entitlement.reason
    warranty_override_record(
        work_order=order,
        actor=supervisor,
        reason="经销商承担差旅",
        kind=FeeKind.TRAVEL,
        payer=Payer.DEALER,
    )
    travel = work_order_entitlement(order, day=day).cover(FeeKind.TRAVEL)
    assert travel.covered and travel.payer == Payer.DEALER and "经销商承担差旅" in travel.reason
    actions = list(order.events.filter(kind="warranty").values_list("action", flat=True))
    assert actions == ["warranty_start", "warranty_payer"]


def test_r36_warranty_decisions_on_the_page(client, order, supervisor, engineer):
    client.force_login(engineer.user)
    html = client.get(f"/workorders/{order.pk}/?tab=money").content.decode()
    assert (
        'data-testid="warranty-exclusion-form"' in html and 'data-testid="warranty-override-form"' not in html
    )
    response = client.post(
        f"/servicing/workorders/{order.pk}/warranty/exclusions/",
        {"reason": "other", "line": "part:wear", "note": ""},
    )
    assert response.status_code == 302 and not order.warranty_exclusions.exists()  # refused: no note
    response = client.post(
        f"/servicing/workorders/{order.pk}/warranty/exclusions/",
        {"reason": "misuse", "line": "part:normal", "note": "跌落"},
        follow=True,
    )
    exclusion = order.warranty_exclusions.get()
    assert (exclusion.kind, exclusion.part_category, exclusion.note) == ("part", "normal", "跌落")
    assert 'data-testid="warranty-exclusion"' in response.content.decode()
    client.force_login(supervisor)
    client.post(
        f"/servicing/workorders/{order.pk}/warranty/overrides/",
        {"line": "labour", "payer": "dealer", "reason": "经销商安装不当"},
    )
    override = order.warranty_overrides.get()
    assert (override.kind, override.payer, override.recorded_by) == ("labour", "dealer", supervisor)


def test_r36_warranty_decisions_over_the_api(api_client, order, supervisor, engineer):
    api = api_client(engineer.user)
    url = f"/api/warranty/{order.pk}/"
    response = api.post(
        url + "exclusions/", {"reason": "misuse", "kind": "part", "note": "进水"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert not next(x for x in response.json()["lines"] if x["part_category"] == "normal")["covered"]
    refused = api.post(url + "overrides/", {"reason": "发票", "start_on": "2026-08-01"}, format="json")
    assert refused.status_code == 403
    unknown = api.post(url + "exclusions/", {"reason": "misuse", "amount": 1}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "amount"
    api = api_client(supervisor)
    response = api.post(
        url + "overrides/", {"reason": "差旅由经销商承担", "kind": "travel", "payer": "dealer"}, format="json"
    )
    assert response.status_code == 201
    travel = next(x for x in response.json()["lines"] if x["kind"] == "travel")
    assert travel["payer"] == "dealer" and travel["covered"] is True
    half = api.post(url + "overrides/", {"reason": "x", "kind": "travel"}, format="json")
    assert half.status_code == 400 and half.json()["errors"][0]["field"] == "payer"


# -- proof of purchase (R36) ----------------------------------------------------------------------


@pytest.fixture
def proof_day():
    """Purchase dates are checked against today: the clock is set to a day after every date the
    proof tests use, whatever the machine's date."""
    with travelling(at(2026, 12, 7, 10)):
        yield


def test_r36_proof_of_purchase_sets_the_date_cover_counts_from(order, engineer, supervisor, photo, proof_day):
    """The invoice's date counts instead of the one on file when cover runs from the purchase;
    a supervisor's start date still has the last word."""
    day = date(2027, 5, 1)  # after BOUGHT + 12 months: out of warranty on the date on file
    assert not work_order_entitlement(order, day=day).in_warranty
    proof = purchase_proof_record(
        work_order=order,
        actor=engineer.user,
        upload=photo("发票.png"),
        purchased_on=date(2026, 6, 15),
        invoice_number="No.04417",
        seller="上海办公设备商行",
    )
    assert proof.attachment.work_order == order and proof.attachment.original_name == "发票.png"
    order.refresh_from_db()
    entitlement = work_order_entitlement(order, day=day)
    assert entitlement.in_warranty and entitlement.start == date(2026, 6, 15)
    assert entitlement.reason.startswith("Purchase date (proof of purchase attached) 2026-06-15")
    event = order.events.get(kind="warranty")
    assert (event.action, event.params, event.note) == (
        "warranty_proof",
        {"date": "2026-06-15"},
        "No.04417 · 上海办公设备商行",
    )
    warranty_override_record(work_order=order, actor=supervisor, reason="以保修卡为准", start_on=BOUGHT)
    order.refresh_from_db()
    assert work_order_entitlement(order, day=day).start == BOUGHT


def test_r36_proof_of_purchase_refused_whole_when_the_file_or_date_is_wrong(
    order, engineer, photo, not_an_image, proof_day
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        purchase_proof_record(work_order=order, actor=engineer.user, upload=photo(), purchased_on=tomorrow)
    assert "purchased_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        purchase_proof_record(work_order=order, actor=engineer.user, upload=not_an_image, purchased_on=BOUGHT)
    assert "file" in refused.value.message_dict
    other = f.EngineerFactory()
    with pytest.raises(NotPermitted):  # engineers only on their own work orders
        purchase_proof_record(work_order=order, actor=other.user, upload=photo(), purchased_on=BOUGHT)
    assert not order.purchase_proofs.exists() and not order.attachments.exists()
    assert not order.events.filter(kind__in=["warranty", "attachment"]).exists()


def test_r36_proof_of_purchase_on_the_page(client, order, agent, finance, photo, proof_day):
    client.force_login(finance)  # reads, attaches nothing
    assert (
        'data-testid="purchase-proof-form"'
        not in client.get(f"/workorders/{order.pk}/?tab=money").content.decode()
    )
    client.force_login(agent)
    html = client.get(f"/workorders/{order.pk}/?tab=money").content.decode()
    assert 'data-testid="purchase-proof-form"' in html and 'enctype="multipart/form-data"' in html
    url = f"/servicing/workorders/{order.pk}/warranty/proofs/"
    refused = client.post(url, {"file": photo(), "purchased_on": "", "invoice_number": "8"}, follow=True)
    assert not order.purchase_proofs.exists() and "This field is required." in refused.content.decode()
    response = client.post(url, {"file": photo("fapiao.png"), "purchased_on": "2026-02-20", "seller": "京东"})
    assert response.status_code == 302
    assert response["Location"] == f"/workorders/{order.pk}/?tab=money#warranty"
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="purchase-proof"' in html and "fapiao.png" in html and "京东" in html
    assert "Purchase date (proof of purchase attached) 2026-02-20" in html


def test_r36_proof_of_purchase_over_the_api(api_client, order, engineer, world, photo, proof_day):
    url = f"/api/warranty/{order.pk}/purchase-proofs/"
    response = api_client(engineer.user).post(
        url, {"file": photo(), "purchased_on": "2026-04-01", "invoice_number": "A-1"}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2026-04-01"
    assert order.purchase_proofs.get().invoice_number == "A-1"
    missing = api_client(engineer.user).post(url, {"purchased_on": "2026-04-01"}, format="multipart")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "file"
    outsider = api_client(world.staff_b).post(
        url, {"file": photo(), "purchased_on": "2026-04-01"}, format="multipart"
    )
    assert outsider.status_code == 404
    assert order.purchase_proofs.count() == 1
