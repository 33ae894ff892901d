"""Stock counts (盘点, R32): a sheet expecting what is on hand, counted line by line, submitted,
approved by HQ (the differences post as adjustment moves: a shortage at average cost, a surplus
at the cost price list), sent back or cancelled; one open count per warehouse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from aftersales.catalog.models import PriceList, PriceListItem
from aftersales.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from aftersales.parts.choices import CountState, MoveKind
from aftersales.parts.models import CountEvent, StockBalance, StockCount, StockMove
from aftersales.parts.services import stock
from aftersales.parts.services.counts import count_create, count_lines_set, count_transition

from ..api.helpers import assert_problem
from .stock_world import stock_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = stock_world()
    world.receive(world.a.store, 5, "10.00")
    world.receive(world.a.store, 2, "40.00", part=world.substitute)
    return world


def lines_by_number(count: StockCount) -> dict[str, object]:
    return {line.part.number: line for line in count.lines.select_related("part")}


def cost_list(part, cost: str) -> None:
    prices = PriceList.objects.create(name="2026 配件价目表", effective_from=date(2020, 1, 1))
    PriceListItem.objects.create(
        price_list=prices, part=part, retail_price=Decimal("99.00"), cost_price=Decimal(cost)
    )


def test_r32_a_count_sheet_expects_what_is_on_hand_for_every_part_held(w):
    count = count_create(warehouse=w.a.store, actor=w.a.staff)
    assert count.number.startswith("PD") and count.state == CountState.DRAFT
    assert {number: line.expected for number, line in lines_by_number(count).items()} == {
        "FU-3600": 5,
        "FU-3600A": 2,
    }
    assert CountEvent.objects.filter(count=count, action="create").exists()


def test_r32_approval_posts_the_differences_as_adjustments(w):
    cost_list(w.substitute, "45.00")
    count = count_create(warehouse=w.a.store, actor=w.a.staff)
    lines = lines_by_number(count)
    count_lines_set(
        count_id=count.pk, counted={lines["FU-3600"].pk: 3, lines["FU-3600A"].pk: "4"}, actor=w.a.staff
    )
    count_transition(count_id=count.pk, action="submit", actor=w.a.staff)
    with pytest.raises(NotPermitted):  # the dealer that counted does not approve its own count
        count_transition(count_id=count.pk, action="approve", actor=w.a.staff)
    count_transition(count_id=count.pk, action="approve", actor=w.supervisor, note="差异已核实")

    count.refresh_from_db()
    assert (count.state, count.approved_by) == (CountState.APPROVED, w.supervisor)
    moves = {
        m.part.number: m for m in StockMove.objects.filter(kind=MoveKind.ADJUSTMENT, reference=count.number)
    }
    assert (moves["FU-3600"].quantity, moves["FU-3600"].value) == (-2, Decimal("-20.00"))  # at average cost
    assert (moves["FU-3600A"].quantity, moves["FU-3600A"].value) == (2, Decimal("90.00"))  # at the cost list
    assert StockBalance.objects.get(warehouse=w.a.store, part=w.part).on_hand == 3
    assert StockBalance.objects.get(warehouse=w.a.store, part=w.substitute).value == Decimal("170.00")
    assert [e.action for e in count.events.order_by("id")] == ["create", "submit", "approve"]


def test_r32_moves_made_while_counting_stay_and_only_the_difference_posts(w):
    count = count_create(warehouse=w.a.store, actor=w.clerk, parts=[w.part])
    stock.issue(warehouse=w.a.store, part=w.part, quantity=1, actor=w.clerk)  # while the counters count
    count_lines_set(count_id=count.pk, counted={count.lines.get().pk: 4}, actor=w.clerk)
    count_transition(count_id=count.pk, action="submit", actor=w.clerk)
    count_transition(count_id=count.pk, action="approve", actor=w.clerk)
    assert StockBalance.objects.get(warehouse=w.a.store, part=w.part).on_hand == 3  # 5 − 1 issued − 1 missing


def test_r32_submit_is_refused_until_every_line_is_counted(w, api_client):
    count = count_create(warehouse=w.a.store, actor=w.clerk)
    response = api_client(w.clerk).post(f"/api/stock/counts/{count.pk}/submit/", {}, format="json")
    assert_problem(response, 400, field="lines", code="count_incomplete")
    count.refresh_from_db()
    assert count.state == CountState.DRAFT


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("draft", "approve"),
        ("draft", "recount"),
        ("approved", "cancel"),
        ("cancelled", "submit"),
        ("submitted", "submit"),
    ],
)
def test_r32_a_count_transition_from_another_state_is_refused_with_409(w, api_client, state, action):
    count = count_create(warehouse=w.a.store, actor=w.clerk)
    StockCount.objects.filter(pk=count.pk).update(state=state)
    response = api_client(w.clerk).post(
        f"/api/stock/counts/{count.pk}/{action}/",
        {"reason": "重新盘点"} if action in ("recount", "cancel") else {},
        format="json",
    )
    assert_problem(response, 409, code="transition_not_allowed")
    assert not StockMove.objects.filter(kind=MoveKind.ADJUSTMENT).exists()


def test_r32_a_count_sent_back_is_counted_again(w):
    count = count_create(warehouse=w.a.store, actor=w.a.staff, parts=[w.part])
    line = count.lines.get()
    count_lines_set(count_id=count.pk, counted={line.pk: 1}, actor=w.a.staff)
    count_transition(count_id=count.pk, action="submit", actor=w.a.staff)
    with pytest.raises(TransitionNotAllowed):  # submitted: the quantities are final
        count_lines_set(count_id=count.pk, counted={line.pk: 5}, actor=w.a.staff)
    count_transition(count_id=count.pk, action="recount", actor=w.clerk, reason="差异过大，请复盘")
    count_lines_set(count_id=count.pk, counted={line.pk: 5}, actor=w.a.staff)
    count_transition(count_id=count.pk, action="submit", actor=w.a.staff)
    count_transition(count_id=count.pk, action="approve", actor=w.clerk)
    assert not StockMove.objects.filter(kind=MoveKind.ADJUSTMENT).exists()  # nothing was missing after all
    assert CountEvent.objects.get(count=count, action="recount").note == "差异过大，请复盘"


def test_r32_one_open_count_per_warehouse(w, api_client):
    count_create(warehouse=w.a.store, actor=w.clerk)
    response = api_client(w.clerk).post("/api/stock/counts/", {"warehouse": w.a.store.pk}, format="json")
    assert_problem(response, 409, code="count_open")
    assert StockCount.objects.count() == 1


def test_r32_a_counted_quantity_is_a_whole_number_of_at_least_zero(w):
    count = count_create(warehouse=w.a.store, actor=w.clerk, parts=[w.part])
    line = count.lines.get()
    for wrong in (-1, "2.5", "两个", True):
        with pytest.raises(DomainError) as refused:
            count_lines_set(count_id=count.pk, counted={line.pk: wrong}, actor=w.clerk)
        assert refused.value.field == f"lines.{line.pk}"
    line.refresh_from_db()
    assert line.counted is None


def test_r32_the_count_page_takes_quantities_line_by_line_and_exports_the_sheet(w, client):
    count = count_create(warehouse=w.a.store, actor=w.a.staff)
    lines = lines_by_number(count)
    client.force_login(w.a.staff)
    page = client.get(f"/parts/counts/{count.pk}/")
    assert page.status_code == 200 and 'data-testid="counted-FU-3600"' in page.content.decode()

    row = client.post(
        f"/parts/counts/{count.pk}/lines/", {f"counted-{lines['FU-3600'].pk}": "4"}, HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    assert 'data-testid="difference">-1<' in row.content.decode().replace("\n", "")
    lines["FU-3600"].refresh_from_db()
    assert lines["FU-3600"].counted == 4

    sheet = client.get(f"/parts/counts/{count.pk}/?export=xlsx")
    rows = list(load_workbook(BytesIO(b"".join(sheet.streaming_content))).active.iter_rows(values_only=True))
    assert rows[1:] == [("FU-3600", "定影组件", 5, 4, -1), ("FU-3600A", "定影组件(兼容)", 2, None, None)]


def test_r32_the_count_pages_make_a_sheet_and_run_its_steps(w, client):
    client.force_login(w.a.staff)
    response = client.post("/parts/counts/new/", {"warehouse": w.a.store.pk, "parts": [w.part.pk]})
    count = StockCount.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/parts/counts/{count.pk}/"
    client.post(f"/parts/counts/{count.pk}/lines/", {f"counted-{count.lines.get().pk}": "5"})
    client.post(f"/parts/counts/{count.pk}/do/submit/", {"note": "已盘完"})
    count.refresh_from_db()
    assert count.state == CountState.SUBMITTED
    listed = client.get("/parts/counts/?state=submitted").content.decode()
    assert count.number in listed


def test_r32_the_api_counts_and_approves(w, api_client):
    staff = api_client(w.a.staff)
    created = staff.post(
        "/api/stock/counts/", {"warehouse": w.a.store.pk, "parts": [w.part.pk]}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    line = body["lines"][0]
    assert (line["expected"], line["counted"]) == (5, None)
    counted = staff.post(
        f"/api/stock/counts/{body['id']}/counted/",
        {"lines": [{"line": line["id"], "counted": 6}]},
        format="json",
    )
    assert counted.status_code == 200 and counted.json()["lines"][0]["difference"] == 1
    assert staff.post(f"/api/stock/counts/{body['id']}/submit/", {}, format="json").status_code == 200
    assert_problem(staff.post(f"/api/stock/counts/{body['id']}/approve/", {}, format="json"), 403)
    approved = api_client(w.clerk).post(f"/api/stock/counts/{body['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert StockBalance.objects.get(warehouse=w.a.store, part=w.part).on_hand == 6


def test_r37_another_dealers_count_is_a_404_and_cannot_be_made(w, client, api_client):
    count = count_create(warehouse=w.b.store, actor=w.clerk, parts=[w.part])
    client.force_login(w.a.staff)
    assert client.get(f"/parts/counts/{count.pk}/").status_code == 404
    assert client.get(f"/parts/counts/{count.pk}/?export=xlsx").status_code == 404
    api = api_client(w.a.staff)
    assert api.get(f"/api/stock/counts/{count.pk}/").status_code == 404
    assert_problem(
        api.post("/api/stock/counts/", {"warehouse": w.b.defective.pk}, format="json"), 400, field="warehouse"
    )
    with pytest.raises(NotPermitted):
        count_create(warehouse=w.b.defective, actor=w.a.staff, parts=[w.part])


def _filled_sheet(client, count, counted: dict[str, object]) -> BytesIO:
    """The count's own Excel export with the "Counted" column filled in."""
    sheet = client.get(f"/parts/counts/{count.pk}/?export=xlsx")
    workbook = load_workbook(BytesIO(b"".join(sheet.streaming_content)))
    for row in workbook.active.iter_rows(min_row=2):
        if row[0].value in counted:
            row[3].value = counted[row[0].value]
    filled = BytesIO()
    workbook.save(filled)
    filled.seek(0)
    filled.name = "count.xlsx"
    return filled


def test_r32_the_exported_sheet_filled_in_is_read_back_on_the_page_and_by_the_api(w, client, api_client):
    count = count_create(warehouse=w.a.store, actor=w.a.staff)
    client.force_login(w.a.staff)
    response = client.post(
        f"/parts/counts/{count.pk}/import/", {"file": _filled_sheet(client, count, {"FU-3600": 4})}
    )
    assert response.status_code == 302
    assert {n: line.counted for n, line in lines_by_number(count).items()} == {"FU-3600": 4, "FU-3600A": None}

    body = api_client(w.a.staff).post(
        f"/api/stock/counts/{count.pk}/sheet/",
        {"file": _filled_sheet(client, count, {"FU-3600A": 2})},
        format="multipart",
    )
    assert body.status_code == 200, body.content
    assert [line["counted"] for line in body.json()["lines"]] == [4, 2]


def test_r32_a_sheet_naming_a_part_not_counted_here_is_refused_whole(w, client, api_client):
    count = count_create(warehouse=w.a.store, actor=w.a.staff, parts=[w.part])
    client.force_login(w.a.staff)
    other = count_create(warehouse=w.a.van, actor=w.clerk, parts=[w.substitute])
    wrong = _filled_sheet(client, other, {"FU-3600A": 1})
    response = api_client(w.a.staff).post(
        f"/api/stock/counts/{count.pk}/sheet/", {"file": wrong}, format="multipart"
    )
    body = assert_problem(response, 400, field="file", code="import_row_invalid")
    assert "FU-3600A" in body["title"] and "Row 2" in body["title"]
    assert count.lines.get().counted is None
