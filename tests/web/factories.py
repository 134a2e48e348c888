"""Plain factory functions for the web tests (no extra dependency)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts.models import CredentialReset, Role, Team, User
from bestaanszekerheid.web.conversations.models import Conversation, Dimension, PositiveHealthScore
from bestaanszekerheid.web.evaluation.models import Measurement, MeasurementScore
from bestaanszekerheid.web.plans.models import FollowUp, Goal
from bestaanszekerheid.web.referrals.models import PartnerOrganisation, Referral
from bestaanszekerheid.web.residents.models import Consent, Resident
from bestaanszekerheid.web.trajectories.models import Trajectory

_seq = itertools.count(1)
PASSWORD = "een-lang-testwachtwoord"
# Dates inside every window of casework/dates.py, as the forms take them.
SOON = (date.today() + timedelta(days=30)).isoformat()
RECENTLY = (date.today() - timedelta(days=10)).isoformat()


def make_team(name: str | None = None) -> Team:
    return Team.objects.create(name=name or f"Team {next(_seq)}")


def make_user(role: str = Role.CONSULTANT, team: Team | None = None, **extra: Any) -> User:
    """A user with a password and a confirmed TOTP device."""
    n = next(_seq)
    user = User.objects.create_user(
        username=extra.pop("username", f"{role}{n}"),
        password=PASSWORD,
        role=role,
        team=team,
        first_name=extra.pop("first_name", "Test"),
        last_name=extra.pop("last_name", f"Medewerker {n}"),
        **extra,
    )
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def current_token(user: User) -> str:
    """The six-digit TOTP code the user's authenticator app would show now."""
    return authenticator(user)()


def authenticator(user: User) -> Callable[[], str]:
    """The user's authenticator app: reads the device once, then gives the code of the
    moment it is called (browser tests call it right before typing, without the database,
    so a slow page cannot make the code expire)."""
    device = TOTPDevice.objects.get(user=user)
    key, step, t0, digits = device.bin_key, device.step, device.t0, device.digits

    def code() -> str:
        return f"{totp(key, step=step, t0=t0, digits=digits):0{digits}d}"

    return code


def login(client: Client, user: User) -> Client:
    """Log in fully: session login, then the TOTP step through the real view."""
    client.force_login(user)
    response = client.post(reverse("otp-verify"), {"token": current_token(user)})
    assert response.status_code == 302, "TOTP-stap mislukt"
    return client


def make_case(
    consultant: User, name: str | None = None, opened_on: date | None = None, **resident: Any
) -> Trajectory:
    """A resident with consent and an open trajectory held by ``consultant``."""
    opened = opened_on or date.today() - timedelta(days=30)
    person = Resident.objects.create(name=name or f"Inwoner {next(_seq)}", **resident)
    Consent.objects.create(resident=person, given_on=opened, method="mondeling")
    return Trajectory.objects.create(resident=person, consultant=consultant, opened_on=opened)


def make_conversation(
    trajectory: Trajectory,
    held_on: date | None = None,
    scores: list[int] | None = None,
    acute: bool = False,
    notes: str = "Gesprek over de boodschappen.",
) -> Conversation:
    conversation = Conversation.objects.create(
        trajectory=trajectory,
        held_on=held_on or date.today(),
        channel="deur",
        themes=["geld"],
        notes=notes,
        acute_signal=acute,
    )
    for code, value in zip(Dimension.values, scores or [], strict=False):
        PositiveHealthScore.objects.create(conversation=conversation, dimension=code, score=value)
    return conversation


def make_goal(trajectory: Trajectory, last_progress_on: date | None = None, **extra: Any) -> Goal:
    when = last_progress_on or date.today()
    return Goal.objects.create(
        trajectory=trajectory,
        description=extra.pop("description", "Post openen"),
        created_on=when,
        last_progress_on=when,
        **extra,
    )


def make_follow_up(trajectory: Trajectory, due_on: date, done_on: date | None = None) -> FollowUp:
    return FollowUp.objects.create(
        trajectory=trajectory, description="Terugbellen", due_on=due_on, done_on=done_on
    )


def make_referral(trajectory: Trajectory, partner: PartnerOrganisation | None = None) -> Referral:
    partner = partner or PartnerOrganisation.objects.create(name=f"Partner {next(_seq)}")
    return Referral.objects.create(trajectory=trajectory, partner=partner, reason="Hulp bij post")


def approved_link(requester: Client, target: User, team: Team | None = None) -> str:
    """The set-password link of ``target``'s open request (new account or password reset),
    after a privacy officer approved it and the requesting administrator collected it
    (four eyes, ADR 0054)."""
    reset = CredentialReset.objects.filter(
        target=target, approved_at__isnull=True, cancelled_at__isnull=True
    ).get(kind__in=["account", "password"])
    officer = login(Client(), make_user(Role.PRIVACY_OFFICER, team))
    assert officer.post(reverse("casework:admin-reset-approve", args=[reset.pk])).status_code == 302
    response = requester.post(reverse("casework:admin-reset-link", args=[reset.pk]))
    assert response.status_code == 200, "wachtwoordlink niet opgehaald"
    return str(response.context["link"])


def make_measurement(
    trajectory: Trajectory, taken_on: date, score: int, item: str = "zrm_financien"
) -> Measurement:
    """A follow-up measurement with one item scored (straight into the database)."""
    measurement = Measurement.objects.create(
        trajectory=trajectory, taken_on=taken_on, moment="vervolg"
    )
    MeasurementScore.objects.create(measurement=measurement, item=item, score=score)
    return measurement
