"""Security headers and cookie flags in the production posture the tests run with."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role

from .factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_csp_and_frame_headers_on_every_page(client: Client) -> None:
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Language"] == "nl"


def test_session_and_csrf_cookies_are_secure_and_http_only(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    # Gone with the browser; the idle timeout is enforced server-side (SESSION_COOKIE_AGE).
    assert session["max-age"] == "" and session["expires"] == ""


def test_post_without_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_language_switch_keeps_dutch_default_and_allows_english(client: Client) -> None:
    client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert client.get(reverse("login"))["Content-Language"] == "nl"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get(reverse("login"))["Content-Language"] == "en"


@pytest.mark.django_db
def test_english_translation_is_available(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    from .factories import login

    login(client, user)
    assert "Mijn inwoners" in client.get(reverse("casework:caseload")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("casework:caseload")).content.decode()
    assert "My residents" in body and "Mijn inwoners" not in body


@pytest.mark.django_db
def test_idle_session_expires(client: Client) -> None:
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from .factories import login, make_case

    user = make_user(Role.CONSULTANT)
    make_case(user, name="Stille Sien")
    login(client, user)
    assert "Stille Sien" in client.get(reverse("casework:caseload")).content.decode()
    # Every request renews the expiry; an expired session (15 idle minutes) is gone.
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + timedelta(minutes=14)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("casework:caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_default_purpose_follows_the_language_and_a_configured_one_is_kept(
    client: Client, settings: Any
) -> None:
    from .factories import login, make_case

    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    login(client, user)
    url = reverse("casework:resident", args=[trajectory.resident_id])
    assert "op basis van vrijwillige deelname" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "based on voluntary participation" in client.get(url).content.decode()
    settings.BSZ_PURPOSE = "Eigen doelomschrijving van de gemeente."
    assert "Eigen doelomschrijving van de gemeente." in client.get(url).content.decode()
