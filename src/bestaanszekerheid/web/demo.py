"""A synthetic demo organisation: one team, a user per role, about 70 synthetic residents.

Nothing here is real: every resident is flagged ``synthetic`` and the page shows it. The
data are generated from a fixed seed so every demo looks the same.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.partners import demo_partners
from bestaanszekerheid.web.accounts.models import Role, Team, User
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.conversations.models import Channel, Conversation, Dimension, Theme
from bestaanszekerheid.web.conversations.models import PositiveHealthScore as Score
from bestaanszekerheid.web.evaluation.measurement_demo import add_demo_measurements
from bestaanszekerheid.web.evaluation.pilot_demo import add_demo_pilots
from bestaanszekerheid.web.plans.models import FollowUp, Goal, GoalStatus
from bestaanszekerheid.web.referrals.models import PartnerOrganisation, Referral
from bestaanszekerheid.web.residents.models import Consent, ConsentMethod, Resident
from bestaanszekerheid.web.seed_vocabulary import FIRST_NAMES, GOALS, LAST_NAMES
from bestaanszekerheid.web.trajectories.models import Route, Trajectory, TrajectoryRoute

TEAM = "Team Noord (demo)"
USERS = [
    ("consulent", "Sanne", "Demo-Consulent", Role.CONSULTANT, 48),
    ("consulent2", "Youssef", "Demo-Consulent", Role.CONSULTANT, 22),
    ("teamleider", "Petra", "Demo-Teamleider", Role.TEAM_LEAD, 0),
    ("beheerder", "Koen", "Demo-Beheerder", Role.FUNCTIONAL_ADMIN, 0),
    ("privacy", "Fatma", "Demo-Privacy", Role.PRIVACY_OFFICER, 0),
    ("analist", "Bram", "Demo-Analist", Role.ANALYST, 0),
]
# The demo organisation is small: four of the partner kinds.


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str
    otp_secret_b32: str
    otpauth_uri: str


def _b32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


def _residents(
    consultant: User, n: int, rng: random.Random, today: date, partners: list[PartnerOrganisation]
) -> None:
    for i in range(n):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        resident = Resident.objects.create(name=name, synthetic=True, phone=f"06-0000{i:04d}")
        opened = today - timedelta(days=rng.randint(10, 300))
        Consent.objects.create(
            resident=resident, given_on=opened, method=rng.choice(ConsentMethod.values)
        )
        trajectory = Trajectory.objects.create(
            resident=resident, consultant=consultant, opened_on=opened
        )
        for route in rng.sample(Route.values, rng.randint(1, 2)):
            TrajectoryRoute.objects.create(trajectory=trajectory, route=route, chosen_on=opened)
        base = [rng.randint(3, 7) for _ in Dimension.values]
        for k in range(rng.randint(1, 3)):
            held = opened + timedelta(days=30 * k)
            if held > today:
                break
            conversation = Conversation.objects.create(
                trajectory=trajectory,
                held_on=held,
                channel=rng.choice(Channel.values),
                themes=rng.sample(Theme.values, 2),
                notes="Synthetisch gesprek voor de demo.",
                acute_signal=(i % 17 == 3 and k == 0),
                recorded_by=consultant,
            )
            Score.objects.bulk_create(
                Score(
                    conversation=conversation, dimension=d, score=min(10, b + k * rng.randint(0, 1))
                )
                for d, b in zip(Dimension.values, base, strict=True)
            )
        progress = today - timedelta(days=rng.choice([3, 20, 70]))
        Goal.objects.create(
            trajectory=trajectory,
            description=f"{GOALS[0]} (demo)",
            status=rng.choice([GoalStatus.OPEN, GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED]),
            created_on=min(progress, opened),
            last_progress_on=max(progress, opened),
        )
        FollowUp.objects.create(
            trajectory=trajectory,
            description="Bellen over de voortgang (demo)",
            due_on=today + timedelta(days=rng.choice([-4, 3, 14, 21, 30])),
        )
        if i % 5 == 0:
            Referral.objects.create(
                trajectory=trajectory, partner=rng.choice(partners), reason="Demo-verwijzing"
            )


def create_demo(today: date, seed: int = 2025) -> list[DemoAccount]:
    """Create the demo organisation once; on later runs only reset passwords and print them."""
    rng = random.Random(seed)
    accounts: list[DemoAccount] = []
    with transaction.atomic():
        team, created = Team.objects.get_or_create(name=TEAM)
        # The same invented partners as bsz demo's outreach plan, with their wijken.
        partners = [
            PartnerOrganisation.objects.get_or_create(
                name=p.name,
                defaults={
                    "kind": p.kind,
                    "description": p.description,
                    "wijken": " ".join(p.wijken),
                },
            )[0]
            for p in demo_partners(tilburg())
        ]
        for username, first, last, role, n_residents in USERS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "role": role, "team": team},
            )
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            # Deactivated in the admin screens during an earlier demo: the printed login works.
            user.is_active = True
            user.save()
            # Only a confirmed device logs in; a half-finished enrolment is not reused.
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
            accounts.append(
                DemoAccount(username, str(role), password, _b32(device), device.config_url)
            )
            if created and n_residents:
                _residents(user, n_residents, rng, today, partners)
                add_demo_measurements(user, today, seed)
        if created:
            add_demo_pilots(team.pk, today, seed)
            record(None, AuditAction.CREATE, "demo", purpose="synthetische demo-organisatie")
    return accounts
