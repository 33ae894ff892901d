"""Factories for every model the tests build; realistic Chinese data, deterministic sequences."""

from __future__ import annotations

from datetime import date

import factory
from factory.django import DjangoModelFactory

from aftersales.accounts.choices import Role
from aftersales.accounts.models import Dealer, Engineer, Qualification, ServicePoint, User
from aftersales.catalog.models import Part, ProductLine, ProductModel
from aftersales.customers.models import Contact, Customer
from aftersales.devices.models import Device
from aftersales.workorders.choices import Channel, WorkOrderType
from aftersales.workorders.models import WorkOrder

PASSWORD = "demo-pass-123"


class DealerFactory(DjangoModelFactory):
    class Meta:
        model = Dealer
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"华东经销商{n}号")


class ServicePointFactory(DjangoModelFactory):
    class Meta:
        model = ServicePoint

    code = factory.Sequence(lambda n: f"SP{n:03d}")
    name = factory.Sequence(lambda n: f"上海服务网点{n}")
    dealer = factory.SubFactory(DealerFactory)
    province = "上海市"
    city = "上海市"
    district = "浦东新区"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "王"
    first_name = factory.Sequence(lambda n: f"小{n}")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProductLineFactory(DjangoModelFactory):
    class Meta:
        model = ProductLine
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"PL{n}")
    name = factory.Sequence(lambda n: f"打印机{n}")


class ProductModelFactory(DjangoModelFactory):
    class Meta:
        model = ProductModel

    product_line = factory.SubFactory(ProductLineFactory)
    code = factory.Sequence(lambda n: f"LJ-{1000 + n}")
    name = "激光打印机"


class PartFactory(DjangoModelFactory):
    class Meta:
        model = Part
        django_get_or_create = ["number"]
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"FU-{2000 + n}")
    name = "定影组件"

    @factory.post_generation
    def fits(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.fits.set(extracted)


class EngineerFactory(DjangoModelFactory):
    class Meta:
        model = Engineer

    user = factory.SubFactory(UserFactory, role=Role.ENGINEER)
    service_point = factory.SubFactory(ServicePointFactory)
    employee_no = factory.Sequence(lambda n: f"E{n:04d}")


class QualificationFactory(DjangoModelFactory):
    class Meta:
        model = Qualification

    engineer = factory.SubFactory(EngineerFactory)
    product_line = factory.SubFactory(ProductLineFactory)
    certified_on = date(2025, 1, 1)
    expires_on = date(2027, 12, 31)


# Personal data every test world carries: none of it may ever reach a log line (R41). The whole
# suite's logs are searched for these, and for unmasked phone numbers, when it ends (conftest).
CANARY_CUSTOMER = "星辰科技"
CANARY_CONTACT = "李娜"
CANARY_STREET = "金雀路"
PERSONAL_DATA_CANARIES = (CANARY_CUSTOMER, CANARY_CONTACT, CANARY_STREET)


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"上海{CANARY_CUSTOMER}有限公司{n}")
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    email = ""
    address = factory.Sequence(lambda n: f"{CANARY_STREET} {n} 号")

    @factory.post_generation
    def search_words(obj, create, extracted, **kwargs):
        """Found by its words like a customer saved through the services (customers.search)."""
        if create:
            from aftersales.customers.search import customer_search_refresh

            customer_search_refresh([obj.pk])


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    name = CANARY_CONTACT
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")

    @factory.post_generation
    def search_words(obj, create, extracted, **kwargs):
        if create:
            from aftersales.customers.search import customer_search_refresh

            customer_search_refresh([obj.customer_id])


class DeviceFactory(DjangoModelFactory):
    class Meta:
        model = Device
        skip_postgeneration_save = True

    product_model = factory.SubFactory(ProductModelFactory)
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    customer = factory.SubFactory(CustomerFactory)
    purchase_date = date(2026, 3, 1)

    @factory.post_generation
    def search_words(obj, create, extracted, **kwargs):
        """Found by its words like a device saved through the services (devices.search)."""
        if create:
            from aftersales.devices.search import device_search_refresh

            device_search_refresh([obj.pk])


class WorkOrderFactory(DjangoModelFactory):
    """A work order straight in the database (state as given); use services to test behaviour."""

    class Meta:
        model = WorkOrder
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"WO20261122{n:04d}")
    channel = Channel.PHONE
    type = WorkOrderType.REPAIR
    customer = factory.SubFactory(CustomerFactory)
    contact_name = CANARY_CONTACT
    contact_phone = factory.Sequence(lambda n: f"+86137{n:08d}")
    device_model_text = "HP LaserJet M1005"
    fault_symptom = "开机后卡纸，无法打印"
    service_point = factory.SubFactory(ServicePointFactory)

    @factory.post_generation
    def search_words(obj, create, extracted, **kwargs):
        """Found by its words like a work order taken through the services (workorders.search)."""
        if create:
            from aftersales.workorders.search import workorder_search_refresh

            workorder_search_refresh([obj.pk])


# --- price lists and fee standards ---


class PriceListFactory(DjangoModelFactory):
    """Version 1 of a national price list from 2026-01-01; prices in PriceListItemFactory."""

    class Meta:
        model = "catalog.PriceList"

    name = factory.Sequence(lambda n: f"2026 零售价目表 {n}")
    version = 1
    effective_from = date(2026, 1, 1)


class PriceListItemFactory(DjangoModelFactory):
    class Meta:
        model = "catalog.PriceListItem"

    price_list = factory.SubFactory(PriceListFactory)
    part = factory.SubFactory(PartFactory)
    cost_price = "100.00"
    retail_price = "150.00"


class FeeScheduleFactory(DjangoModelFactory):
    class Meta:
        model = "catalog.FeeSchedule"
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{2000 + n}")
    name = factory.LazyAttribute(lambda o: f"{o.code}版收费标准")
    effective_from = date(2025, 1, 1)


class FeeStandardFactory(DjangoModelFactory):
    class Meta:
        model = "catalog.FeeStandard"

    schedule = factory.SubFactory(FeeScheduleFactory)
    kind = "diagnosis"
    unit = "per_time"
    amount = "50.00"


# --- service contracts ---


class ServiceContractFactory(DjangoModelFactory):
    """R35: an active extended warranty for 2027 on one device of its customer, sold by a clerk
    (straight in the database; use the services to test behaviour)."""

    class Meta:
        model = "devices.ServiceContract"
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"HT20261201{n:04d}")
    customer = factory.SubFactory(CustomerFactory)
    kind = "extended_warranty"
    state = "active"
    starts_on = date(2027, 1, 1)
    ends_on = date(2027, 12, 31)
    price = "1280.00"
    sold_by = factory.SubFactory(UserFactory, role=Role.CLERK)

    @factory.post_generation
    def devices(self, create, extracted, **kwargs):
        if not create:
            return
        self.devices.set(extracted if extracted is not None else [DeviceFactory(customer=self.customer)])


class MaintenancePlanFactory(DjangoModelFactory):
    class Meta:
        model = "devices.MaintenancePlan"

    contract = factory.SubFactory(ServiceContractFactory, kind="maintenance")
    every_n_months = 3
    lead_days = 7
    first_due_on = date(2027, 1, 15)
    created_by = factory.SelfAttribute("contract.sold_by")
