"""What apps above the devices add to a service contract's page (R35), the way they add panels to
the work-order page: the devices app knows no work order, so the servicing app registers the
panel of the maintenance work orders a contract's plans generated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ContractPanel:
    """A card on the contract page: `template` rendered with `context(request, contract)`."""

    template: str
    context: Callable[[Any, Any], dict[str, Any]]
    order: int = 50


contract_panels: list[ContractPanel] = []


def register_contract_panel(
    template: str, context: Callable[[Any, Any], dict[str, Any]], order: int = 50
) -> None:
    contract_panels.append(ContractPanel(template, context, order))
    contract_panels.sort(key=lambda panel: panel.order)
