"""Factories of the servicing records that are plain reference data (lifecycle records are made
through the services in the tests, so that their events and rules apply)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from aftersales.servicing.models import Vendor


class VendorFactory(DjangoModelFactory):
    class Meta:
        model = Vendor
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"上海精修电子维修中心{n}号")
    contact_name = "陈工"
    phone = "021-64381234"
    address = "上海市徐汇区漕溪北路 88 号"
    lead_time_days = 5

    @factory.post_generation
    def product_lines(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.product_lines.set(extracted)
