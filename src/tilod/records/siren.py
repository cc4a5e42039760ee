"""SIREN numbers: 9 digits whose Luhn check digit is valid."""

from __future__ import annotations


def is_valid_siren(value: str) -> bool:
    """True for a 9-digit SIREN with a valid Luhn check digit.

    >>> is_valid_siren("200071892")
    True
    >>> is_valid_siren("200071893")
    False
    >>> is_valid_siren("20007189")
    False
    """
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(value)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
