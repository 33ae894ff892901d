"""The navbar's bell (issue 12): its unread-count badge is drawn whole, on a desktop (1440 px) and on
a phone (390 px): inside the window, clipped by no ancestor's overflow and covered by nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from aftersales.notifications.services import notify
from tests import factories as f

from .test_engineer_phone import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The badge's box, the window, the ancestors whose overflow cuts it off and the points of its box
# (its centre and the middles of its edges, two pixels in) where something else is on top.
BADGE_PLACE = """badge => {
  const box = badge.getBoundingClientRect();
  const clipped = [];
  for (let el = badge.parentElement; el; el = el.parentElement) {
    const style = getComputedStyle(el);
    if (style.overflowX === "visible" && style.overflowY === "visible") continue;
    const r = el.getBoundingClientRect();
    if (box.left < r.left || box.right > r.right || box.top < r.top || box.bottom > r.bottom) {
      clipped.push(el.tagName.toLowerCase() + "." + el.className);
    }
  }
  const [middleX, middleY] = [(box.left + box.right) / 2, (box.top + box.bottom) / 2];
  const points = [  // a pill: its corners are outside it, its edges' middles inside
    [middleX, middleY], [box.left + 2, middleY], [box.right - 2, middleY], [middleX, box.top + 2],
    [middleX, box.bottom - 2],
  ];
  const covered = points.filter(([x, y]) => {
    const top = document.elementFromPoint(x, y);
    return !(top && (top === badge || badge.contains(top)));
  });
  return {
    box: [box.left, box.top, box.right, box.bottom], width: innerWidth, height: innerHeight, clipped, covered,
  };
}"""


@pytest.mark.parametrize(
    "width,height,phone", [(1440, 900, False), (390, 844, True)], ids=["desktop", "phone"]
)
def test_the_bell_badge_is_not_clipped(open_page, live_server, width, height, phone):
    user = f.UserFactory(username="agent", last_name="欧阳", first_name="晓明")
    for n in range(120):  # the widest badge: "99+"
        notify(recipients=[user], title=f"通知 {n}", body="", url="/", key=f"bell-{n}")
    page = open_page(width=width, height=height, phone=phone)
    login(page, live_server.url, "agent")

    badge = page.get_by_test_id("notification-count")
    expect(badge).to_have_text("99+")
    expect(badge).to_be_in_viewport(ratio=1)
    place = badge.evaluate(BADGE_PLACE)
    left, top, right, bottom = place["box"]
    assert left >= 0 and right <= place["width"] and top >= 0 and bottom <= place["height"], place
    assert place["clipped"] == [] and place["covered"] == [], place
