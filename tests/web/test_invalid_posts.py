"""Every invalid POST is answered with a Dutch message and the text as typed, never a silent
redirect (issue 15, low findings); notes have a length limit and a counter."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.casework.forms import NOTES_MAX_LENGTH

from .factories import PASSWORD, RECENTLY, current_token, login, make_case, make_goal, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture()
def case() -> dict[str, Any]:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    return {"user": user, "trajectory": trajectory, "goal": make_goal(trajectory)}


def _post(client: Client, name: str, pk: int, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(reverse(name, args=[pk]), data, **extra)


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "Dit veld is verplicht."), ("x" * 10_000, "niet meer dan 300 tekens")],
)
def test_goal_empty_or_too_long(case: dict[str, Any], value: str, message: str) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    response = _post(client, "casework:goal-create", t.pk, {"goal-description": value})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Doel niet opgeslagen" in body and message in body
    assert t.goals.count() == 1
    # The page shown again is a read of the case like any other.
    read = AuditEvent.objects.filter(actor=case["user"], action="read").order_by("id").last()
    assert read is not None and read.object_type == "residents.Resident"
    if value:
        assert f'value="{value}"' in body  # typed text kept


def test_unknown_goal_status(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    goal = case["goal"]
    response = _post(client, "casework:goal-status", goal.pk, {"status": "verzonnen"})
    assert response.status_code == 400
    assert "kies een status uit de lijst" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == "open"


def test_unknown_partner_keeps_the_reason(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    data = {"referral-partner": "999", "referral-reason": "Hulp bij de post"}
    response = _post(client, "casework:referral-create", t.pk, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Verwijzing niet opgeslagen" in body and "geldige keuze" in body
    assert 'value="Hulp bij de post"' in body
    assert not t.referrals.exists()


def test_routes_need_one_and_say_saved_only_when_saved(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    response = _post(client, "casework:routes", t.pk, {})
    body = response.content.decode()
    assert response.status_code == 400 and "Kies minstens één route." in body
    assert "Routes opgeslagen." not in body
    response = _post(client, "casework:routes", t.pk, {"routes-routes": ["onzin"]})
    assert response.status_code == 400 and "Routes opgeslagen." not in response.content.decode()
    response = _post(client, "casework:routes", t.pk, {"routes-routes": ["kosten"]}, follow=True)
    assert "Routes opgeslagen." in response.content.decode()
    events = AuditEvent.objects.filter(object_type="trajectories.Trajectory", action="update")
    assert events.count() == 1
    response = _post(client, "casework:routes", t.pk, {"routes-routes": ["kosten"]}, follow=True)
    body = response.content.decode()
    assert "Routes opgeslagen." not in body and "Niets gewijzigd" in body
    assert events.count() == 1  # nothing saved, nothing audited


def test_htmx_gets_the_section_with_the_error(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    response = _post(
        client, "casework:goal-create", t.pk, {"goal-description": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps no 4xx into the page
    assert "Doel niet opgeslagen" in response.content.decode()


def test_rejected_action_keeps_its_text_and_stays_open(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    goal = case["goal"]
    p = f"action{goal.pk}"
    data = {f"{p}-description": "Formulier halen", f"{p}-due_on": ""}
    response = _post(client, "casework:action-create", goal.pk, data)
    body = response.content.decode()
    assert response.status_code == 400 and "Actie niet opgeslagen" in body
    assert 'value="Formulier halen"' in body and '<details class="details" open>' in body


def test_notes_have_a_limit_and_a_counter(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    url = reverse("casework:conversation-create", args=[t.pk])
    page = client.get(url).content.decode()
    assert f'maxlength="{NOTES_MAX_LENGTH}"' in page
    assert "0 van 10000 tekens" in page and "data-counter-for" in page
    typed = "Lang verhaal. " * 800  # 11,200 characters
    response = client.post(url, {"held_on": RECENTLY, "channel": "deur", "notes": typed})
    body = response.content.decode()
    assert response.status_code == 400
    assert "niet meer dan 10000 tekens" in body
    assert typed.strip() in body  # the typed text is still there
    assert not t.conversations.exists()
    ok = "Kort verslag."
    response = client.post(url, {"held_on": RECENTLY, "channel": "deur", "notes": ok})
    assert response.status_code == 302


def test_score_error_shown_once(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    url = reverse("casework:conversation-create", args=[case["trajectory"].pk])
    response = client.post(
        url, {"held_on": RECENTLY, "channel": "deur", "score_lichaamsfuncties": "5"}
    )
    assert response.status_code == 400
    assert response.content.decode().count("Vul alle zes scores in, of geen enkele.") == 1


def test_totp_throttle_says_to_wait(settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 10
    user = make_user(Role.CONSULTANT)
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    response = client.post(reverse("otp-verify"), {"token": "000000"})
    assert "Deze code klopt niet" in response.content.decode()
    # Inside the wait even the right code is not tried; the page says how long to wait.
    response = client.post(reverse("otp-verify"), {"token": current_token(user)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Te veel verkeerde codes achter elkaar. Wacht" in body and "seconden" in body
    assert "Deze code klopt niet" not in body
    # After the wait the right code works.
    device = TOTPDevice.objects.get(user=user)
    device.throttling_failure_timestamp = timezone.now() - timezone.timedelta(seconds=60)
    device.save()
    response = client.post(reverse("otp-verify"), {"token": current_token(user)})
    assert response.status_code == 302


def test_new_messages_in_english(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    t = case["trajectory"]
    data = {"followup-description": "Call back", "followup-due_on": "1800-01-01"}
    body = _post(client, "casework:follow-up-create", t.pk, data).content.decode()
    assert "Follow-up not saved" in body and "Choose a date from" in body
    body = client.get(reverse("casework:close", args=[t.pk])).content.decode()
    assert "Choose a reason" in body and "I want to close this trajectory." in body
