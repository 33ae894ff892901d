"""Money rules (issue 10): Decimal with 2 places, half up per line, then summed; never float; the
total equals its rounded lines, never negative, the same after a JSON round trip; amounts in
words as on a Chinese receipt."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.money import cny, in_words, line_amount, total, yuan

quantities = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=0, max_value=100_000, places=4, allow_nan=False, allow_infinity=False)
lines = st.lists(st.tuples(quantities, prices), max_size=30)


@given(lines)
def test_a_total_is_the_sum_of_its_rounded_lines_never_negative(items):
    amounts = [line_amount(quantity, price) for quantity, price in items]
    assert all(amount.as_tuple().exponent == -2 for amount in amounts)
    quote_total = total(amounts)
    assert quote_total == sum(amounts, Decimal("0.00")) and quote_total >= 0
    assert quote_total.as_tuple().exponent == -2


@given(lines)
def test_amounts_survive_a_json_round_trip_as_strings(items):
    amounts = [line_amount(quantity, price) for quantity, price in items]
    document = json.dumps({"lines": [str(a) for a in amounts], "total": str(total(amounts))})
    read = json.loads(document)
    assert [cny(a) for a in read["lines"]] == amounts
    assert cny(read["total"]) == total(amounts)


@given(st.lists(quantities, max_size=10), st.lists(quantities, max_size=10))
def test_per_payer_totals_add_up_to_the_total(customer, manufacturer):
    assert total(customer) + total(manufacturer) == total([*customer, *manufacturer])


def test_rounding_is_half_up_per_line_then_summed():
    assert cny("0.125") == Decimal("0.13") and cny("0.135") == Decimal("0.14")  # not banker's
    assert line_amount("1.5", "33.33") == Decimal("50.00")  # 49.995 → 50.00
    # three lines of 0.333… each: rounded per line, the total is 0.99, not 1.00
    assert total([line_amount(1, "0.3333")] * 3) == Decimal("0.99")
    assert cny(7) == Decimal("7.00") and cny(" 12.5 ") == Decimal("12.50")


def test_floats_and_non_numbers_are_refused():
    with pytest.raises(TypeError):
        cny(0.1)
    with pytest.raises(TypeError):
        line_amount(2, 0.3)
    with pytest.raises(TypeError):
        cny(True)
    for bad in ("", "12,5", "abc", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            cny(bad)


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
        ("100", "壹佰元整"),
        ("1005", "壹仟零伍元整"),
        ("10000.01", "壹万元零壹分"),
        ("0", "零元整"),
        ("0.125", "壹角叁分"),  # words of the rounded amount
    ],
)
def test_amount_in_words_as_on_a_receipt(amount, words):
    assert in_words(amount) == words


def test_amount_for_people():
    assert yuan("1234.5") == "¥1,234.50" and yuan(0) == "¥0.00" and yuan("-8") == "-¥8.00"
