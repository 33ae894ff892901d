"""Finding customers by their words (core.search, issue 12): the customer list and the global
search find 星河电子 in 苏州星河电子有限公司 and a customer by a contact's name or the district."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from aftersales.core.search import SearchIndex, document

from .models import Address, Contact, Customer

INDEX = SearchIndex("customers.CustomerSearch", table="customers_customersearch", key="customer_id")


def customer_search_refresh(customer_ids: Iterable[int]) -> None:
    """Rebuild these customers' words (three reads and one write, whatever their number)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    extra: dict[int, list[str]] = defaultdict(list)
    for customer_id, name in Contact.objects.filter(customer_id__in=ids).values_list("customer_id", "name"):
        extra[customer_id].append(name)
    for row in Address.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "province", "city", "district", "detail"
    ):
        extra[row[0]].extend(row[1:])
    rows = Customer.objects.filter(pk__in=ids).values_list(
        "pk", "name", "code", "province", "city", "district", "address"
    )
    INDEX.store({pk: document([*texts, *extra[pk]]) for pk, *texts in rows})
