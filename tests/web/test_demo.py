"""The demo organisation: one user per role with TOTP, synthetic residents only, idempotent."""

from __future__ import annotations

from datetime import date

import pytest

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.demo import create_demo
from bestaanszekerheid.web.residents.models import Resident

pytestmark = pytest.mark.django_db


def test_demo_organisation() -> None:
    accounts = create_demo(date(2025, 6, 1))
    assert {a.role for a in accounts} == set(Role.values)
    assert all(
        a.otpauth_uri.startswith("otpauth://totp/") and len(a.otp_secret_b32) >= 16
        for a in accounts
    )
    n = Resident.objects.count()
    assert 60 <= n <= 80 and Resident.objects.filter(synthetic=False).count() == 0
    again = create_demo(date(2025, 6, 1))
    assert Resident.objects.count() == n  # a second start adds nothing
    user = User.objects.get(username=again[0].username)
    assert user.check_password(again[0].password) and not user.check_password(accounts[0].password)
