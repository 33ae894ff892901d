"""Work-order page: data, timeline, exactly the allowed lifecycle buttons, transitions through the
page (refusals are messages, never a 500), notes, attachments, scoping (R37) and masking (R41)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.accounts.choices import Role
from aftersales.core.models import ChangeRecord
from aftersales.workorders import hooks
from aftersales.workorders.choices import State
from aftersales.workorders.models import Attachment, Note

from .. import factories as f

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def detail(pk, tab=""):
    return reverse("workorders:detail", args=[pk]) + (f"?tab={tab}" if tab else "")


def do(pk, action):
    return reverse("workorders:transition", args=[pk, action])


def action_buttons(response) -> set[str]:
    return {transition.name for transition, _form in response.context["actions"]}


def test_detail_shows_data_state_and_timeline(client, agent, order):
    client.force_login(agent)
    response = client.get(detail(order.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert order.number in body and order.customer.name in body and order.fault_symptom in body
    for testid in ('data-testid="state"', 'data-testid="notes"'):
        assert testid in body
    assert "13912345678" in body
    assert 'data-testid="timeline"' in client.get(detail(order.pk, "timeline")).content.decode()


def test_tabs_other_than_the_one_shown_load_when_opened(client, agent, order):
    """The page computes one tab; each other tab's pane asks the same address for its content
    (HTMX), which answers with that tab alone; without JavaScript the tab is a link to it."""
    client.force_login(agent)
    page = client.get(detail(order.pk)).content.decode()
    timeline_pane = page.split('data-testid="pane-timeline"')[1]
    assert (
        f'hx-get="{detail(order.pk, "timeline")}"' in timeline_pane
        and 'hx-trigger="intersect once"' in timeline_pane
    )
    assert 'href="?tab=timeline"' in page and 'data-testid="timeline"' not in page
    partial = client.get(detail(order.pk, "timeline"), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert 'data-testid="timeline"' in html and "<html" not in html and 'data-testid="notes"' not in html
    assert "HX-Request" in partial["Vary"]
    shown = client.get(detail(order.pk, "timeline")).content.decode()
    assert 'data-testid="timeline"' in shown
    assert "show active" in shown.split('data-testid="pane-timeline"')[0].rsplit("<div", 1)[1]
    assert 'data-testid="notes"' not in shown  # the overview now loads when opened
    assert client.get(detail(order.pk, "nowhere")).status_code == 200  # an unknown tab: the overview


def test_r37_buttons_are_exactly_the_allowed_transitions(client, agent, dispatcher, world, order, moved):
    client.force_login(agent)
    response = client.get(detail(order.pk))
    assert action_buttons(response) == {"accept", "cancel"}
    assert 'data-testid="action-accept"' in response.content.decode()
    order = moved(order, agent, "accept")
    client.force_login(dispatcher)
    assert action_buttons(client.get(detail(order.pk))) == {"assign", "cancel"}
    order = moved(order, dispatcher, "assign", engineer=world.engineer_a)
    client.force_login(world.engineer_a.user)
    assert action_buttons(client.get(detail(order.pk))) == {"start"}
    client.force_login(world.engineer_b.user)
    assert client.get(detail(order.pk)).status_code == 404


def test_r4_the_buttons_are_the_shared_actions_block_kept_in_view(client, agent, order):
    """The work-order page shows its lifecycle buttons with the actions partial every detail page
    uses (templates/htmx/_actions.html, D43), sticky at the top, each form posting its transition."""
    client.force_login(agent)
    response = client.get(detail(order.pk))
    body = response.content.decode()

    assert "htmx/_actions.html" in [template.name for template in response.templates]
    assert 'class="card mb-3 d-print-none sticky-actions" data-testid="actions"' in body
    for action in ("accept", "cancel"):
        assert f'data-testid="action-{action}"' in body and f'data-testid="submit-{action}"' in body
        assert f'action="{do(order.pk, action)}"' in body and f'data-testid="form-{action}"' in body


def test_finance_sees_no_buttons_and_masked_phone(client, finance, order):
    client.force_login(finance)
    response = client.get(detail(order.pk))
    body = response.content.decode()
    assert action_buttons(response) == set()
    assert 'data-testid="action-' not in body
    assert "139****5678" in body and "13912345678" not in body
    assert "138****5678" in body


def test_full_lifecycle_through_the_page(client, agent, dispatcher, world, order):
    client.force_login(agent)
    response = client.post(do(order.pk, "accept"), {"version": order.version}, follow=True)
    assert 'data-testid="message-success"' in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.ACCEPTED
    client.force_login(dispatcher)
    client.post(do(order.pk, "assign"), {"version": order.version, "engineer": world.engineer_a.pk})
    order.refresh_from_db()
    assert order.state == State.ASSIGNED and order.engineer == world.engineer_a
    client.force_login(world.engineer_a.user)
    client.post(do(order.pk, "start"), {"version": order.version})
    order.refresh_from_db()
    client.post(do(order.pk, "wait"), {"version": order.version, "waiting_reason": "parts"})
    order.refresh_from_db()
    assert order.state == State.WAITING
    assert 'data-testid="waiting-reason"' in client.get(detail(order.pk)).content.decode()
    client.post(do(order.pk, "resume"), {"version": order.version})
    order.refresh_from_db()
    client.post(do(order.pk, "complete"), {"version": order.version, "resolution": "更换定影组件"})
    order.refresh_from_db()
    assert order.state == State.COMPLETED
    client.force_login(agent)
    client.post(do(order.pk, "close"), {"version": order.version})
    order.refresh_from_db()
    assert order.state == State.CLOSED
    timeline = client.get(detail(order.pk, "timeline")).context["timeline"]
    actions = [entry.title for entry in timeline if entry.kind == "transition"]
    assert len(actions) == 7


def test_refused_transition_is_a_message_not_an_error(client, agent, order):
    client.force_login(agent)
    response = client.post(do(order.pk, "close"), {"version": order.version}, follow=True)
    assert response.status_code == 200
    assert 'data-testid="message-error"' in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.NEW


def test_transition_not_permitted_for_role_is_a_message(client, finance, order):
    client.force_login(finance)
    response = client.post(do(order.pk, "accept"), {"version": order.version}, follow=True)
    assert response.status_code == 200 and 'data-testid="message-error"' in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.NEW


def test_transition_missing_input_is_a_message(client, agent, order):
    client.force_login(agent)
    response = client.post(do(order.pk, "cancel"), {"version": order.version, "note": ""}, follow=True)
    assert 'data-testid="message-error"' in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.NEW


def test_r41_transition_with_stale_version_is_refused(client, agent, order):
    client.force_login(agent)
    response = client.post(do(order.pk, "accept"), {"version": order.version + 5}, follow=True)
    assert "someone else" in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.NEW


def test_unknown_action_and_bad_input_never_500(client, agent, order):
    client.force_login(agent)
    assert client.post(do(order.pk, "explode"), {"version": 1}).status_code == 404
    response = client.post(do(order.pk, "accept"), {"version": "x"}, follow=True)
    assert response.status_code == 200


def test_assign_offers_only_engineers_in_scope(client, world, moved, order):
    hq = f.UserFactory(role=Role.HQ_ADMIN)
    order = moved(order, hq, "accept")
    client.force_login(world.staff_a)
    response = client.get(detail(order.pk))
    forms = dict(response.context["actions"])
    assign_form = next(form for transition, form in forms.items() if transition.name == "assign")
    assert list(assign_form.fields["engineer"].queryset) == [world.engineer_a]
    client.post(do(order.pk, "assign"), {"version": order.version, "engineer": world.engineer_b.pk})
    order.refresh_from_db()
    assert order.state == State.ACCEPTED


def test_assign_does_not_render_every_engineer(client, dispatcher, moved, order):
    """Issue 9: the assign input is a combobox loading engineers on demand; the page holds none
    of them as options, so it costs the same with 3 engineers or 2,000."""
    order = moved(order, dispatcher, "accept")
    engineers = [f.EngineerFactory(user__first_name=f"候选{n}") for n in range(12)]
    client.force_login(dispatcher)
    response = client.get(detail(order.pk))
    assign_form = next(
        form for transition, form in response.context["actions"] if transition.name == "assign"
    )
    rendered = str(assign_form["engineer"])
    assert 'data-autocomplete-url="/api/autocomplete/engineers/"' in rendered
    assert rendered.count("<option") == 1  # the empty choice only
    assert not any(engineer.user.display_name in rendered for engineer in engineers)
    assert assign_form.fields["engineer"].queryset.filter(pk=engineers[0].pk).exists()  # still a choice


def test_add_note(client, agent, order):
    client.force_login(agent)
    client.post(
        reverse("workorders:note_add", args=[order.pk]), {"body": "客户下午在", "visibility": "customer"}
    )
    note = Note.objects.get()
    assert note.visibility == "customer" and note.author == agent
    response = client.post(reverse("workorders:note_add", args=[order.pk]), {"body": " "}, follow=True)
    assert 'data-testid="message-error"' in response.content.decode()
    assert "客户下午在" in client.get(detail(order.pk)).content.decode()


def test_attachment_upload_and_download(client, agent, order):
    client.force_login(agent)
    upload = SimpleUploadedFile("故障照片.png", PNG, content_type="image/png")
    client.post(
        reverse("workorders:attachment_add", args=[order.pk]), {"file": upload, "description": "卡纸"}
    )
    attachment = Attachment.objects.get()
    response = client.get(reverse("workorders:attachment_download", args=[attachment.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "attachment;" in response["Content-Disposition"]
    assert "filename*=utf-8''%E6%95%85%E9%9A%9C%E7%85%A7%E7%89%87.png" in response["Content-Disposition"]


def test_attachment_wrong_type_is_a_message(client, agent, order):
    client.force_login(agent)
    upload = SimpleUploadedFile("notes.txt", b"plain text", content_type="image/png")
    response = client.post(
        reverse("workorders:attachment_add", args=[order.pk]), {"file": upload}, follow=True
    )
    assert 'data-testid="message-error"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_r37_dealer_b_gets_404_on_dealer_a_order(client, world, order):
    attachment_upload = SimpleUploadedFile("a.png", PNG)
    client.force_login(world.staff_a)
    client.post(reverse("workorders:attachment_add", args=[order.pk]), {"file": attachment_upload})
    attachment = Attachment.objects.get()
    client.force_login(world.staff_b)
    for url in (
        detail(order.pk),
        reverse("workorders:edit", args=[order.pk]),
        reverse("workorders:attachment_download", args=[attachment.uuid]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(do(order.pk, "accept"), {"version": order.version}).status_code == 404
    assert client.post(reverse("workorders:note_add", args=[order.pk]), {"body": "x"}).status_code == 404


def test_timeline_shows_field_changes_masked_for_finance(client, agent, finance, order):
    from aftersales.workorders.services import workorder_update

    workorder_update(
        work_order_id=order.pk, actor=agent, expected_version=order.version, contact_phone="13600001111"
    )
    assert ChangeRecord.objects.filter(field="contact_phone").exists()
    client.force_login(finance)
    timeline = client.get(detail(order.pk, "timeline")).context["timeline"]
    change = next(entry for entry in timeline if entry.kind == "change")
    assert change.from_label == "139****5678" and change.to_label == "136****1111"


def test_detail_includes_registered_panels(client, agent, order, monkeypatch, tmp_path, settings):
    panel_dir = tmp_path / "templates"
    (panel_dir / "panels").mkdir(parents=True)
    (panel_dir / "panels" / "demo.html").write_text('<div data-testid="demo-panel">{{ wo.number }}</div>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], panel_dir]}]
    monkeypatch.setattr(hooks, "detail_panels", [hooks.DetailPanel(template="panels/demo.html")])
    client.force_login(agent)
    assert (
        f'<div data-testid="demo-panel">{order.number}</div>'
        in client.get(detail(order.pk, "service")).content.decode()
    )


def test_registered_panels_sit_in_their_tabs_with_their_own_context(
    client, agent, order, monkeypatch, tmp_path, settings
):
    """Panels are rendered with what their context function returns (read through the app's
    selectors, not in the template), only when their tab is shown; a panel whose context is None
    stays out (a tab left with nothing says so); a tab nobody registered a panel for is not there,
    while the work order's own tabs always are."""
    panel_dir = tmp_path / "templates"
    (panel_dir / "panels").mkdir(parents=True)
    (panel_dir / "panels" / "money.html").write_text(
        '<div data-testid="money-panel">{{ amount }} {{ wo.number }}</div>'
    )
    (panel_dir / "panels" / "never.html").write_text('<div data-testid="never-panel"></div>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], panel_dir]}]
    calls = []

    def money(request, work_order):
        calls.append((request.user, work_order.pk))
        return {"amount": "¥350.00"}

    monkeypatch.setattr(
        hooks,
        "detail_panels",
        [
            hooks.DetailPanel(template="panels/money.html", context=money, tab="money"),
            hooks.DetailPanel(template="panels/never.html", context=lambda request, wo: None, tab="feedback"),
        ],
    )
    client.force_login(agent)

    response = client.get(detail(order.pk))

    tabs = [tab["key"] for tab in response.context["tabs"]]
    assert tabs == ["overview", "money", "feedback", "documents", "timeline"]
    assert calls == [] and "money-panel" not in response.content.decode()
    page = client.get(detail(order.pk, "money")).content.decode()
    money_pane = page.split('data-testid="pane-money"')[1].split('data-testid="pane-feedback"')[0]
    assert f'<div data-testid="money-panel">¥350.00 {order.number}</div>' in money_pane
    assert calls == [(agent, order.pk)]
    feedback = client.get(detail(order.pk, "feedback"), headers={"HX-Request": "true"}).content.decode()
    assert "never-panel" not in feedback and 'data-testid="tab-empty"' in feedback
    with pytest.raises(ValueError):
        hooks.register_detail_panel("panels/x.html", tab="nowhere")
