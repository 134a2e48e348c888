"""The Dutch citizen service number (BSN): the 11-test and masking."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def is_valid_bsn(value: str) -> bool:
    """True for nine digits passing the 11-test (weights 9..2 and -1), not all zeros."""
    if len(value) != 9 or not value.isdigit() or value == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(value, weights, strict=True)) % 11 == 0


def normalise_bsn(value: str) -> str:
    """Strip spaces, dots and dashes; pad an eight-digit BSN with a leading zero."""
    digits = "".join(ch for ch in value if ch not in " .-")
    return digits.zfill(9) if len(digits) == 8 and digits.isdigit() else digits


def validate_bsn(value: str) -> None:
    """Django validator: raise with a Dutch message when the 11-test fails."""
    if value and not is_valid_bsn(normalise_bsn(value)):
        raise ValidationError(_("Dit is geen geldig BSN (de elfproef klopt niet)."), code="bsn")


def mask_bsn(value: str | None) -> str:
    """Only the last three digits are ever shown: ``******123``."""
    if not value:
        return ""
    return "*" * (len(value) - 3) + value[-3:]


def bsn_reference(value: str) -> str:
    """A keyed hash of a BSN for the audit log: the same BSN gives the same reference (so
    repeated attempts with one number can be seen), but the number cannot be read back or
    found by trying all 10^9 of them without the server's secret key."""
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, b"bsn:" + normalise_bsn(value).encode(), hashlib.sha256)
    return digest.hexdigest()[:20]
