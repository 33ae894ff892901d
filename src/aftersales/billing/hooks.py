"""What billing adds to the work-order page: the quote panel (money tab). Importing `services`
puts the quote machine's own hooks in place (the next version on "revise")."""

from __future__ import annotations

from aftersales.workorders.hooks import register_detail_panel

from . import panels, services  # noqa: F401  (services registers the machine's hooks)

register_detail_panel("billing/_quote_panel.html", panels.quote_panel, order=20, tab="money")
