"""Small things of the pages: the language switch names each language in itself; the work-order
page's assign button reads "Reassign" once the work order is assigned; destructive actions (cancel)
are set apart from the everyday ones, in a menu of their own, in red."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from aftersales.workorders.choices import State

from .. import factories as f

pytestmark = pytest.mark.django_db


def detail_html(client, work_order) -> str:
    return client.get(reverse("workorders:detail", args=[work_order.pk])).content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_language_switch_names_each_language_in_itself(client, agent, language):
    agent.language = language
    agent.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(agent)
    with translation.override(language):
        html = client.get(reverse("workorders:list")).content.decode()
    assert f'<html lang="{language}">' in html
    options = re.findall(r'<option value="([^"]+)" lang="[^"]+" ?(?:selected)?>([^<]+)</option>', html)
    assert dict(options) == {"zh-hans": "简体中文", "en": "English"}
    assert "英语" not in html


def test_assign_reads_reassign_once_assigned(client, world, dispatcher):
    accepted = f.WorkOrderFactory(service_point=world.point_a, state=State.ACCEPTED)
    assigned = f.WorkOrderFactory(
        service_point=world.point_a, state=State.ASSIGNED, engineer=world.engineer_a
    )
    client.force_login(dispatcher)
    first = detail_html(client, accepted)
    assert re.search(r'data-testid="action-assign">Assign</button>', first)
    again = detail_html(client, assigned)
    assert re.search(r'data-testid="action-assign">Reassign</button>', again)
    assert '<div class="fw-semibold mb-2">Reassign</div>' in again  # the form's title too


def test_reassign_posts_the_same_assign_action(client, world, dispatcher):
    assigned = f.WorkOrderFactory(
        service_point=world.point_a, state=State.ASSIGNED, engineer=world.engineer_a
    )
    client.force_login(dispatcher)
    html = detail_html(client, assigned)
    assert f'action="{reverse("workorders:transition", args=[assigned.pk, "assign"])}"' in html


def test_cancel_is_set_apart_in_a_red_menu(client, world, agent):
    order = f.WorkOrderFactory(service_point=world.point_a, state=State.NEW)
    client.force_login(agent)
    html = detail_html(client, order)
    menu = html.index('data-testid="actions-destructive"')
    cancel = html.index('data-testid="action-cancel"')
    accept = html.index('data-testid="action-accept"')
    assert accept < menu < cancel  # the everyday actions first, cancel in the menu after them
    button = re.search(r'<button type="button" class="([^"]+)"[^>]*data-testid="action-cancel"', html)
    assert button and "dropdown-item" in button.group(1) and "text-danger" in button.group(1)
    assert 'data-testid="actions-more"' in html and "Cannot be undone" in html
    # its form is the same collapse as before, posting the same action
    assert f'action="{reverse("workorders:transition", args=[order.pk, "cancel"])}"' in html


def test_no_destructive_menu_when_the_user_may_not_cancel(client, world):
    order = f.WorkOrderFactory(service_point=world.point_a, state=State.ASSIGNED, engineer=world.engineer_a)
    client.force_login(world.engineer_a.user)
    html = detail_html(client, order)
    assert 'data-testid="action-start"' in html
    assert 'data-testid="actions-destructive"' not in html and 'data-testid="action-cancel"' not in html
