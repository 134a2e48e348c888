"""Staff change their own password: the old one is required, the session stays verified,
the change is audited, and a session without the TOTP step cannot reach the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent

from .factories import PASSWORD, login, make_user

pytestmark = pytest.mark.django_db
NEW = "een-nieuw-en-lang-wachtwoord"


def test_change_own_password(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    login(client, user)
    url = reverse("password-change")
    wrong = client.post(url, {"old_password": "fout", "new_password1": NEW, "new_password2": NEW})
    assert wrong.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Still logged in and verified: the caseload opens without a new TOTP step.
    assert client.get(reverse("casework:caseload")).status_code == 200
    event = AuditEvent.objects.filter(actor=user, object_type="accounts.User").get()
    assert event.details["password"] == "changed" and NEW not in str(event.details)


def test_password_page_needs_the_totp_step(client: Client) -> None:
    client.force_login(make_user(Role.CONSULTANT))  # password only, no code yet
    response = client.get(reverse("password-change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp-verify"))
