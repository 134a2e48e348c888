"""No page with personal data stays in a browser's or proxy's cache: every page the app
renders says ``Cache-Control: no-store`` (web/accounts/middleware.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bestaanszekerheid.web.accounts.models import Role

from .factories import login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db


def _plain_names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    """Names of every URL without parameters, with their namespace."""
    names: list[str] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            space = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names += _plain_names(p.url_patterns, space)
        elif p.name and not p.pattern.regex.groups:
            names.append(prefix + p.name)
    return names


def test_every_page_for_every_role_says_no_store() -> None:
    team = make_team()
    owner = make_user(Role.CONSULTANT, team)
    trajectory = make_case(owner, name="Gerda Geheim")
    names = _plain_names(get_resolver().url_patterns)
    assert "casework:caseload" in names and "login" in names
    seen = 0
    for role in Role.values:
        client = Client()
        login(client, owner if role == Role.CONSULTANT else make_user(role, team))
        urls = [reverse(n) for n in names if n not in ("logout", "set_language")]
        urls.append(reverse("casework:resident", args=[trajectory.resident.pk]))
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                seen += 1
                assert "no-store" in response["Cache-Control"], url
                assert "private" in response["Cache-Control"], url
    assert seen > 20
    # Also before logging in.
    assert "no-store" in Client().get(reverse("login"))["Cache-Control"]
