"""Functional administrator screens: staff accounts, teams and partners, for that role only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts.models import CredentialKind, CredentialReset, Role, Team, User
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.audit.service import verify_chain
from bestaanszekerheid.web.referrals.models import PartnerOrganisation

from .factories import PASSWORD, approved_link, login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db

TARGET_USERNAME = "doelwit-medewerker"


@pytest.fixture()
def org() -> dict[str, Any]:
    team = make_team("Team West")
    return {
        "team": team,
        "admin": make_user(Role.FUNCTIONAL_ADMIN, team, username="beheer1"),
        "target": make_user(Role.CONSULTANT, team, username=TARGET_USERNAME),
        "partner": PartnerOrganisation.objects.create(name="Voedselbank", description="pakketten"),
    }


def _events(actor: User, object_type: str | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(actor=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    return list(events.order_by("id"))


# (method, url name, object key in the fixture or None, POST data)
ADMIN_VIEWS: list[tuple[str, str, str | None, dict[str, str]]] = [
    ("get", "casework:admin-users", None, {}),
    ("get", "casework:admin-user-create", None, {}),
    (
        "post",
        "casework:admin-user-create",
        None,
        {
            "username": "indringer",
            "first_name": "In",
            "last_name": "Dringer",
            "role": "functioneel_beheerder",
        },
    ),
    ("get", "casework:admin-user", "target", {}),
    (
        "post",
        "casework:admin-user",
        "target",
        {"first_name": "X", "last_name": "Y", "role": "functioneel_beheerder"},
    ),
    ("post", "casework:admin-user-active", "target", {}),
    ("post", "casework:admin-user-reset-otp", "target", {}),
    ("post", "casework:admin-user-password-link", "target", {}),
    ("get", "casework:admin-teams", None, {}),
    ("post", "casework:admin-teams", None, {"name": "Nieuw team"}),
    ("get", "casework:admin-team", "team", {}),
    ("post", "casework:admin-team", "team", {"name": "Hernoemd"}),
    ("get", "casework:admin-partner", "partner", {}),
    ("post", "casework:admin-partner", "partner", {"name": "Gekaapt"}),
    ("post", "casework:partner-toggle", "partner", {}),
]


def _url(org: dict[str, Any], name: str, key: str | None) -> str:
    return reverse(name, args=[org[key].pk]) if key else reverse(name)


@pytest.mark.parametrize(
    "role", [Role.CONSULTANT, Role.TEAM_LEAD, Role.PRIVACY_OFFICER, Role.ANALYST]
)
def test_other_roles_are_refused_every_admin_view(
    client: Client, org: dict[str, Any], role: str
) -> None:
    intruder = make_user(role, org["team"])
    login(client, intruder)
    users_before = User.objects.count()
    for method, name, key, data in ADMIN_VIEWS:
        url = _url(org, name, key)
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code in (403, 404), name
        body = response.content.decode()
        assert TARGET_USERNAME not in body and "/inloggen/wachtwoord/" not in body, name
    # Nothing changed and nothing was written on the intruder's behalf.
    target: User = org["target"]
    target.refresh_from_db()
    assert (target.role, target.is_active, target.first_name) == (Role.CONSULTANT, True, "Test")
    assert target.check_password(PASSWORD)
    assert TOTPDevice.objects.filter(user=target, confirmed=True).exists()
    assert User.objects.count() == users_before
    assert Team.objects.get(pk=org["team"].pk).name == "Team West"
    assert not Team.objects.filter(name="Nieuw team").exists()
    partner = PartnerOrganisation.objects.get(pk=org["partner"].pk)
    assert (partner.name, partner.active) == ("Voedselbank", True)
    assert _events(intruder) == []


def test_anonymous_and_password_only_admin_are_sent_away(org: dict[str, Any]) -> None:
    anonymous = Client()
    response = anonymous.get(reverse("casework:admin-users"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    password_only = Client()
    password_only.post(reverse("login"), {"username": "beheer1", "password": PASSWORD})
    response = password_only.get(reverse("casework:admin-users"))
    assert response.status_code == 302 and response["Location"] == reverse("otp-verify")


def test_user_list_shows_staff_and_2fa_state_but_no_case_content(
    client: Client, org: dict[str, Any]
) -> None:
    make_case(org["target"], name="Geheime Gijs")
    no_device = make_user(Role.ANALYST, username="zonder-app")
    TOTPDevice.objects.filter(user=no_device).delete()
    login(client, org["admin"])
    response = client.get(reverse("casework:admin-users"))
    assert response.status_code == 200
    body = response.content.decode()
    assert TARGET_USERNAME in body and "zonder-app" in body and "Team West" in body
    assert "Geheime Gijs" not in body
    rows = {m.username: m.has_totp for m in response.context["staff"]}
    assert rows[TARGET_USERNAME] is True and rows["zonder-app"] is False


def test_admin_creates_a_user_who_gets_a_one_time_link(client: Client, org: dict[str, Any]) -> None:
    admin = org["admin"]
    login(client, admin)
    response = client.post(
        reverse("casework:admin-user-create"),
        {
            "username": "jdevries",
            "first_name": "Jan",
            "last_name": "de Vries",
            "role": Role.TEAM_LEAD,
            "team": org["team"].pk,
        },
    )
    user = User.objects.get(username="jdevries")
    # No link yet: a second person approves it first (ADR 0053), as for every reset.
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:admin-user", args=[user.pk])
    assert CredentialReset.objects.get(target=user).kind == CredentialKind.ACCOUNT
    page = client.get(response["Location"]).content.decode()
    assert "/inloggen/wachtwoord/" not in page and "Open verzoek" in page
    assert (user.role, user.team, user.is_active) == (Role.TEAM_LEAD, org["team"], True)
    # Nobody knows a password yet, and the 2FA app is set up by the user at first login.
    assert not user.has_usable_password()
    assert not TOTPDevice.objects.filter(user=user).exists()
    link = approved_link(client, user, org["team"])
    assert "/inloggen/wachtwoord/" in link
    event = _events(admin, "accounts.User")[0]
    assert (event.action, event.object_id, event.purpose) == (
        "create",
        str(user.pk),
        "functioneel beheer",
    )
    assert event.details["role"] == Role.TEAM_LEAD
    steps = [e.details["step"] for e in _events(admin, "accounts.CredentialReset")]
    assert steps == ["requested", "executed"]
    assert verify_chain().ok


def test_admin_cannot_approve_an_account_they_created(client: Client, org: dict[str, Any]) -> None:
    """The sock puppet: an administrator creates a privacy officer account of their own to
    approve their own resets with. Its link needs someone else's approval first."""
    admin = org["admin"]
    login(client, admin)
    client.post(
        reverse("casework:admin-user-create"),
        {"username": "pop", "first_name": "P", "last_name": "Op", "role": Role.PRIVACY_OFFICER},
    )
    puppet = User.objects.get(username="pop")
    reset = CredentialReset.objects.get(target=puppet)
    response = client.post(reverse("casework:admin-reset-approve", args=[reset.pk]), follow=True)
    assert "Je kunt dit verzoek niet goedkeuren" in response.content.decode()
    response = client.post(reverse("casework:admin-reset-link", args=[reset.pk]), follow=True)
    assert "/inloggen/wachtwoord/" not in response.content.decode()
    puppet.refresh_from_db()
    assert not puppet.has_usable_password()


def test_create_refuses_consultant_without_team_and_duplicate_username(
    client: Client, org: dict[str, Any]
) -> None:
    login(client, org["admin"])
    url = reverse("casework:admin-user-create")
    data = {"username": "nieuw", "first_name": "N", "last_name": "W", "role": Role.CONSULTANT}
    response = client.post(url, data)
    assert response.status_code == 200 and "hoort bij een team" in response.content.decode()
    response = client.post(
        url, {**data, "username": TARGET_USERNAME.upper(), "team": org["team"].pk}
    )
    assert response.status_code == 200 and "bestaat al" in response.content.decode()
    assert not User.objects.filter(username__in=["nieuw", TARGET_USERNAME.upper()]).exists()
    assert _events(org["admin"]) == []


def test_admin_changes_role_and_team(client: Client, org: dict[str, Any]) -> None:
    other_team = make_team("Team Oost")
    target = org["target"]
    login(client, org["admin"])
    response = client.post(
        reverse("casework:admin-user", args=[target.pk]),
        {
            "first_name": "Test",
            "last_name": target.last_name,
            "role": Role.TEAM_LEAD,
            "team": other_team.pk,
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.role, target.team) == (Role.TEAM_LEAD, other_team)
    (event,) = _events(org["admin"], "accounts.User")
    assert event.action == "update" and event.object_id == str(target.pk)
    assert event.details["changed"] == ["role", "team"]
    assert event.details["role"] == [Role.CONSULTANT, Role.TEAM_LEAD]
    assert event.details["team"] == [org["team"].pk, other_team.pk]


def test_admin_cannot_change_own_role(client: Client, org: dict[str, Any]) -> None:
    admin = org["admin"]
    login(client, admin)
    response = client.post(
        reverse("casework:admin-user", args=[admin.pk]),
        {
            "first_name": "Test",
            "last_name": admin.last_name,
            "role": Role.CONSULTANT,
            "team": org["team"].pk,
        },
    )
    assert response.status_code == 200
    assert "eigen rol niet wijzigen" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.FUNCTIONAL_ADMIN
    assert _events(admin) == []
    # Changing their own name is fine.
    response = client.post(
        reverse("casework:admin-user", args=[admin.pk]),
        {"first_name": "Koen", "last_name": admin.last_name, "role": Role.FUNCTIONAL_ADMIN},
    )
    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.first_name == "Koen"


def test_admin_cannot_deactivate_themselves(client: Client, org: dict[str, Any]) -> None:
    admin = org["admin"]
    login(client, admin)
    response = client.post(reverse("casework:admin-user-active", args=[admin.pk]), follow=True)
    assert "eigen account niet deactiveren" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert _events(admin) == []


def test_deactivated_user_cannot_log_in_and_is_logged_out(
    client: Client, org: dict[str, Any]
) -> None:
    target = org["target"]
    target_session = login(Client(), target)
    assert target_session.get(reverse("casework:caseload")).status_code == 200
    login(client, org["admin"])
    client.post(reverse("casework:admin-user-active", args=[target.pk]))
    target.refresh_from_db()
    assert not target.is_active
    assert User.objects.filter(pk=target.pk).exists()  # never deleted
    # The open session ends ...
    response = target_session.get(reverse("casework:caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # ... and the password no longer gets anyone in.
    fresh = Client()
    response = fresh.post(reverse("login"), {"username": TARGET_USERNAME, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in fresh.session
    (event,) = _events(org["admin"], "accounts.User")
    assert event.details["is_active"] is False
    # Reactivating lets them in again.
    client.post(reverse("casework:admin-user-active", args=[target.pk]))
    response = fresh.post(reverse("login"), {"username": TARGET_USERNAME, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in fresh.session
    assert [e.details["is_active"] for e in _events(org["admin"], "accounts.User")] == [False, True]


def _approve(reset_kind: str, target: User, team: Team) -> None:
    """A privacy officer approves the open request (four eyes, ADR 0053)."""
    reset = CredentialReset.objects.get(target=target, kind=reset_kind, approved_at__isnull=True)
    officer = login(Client(), make_user(Role.PRIVACY_OFFICER, team))
    officer.post(reverse("casework:admin-reset-approve", args=[reset.pk]))


def test_reset_2fa_sends_the_user_to_enrolment(client: Client, org: dict[str, Any]) -> None:
    target = org["target"]
    target_session = login(Client(), target)
    login(client, org["admin"])
    response = client.post(reverse("casework:admin-user-reset-otp", args=[target.pk]))
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=target).exists()  # only a request so far
    _approve(CredentialKind.TOTP, target, org["team"])
    assert not TOTPDevice.objects.filter(user=target).exists()
    events = _events(org["admin"], "accounts.CredentialReset")
    assert [e.details["step"] for e in events] == ["requested"]
    approval = AuditEvent.objects.get(details__step="approved")
    assert approval.details["devices_removed"] == 1 and approval.details["target"] == target.pk
    # The verified session is no longer verified: it ends up at enrolment, not at content.
    response = target_session.get(reverse("casework:caseload"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("otp-enrol")


def test_new_password_link_replaces_the_old_password(client: Client, org: dict[str, Any]) -> None:
    target = org["target"]
    login(client, org["admin"])
    response = client.post(reverse("casework:admin-user-password-link", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    _approve(CredentialKind.PASSWORD, target, org["team"])
    reset = CredentialReset.objects.get(target=target)
    response = client.post(reverse("casework:admin-reset-link", args=[reset.pk]))
    assert response.status_code == 200 and "/inloggen/wachtwoord/" in response.context["link"]
    target.refresh_from_db()
    assert not target.has_usable_password() and not target.check_password(PASSWORD)
    steps = [e.details["step"] for e in _events(org["admin"], "accounts.CredentialReset")]
    assert steps == ["requested", "executed"]


def test_teams_create_with_lead_and_rename(client: Client, org: dict[str, Any]) -> None:
    lead = make_user(Role.TEAM_LEAD, org["team"], first_name="Petra", last_name="Leider")
    login(client, org["admin"])
    response = client.post(reverse("casework:admin-teams"), {"name": "Team Zuid", "lead": lead.pk})
    assert response.status_code == 302
    team = Team.objects.get(name="Team Zuid")
    lead.refresh_from_db()
    assert lead.team == team
    body = client.get(reverse("casework:admin-teams")).content.decode()
    assert "Team Zuid" in body and "Petra Leider" in body
    response = client.post(
        reverse("casework:admin-team", args=[team.pk]), {"name": "Team Zuid-Oost"}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Team Zuid-Oost"
    # A duplicate name is refused.
    response = client.post(reverse("casework:admin-teams"), {"name": "Team West"})
    assert response.status_code == 200 and Team.objects.filter(name="Team West").count() == 1
    # Adding a lead without renaming records only the move of that lead.
    second = make_user(Role.TEAM_LEAD, org["team"])
    client.post(
        reverse("casework:admin-team", args=[team.pk]),
        {"name": "Team Zuid-Oost", "lead": second.pk},
    )
    assert set(team.members.filter(role=Role.TEAM_LEAD)) == {lead, second}
    events = [(e.object_type, e.action) for e in _events(org["admin"])]
    assert events == [
        ("accounts.Team", "create"),
        ("accounts.User", "update"),
        ("accounts.Team", "update"),
        ("accounts.User", "update"),
    ]


def test_partner_edit_and_toggle_are_audited(client: Client, org: dict[str, Any]) -> None:
    partner = org["partner"]
    login(client, org["admin"])
    response = client.post(
        reverse("casework:admin-partner", args=[partner.pk]),
        {"name": "Voedselbank Tilburg", "description": "pakketten en advies"},
    )
    assert response.status_code == 302
    client.post(reverse("casework:partner-toggle", args=[partner.pk]))
    partner.refresh_from_db()
    assert (partner.name, partner.active) == ("Voedselbank Tilburg", False)
    events = _events(org["admin"], "referrals.PartnerOrganisation")
    assert [e.action for e in events] == ["update", "update"]
    assert events[0].details["changed"] == ["description", "name"]
    assert events[1].details["active"] is False
