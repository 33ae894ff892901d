"""Money in CNY (issue 10): `Decimal` with 2 places, never float; one rounding rule, half up, per
line, then the rounded lines summed (Chinese invoices round each line, and 价税合计 is the sum of
the rounded lines); the amount in words (大写金额) for receipts and quotes.

SQLite stores a DecimalField as REAL (Django ticket #29823): no money arithmetic in SQL
annotations; services compute totals here and store them. In the API amounts are strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Up to 999,999,999,999.99: DecimalField(max_digits=MAX_DIGITS, decimal_places=2).
MAX_DIGITS = 14

Amount = Decimal | str | int


def cny(value: Amount) -> Decimal:
    """`value` as an amount with 2 places, rounded half up. Floats are refused (0.1 + 0.2 is not
    0.3 in binary); so are text that is not a number, infinities and NaN."""
    if isinstance(value, (float, bool)):
        raise TypeError(f"amounts are Decimal, str or int, not {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    if not amount.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, ROUND_HALF_UP)


def line_amount(quantity: Amount, unit_price: Amount) -> Decimal:
    """One line: quantity (parts, or hours such as 1.5) × unit price, rounded half up."""
    for value in (quantity, unit_price):
        if isinstance(value, (float, bool)):
            raise TypeError(f"amounts are Decimal, str or int, not {type(value).__name__}")
    return cny(Decimal(quantity) * Decimal(unit_price))


def total(amounts: Iterable[Amount]) -> Decimal:
    """The sum of the amounts, each rounded first: the total always equals its lines."""
    return sum((cny(amount) for amount in amounts), ZERO)


def in_words(amount: Amount) -> str:
    """The amount in words as on a receipt, e.g. 壹万贰仟叁佰肆拾伍元陆角柒分, 壹佰元整."""
    import cn2an  # 0.1 s and 6 MB to import: only where an amount is written in words

    return cn2an.an2cn(str(cny(amount)), "rmb")


def yuan(amount: Amount) -> str:
    """The amount for people: ¥1,234.50."""
    value = cny(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
