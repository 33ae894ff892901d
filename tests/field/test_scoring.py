"""Pure scoring (R5): coverage levels and distance."""

from aftersales.field import scoring
from aftersales.field.scoring import Region


def test_r5_area_levels_district_city_province():
    place = Region("上海市", "上海市", "徐汇区")
    assert scoring.area_level(Region("上海市", "上海市", "徐汇区"), place) == scoring.DISTRICT
    assert scoring.area_level(Region("上海市", "上海市", ""), place) == scoring.CITY
    assert scoring.area_level(Region("上海市", "", ""), place) == scoring.PROVINCE
    assert scoring.area_level(Region("上海市", "上海市", "浦东新区"), place) == scoring.NONE
    assert scoring.area_level(Region("江苏省", "", ""), place) == scoring.NONE


def test_r5_point_without_areas_covers_its_own_region():
    place = Region("江苏省", "南京市", "鼓楼区")
    assert scoring.region_level(Region("江苏省", "南京市", "鼓楼区"), [], place) == scoring.DISTRICT
    assert scoring.region_level(Region("江苏省", "南京市", ""), [], place) == scoring.CITY
    assert scoring.region_level(Region("江苏省", "苏州市", ""), [], place) == scoring.PROVINCE
    assert scoring.region_level(Region("浙江省", "杭州市", ""), [], place) == scoring.NONE


def test_r5_haversine_shanghai_to_beijing():
    km = scoring.haversine_km(31.2304, 121.4737, 39.9042, 116.4074)
    assert 1060 < km < 1075
    assert scoring.distance_km(None, (31.0, 121.0)) is None
    assert scoring.distance_km((31.0, 121.0), (None, None)) is None


def test_r38_best_engineer_never_unqualified_or_absent():
    facts = [
        scoring.EngineerFacts(key=0, employee_no="E1", load=0, on_leave=False, qualified=False),
        scoring.EngineerFacts(key=1, employee_no="E2", load=0, on_leave=True, qualified=True),
        scoring.EngineerFacts(key=2, employee_no="E3", load=5, on_leave=False, qualified=True),
        scoring.EngineerFacts(key=3, employee_no="E4", load=2, on_leave=False, qualified=True),
    ]
    assert scoring.best_engineer(facts).key == 3
    assert scoring.best_engineer(facts[:2]) is None
