"""Pure scoring (R5): coverage levels and distance."""

from aftersales.field import dispatch
from aftersales.field.dispatch import Region


def test_r5_area_levels_district_city_province():
    place = Region("上海市", "上海市", "徐汇区")
    assert dispatch.area_level(Region("上海市", "上海市", "徐汇区"), place) == dispatch.DISTRICT
    assert dispatch.area_level(Region("上海市", "上海市", ""), place) == dispatch.CITY
    assert dispatch.area_level(Region("上海市", "", ""), place) == dispatch.PROVINCE
    assert dispatch.area_level(Region("上海市", "上海市", "浦东新区"), place) == dispatch.NONE
    assert dispatch.area_level(Region("江苏省", "", ""), place) == dispatch.NONE


def test_r5_point_without_areas_covers_its_own_region():
    place = Region("江苏省", "南京市", "鼓楼区")
    assert dispatch.region_level(Region("江苏省", "南京市", "鼓楼区"), [], place) == dispatch.DISTRICT
    assert dispatch.region_level(Region("江苏省", "南京市", ""), [], place) == dispatch.CITY
    assert dispatch.region_level(Region("江苏省", "苏州市", ""), [], place) == dispatch.PROVINCE
    assert dispatch.region_level(Region("浙江省", "杭州市", ""), [], place) == dispatch.NONE


def test_r5_haversine_shanghai_to_beijing():
    km = dispatch.haversine_km(31.2304, 121.4737, 39.9042, 116.4074)
    assert 1060 < km < 1075
    assert dispatch.distance_km(None, (31.0, 121.0)) is None
    assert dispatch.distance_km((31.0, 121.0), (None, None)) is None


def test_r38_best_engineer_never_unqualified_or_absent():
    facts = [
        dispatch.EngineerFacts(key=0, employee_no="E1", load=0, on_leave=False, qualified=False),
        dispatch.EngineerFacts(key=1, employee_no="E2", load=0, on_leave=True, qualified=True),
        dispatch.EngineerFacts(key=2, employee_no="E3", load=5, on_leave=False, qualified=True),
        dispatch.EngineerFacts(key=3, employee_no="E4", load=2, on_leave=False, qualified=True),
    ]
    assert dispatch.best_engineer(facts).key == 3
    assert dispatch.best_engineer(facts[:2]) is None
