"""Amounts as Stripe takes them: a whole number in the currency's minor unit.

Most currencies have two decimals (2000 EUR = €20.00); Stripe's zero-decimal currencies have
none (2000 JPY = ¥2000) and its three-decimal ones three (Stripe requires their amounts to end
in 0). Lists from Stripe's "Supported currencies" page.
"""

from __future__ import annotations

import re

ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])
# Stripe's largest amount is 99,999,999 in the minor unit (eight digits).
MAX_AMOUNT = 99_999_999
_CURRENCY = re.compile(r"^[a-z]{3}$")


def is_currency_code(text: str) -> bool:
    """An ISO 4217 alphabetic code, lower-cased as Stripe writes it."""
    return bool(_CURRENCY.match(text))


def decimals(currency: str) -> int:
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def amount_problem(amount: int, currency: str) -> str | None:
    """Why Stripe would not take this amount of this currency, or None."""
    if not 1 <= amount <= MAX_AMOUNT:
        return f"must be between 1 and {MAX_AMOUNT:,} (in the currency's minor unit)"
    if decimals(currency) == 3 and amount % 10:
        return "must end in 0 for a three-decimal currency (Stripe's rule)"
    return None


def shown(amount: int, currency: str) -> str:
    """``20.00 EUR``, ``2000 JPY``: the amount in major units with the currency's decimals."""
    places = decimals(currency)
    if places == 0:
        return f"{amount} {currency.upper()}"
    major, minor = divmod(amount, 10**places)
    return f"{major}.{minor:0{places}d} {currency.upper()}"


def share(amount: int, percent: int, currency: str) -> int:
    """``percent`` of ``amount``, rounded down to what the currency can pay out."""
    part = amount * percent // 100
    if decimals(currency) == 3:
        part -= part % 10
    return part
