"""Error pages are Dutch (English through the switch) and name a way on, in the production
settings the tests run with (DEBUG off)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role

from .factories import login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db


def test_not_found_is_dutch(client: Client) -> None:
    login(client, make_user(Role.CONSULTANT))
    response = client.get("/bestaat-niet/")
    body = response.content.decode()
    assert response.status_code == 404 and "Pagina niet gevonden" in body
    assert "Not Found" not in body and "Naar de startpagina" in body


def test_forbidden_is_dutch(client: Client) -> None:
    login(client, make_user(Role.ANALYST))
    response = client.get(reverse("casework:admin"))
    assert response.status_code == 403 and "Geen toegang" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "No access" in client.get(reverse("casework:admin")).content.decode()


def test_an_expired_form_is_dutch() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    body = response.content.decode()
    assert response.status_code == 403 and "Formulier verlopen" in body
    assert "CSRF verification failed" not in body


def test_a_too_large_form_is_dutch(client: Client) -> None:
    owner = make_user(Role.CONSULTANT, make_team())
    trajectory = make_case(owner)
    login(client, owner)
    response = client.post(
        reverse("casework:conversation-create", args=[trajectory.pk]),
        {"held_on": "2025-01-01", "channel": "deur", "notes": "x" * 3_000_000},
    )
    assert response.status_code == 400 and "Dit verzoek klopt niet" in response.content.decode()


def test_the_server_error_page_needs_no_request() -> None:
    page = render_to_string("500.html")
    assert "Er ging iets mis" in page and "Something went wrong" in page
