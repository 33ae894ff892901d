"""Reads of the catalog."""

from __future__ import annotations

from aftersales.core.reference import ReferenceCache

from .models import ProductLine, ProductModel


def _product_models_load() -> dict[int, ProductModel]:
    return {model.pk: model for model in ProductModel.objects.select_related("product_line")}


# Every product model with its line, by id: intake resolves the model a request names from memory
# (issue 9); a few hundred rows, changed in the admin.
PRODUCT_MODELS = ReferenceCache(
    "catalog.product_models", _product_models_load, depends_on=(ProductModel, ProductLine)
)
