"""Benchmark: the web app "Het goede gesprek" under load, on PostgreSQL, behind gunicorn.

Target from issue 6: with 10,000 residents, 200 consultants and 100,000 conversations in
PostgreSQL, the caseload page and the conversation form answer with p95 under 150 ms at 20
concurrent users on this machine.

What the script does, in order:

1. **Seed** (unless ``--reuse``): drop and create the database ``--db`` (default
   ``bsz_load``) next to the one in ``--pg-url``, run the real migrations and fill it with a
   synthetic organisation through the real models (``bulk_create`` in batches): teams of 10
   consultants with a team lead, residents with consent and one trajectory each (about 50
   per consultant, some closed, some shared with a colleague), 1-3 routes, conversations
   with the six Positieve Gezondheid scores (a few with an acute signal), goals with
   actions, follow-ups (some overdue, some due within 7 days) and referrals with their
   status history. Every resident is flagged ``synthetic``. Then ``VACUUM ANALYZE``.
2. **Serve** with gunicorn (``gthread`` workers) in production settings: no DEBUG, a
   random secret key, ``DJANGO_ALLOWED_HOSTS=127.0.0.1``. Cookies stay ``Secure`` (the
   default): the load client keeps its own cookies, so plain HTTP on localhost needs no
   override.
3. **Authenticate** each virtual user as a different consultant with a real database
   session that is logged in and OTP-verified the way django-otp marks it (the device's
   ``persistent_id`` under ``otp_device_id``); no login form.
4. **Load**: ``--users`` threads, closed loop (the next request leaves when the previous
   answer is read, plus a pause of ``--think`` seconds on average, drawn uniformly from
   half to one and a half times that so that users do not move in lockstep), each
   alternating GET caseload and GET conversation form of one of its own open
   trajectories; every ``--post-every``-th form is submitted (CSRF token from the form,
   ``Origin`` header as a browser sends it). Requests that start in the first ``--warmup``
   seconds are not counted; the run stops after ``--duration`` more seconds. Every status
   is checked (caseload and form 200, POST 302 to the resident page); anything else is an
   error and is counted.
5. **Profile** (``--profile``): SQL queries per page (count and database time, with
   ``CaptureQueriesContext``) through Django's test client, in this process, one consultant.

Run (PostgreSQL from ``scripts/start-postgres.sh``)::

    url=$(scripts/start-postgres.sh)
    .venv/bin/python benchmarks/web_load.py --pg-url "$url"                 # seed + load
    .venv/bin/python benchmarks/web_load.py --pg-url "$url" --reuse --label after

Results: ``benchmarks/results/web_load.json`` (every run, appended) and ``web_load.md``
(rewritten from the JSON; text between the notes markers is kept).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import random
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

# Plain data (no Django): importable before Django is set up.
from bestaanszekerheid.web.seed_vocabulary import (
    CONVERSATION_NOTES,
    FIRST_NAMES,
    GOALS,
    LAST_NAMES,
    PARTNERS,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_PG = "postgres://bsz_test:bsz_test@127.0.0.1:5432/bsz_test"
TARGET_P95_MS = 150.0
NOTES_START = "<!-- notes -->"
NOTES_END = "<!-- /notes -->"

# ----------------------------------------------------------------------------- database


def with_database(url: str, name: str) -> str:
    """The same server URL with another database name."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(pg_url: str, name: str) -> None:
    """Drop and create ``name`` on the server of ``pg_url`` (the role needs CREATEDB)."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"--db {name!r}: alleen kleine letters, cijfers en _")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def django_env(database_url: str, secret_key: str) -> dict[str, str]:
    """Production settings as documented in docs/web/omgevingsvariabelen.md."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BSZ_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bestaanszekerheid.web.settings",
            "DJANGO_SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            # testserver: the in-process profile uses Django's test client.
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    for key in [k for k in os.environ if k.startswith("DJANGO_DEBUG")]:
        del os.environ[key]
    import django

    django.setup()


# ----------------------------------------------------------------------------- seeding

BATCH = 2000


@dataclass
class Plan:
    """The size of the synthetic organisation."""

    consultants: int = 200
    team_size: int = 10
    residents: int = 10_000
    conversations: int = 100_000
    closed_share: float = 0.06
    shared_share: float = 0.02
    seed: int = 6


def _days(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _progress(label: str, done: int, total: int, started: float) -> None:
    print(f"  {label}: {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def seed(plan: Plan) -> dict[str, float]:
    """Fill the (migrated, empty) database with the synthetic organisation."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bestaanszekerheid.web.accounts.models import Role, Team, User
    from bestaanszekerheid.web.conversations.models import (
        Channel,
        Conversation,
        Dimension,
        PositiveHealthScore,
        Theme,
    )
    from bestaanszekerheid.web.plans.models import Action, FollowUp, Goal, GoalStatus
    from bestaanszekerheid.web.referrals.models import (
        PartnerOrganisation,
        Referral,
        ReferralStatus,
        ReferralTransition,
    )
    from bestaanszekerheid.web.residents.models import Consent, ConsentMethod, Resident
    from bestaanszekerheid.web.trajectories.models import (
        CloseReason,
        Route,
        Trajectory,
        TrajectoryRoute,
        TrajectoryStatus,
    )

    rng = random.Random(plan.seed)
    today = timezone.localdate()
    started = time.perf_counter()
    unusable = make_password(None)  # nobody logs in with a password in the benchmark

    n_teams = math.ceil(plan.consultants / plan.team_size)
    teams = Team.objects.bulk_create(
        Team(name=f"Team {t + 1:02d} (synthetisch)") for t in range(n_teams)
    )
    users: list[Any] = []
    for i, lead_team in enumerate(teams):
        users.append(
            User(
                username=f"load-tl{i + 1:02d}",
                role=Role.TEAM_LEAD,
                team=lead_team,
                password=unusable,
            )
        )
    for c in range(plan.consultants):
        users.append(
            User(
                username=f"load-c{c + 1:03d}",
                first_name=rng.choice(FIRST_NAMES),
                last_name="(synthetisch)",
                role=Role.CONSULTANT,
                team=teams[c // plan.team_size],
                password=unusable,
            )
        )
    users = User.objects.bulk_create(users, batch_size=BATCH)
    consultants = [u for u in users if u.role == Role.CONSULTANT]
    TOTPDevice.objects.bulk_create(
        (TOTPDevice(user=u, name="load", confirmed=True) for u in users), batch_size=BATCH
    )
    partners = PartnerOrganisation.objects.bulk_create(
        PartnerOrganisation(name=f"{p} (synthetisch)") for p in PARTNERS
    )
    print(f"  {len(teams)} teams, {len(users):,} medewerkers, {len(partners)} partners", flush=True)

    # Residents, consent and one trajectory each; consultant i gets residents i*k..(i+1)*k.
    per = plan.residents / plan.consultants
    residents = Resident.objects.bulk_create(
        (
            Resident(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                phone=f"06-{i:08d}",
                synthetic=True,
            )
            for i in range(plan.residents)
        ),
        batch_size=BATCH,
    )
    trajectories: list[Any] = []
    consents = []
    for i, resident in enumerate(residents):
        consultant = consultants[min(int(i / per), len(consultants) - 1)]
        opened = today - timedelta(days=rng.randint(14, 730))
        consents.append(
            Consent(resident=resident, given_on=opened, method=rng.choice(ConsentMethod.values))
        )
        if rng.random() < plan.closed_share:
            trajectories.append(
                Trajectory(
                    resident=resident,
                    consultant=consultant,
                    opened_on=opened,
                    status=TrajectoryStatus.CLOSED,
                    closed_on=_days(rng, opened, today),
                    close_reason=rng.choice(CloseReason.values),
                )
            )
        else:
            trajectories.append(
                Trajectory(resident=resident, consultant=consultant, opened_on=opened)
            )
    Consent.objects.bulk_create(consents, batch_size=BATCH)
    trajectories = Trajectory.objects.bulk_create(trajectories, batch_size=BATCH)
    shares = []
    for t in trajectories:
        if rng.random() < plan.shared_share:
            team = [
                u for u in consultants if u.team_id == t.consultant.team_id and u != t.consultant
            ]
            shares.append(Trajectory.shared_with.through(trajectory=t, user=rng.choice(team)))
    Trajectory.shared_with.through.objects.bulk_create(shares, batch_size=BATCH)
    TrajectoryRoute.objects.bulk_create(
        (
            TrajectoryRoute(trajectory=t, route=route, chosen_on=t.opened_on)
            for t in trajectories
            for route in rng.sample(Route.values, rng.choice([1, 1, 2, 3]))
        ),
        batch_size=BATCH,
    )
    _progress("inwoners en trajecten", len(trajectories), plan.residents, started)

    # Conversations: at least one per trajectory, the rest spread at random (about 10 each).
    counts = Counter(range(len(trajectories)))
    counts.update(rng.randrange(len(trajectories)) for _ in range(plan.conversations - len(counts)))
    done = 0
    chunk = 500
    for start in range(0, len(trajectories), chunk):
        conversations = []
        for k in range(start, min(start + chunk, len(trajectories))):
            t = trajectories[k]
            end = t.closed_on or today
            for held in sorted(_days(rng, t.opened_on, end) for _ in range(counts[k])):
                acute = rng.random() < 0.015
                resolved = None
                if acute and rng.random() < 0.8:
                    resolved = min(end, held + timedelta(days=rng.randint(0, 10)))
                conversations.append(
                    Conversation(
                        trajectory=t,
                        held_on=held,
                        channel=rng.choice(Channel.values),
                        themes=rng.sample(Theme.values, rng.randint(1, 3)),
                        notes=" ".join(rng.sample(CONVERSATION_NOTES, rng.randint(2, 5))),
                        acute_signal=acute,
                        acute_signal_resolved_on=resolved,
                        recorded_by=t.consultant,
                    )
                )
        with transaction.atomic():
            conversations = Conversation.objects.bulk_create(conversations, batch_size=BATCH)
            scores: list[PositiveHealthScore] = []
            for conversation in conversations:
                base = rng.randint(3, 8)
                scores.extend(
                    PositiveHealthScore(
                        conversation=conversation,
                        dimension=d,
                        score=max(0, min(10, base + rng.randint(-2, 2))),
                    )
                    for d in Dimension.values
                )
            PositiveHealthScore.objects.bulk_create(scores, batch_size=BATCH * 3)
        done += len(conversations)
        if (start // chunk) % 4 == 3 or done == plan.conversations:
            _progress("gesprekken met scores", done, plan.conversations, started)

    # Goals with actions, follow-ups and referrals: enough for every traffic-light rule.
    goals = []
    follow_ups = []
    referrals = []
    for t in trajectories:
        end = t.closed_on or today
        for _ in range(rng.randint(1, 3)):
            created = _days(rng, t.opened_on, end)
            stale = rng.random() < 0.25
            last = created if stale else _days(rng, max(created, end - timedelta(days=50)), end)
            goals.append(
                Goal(
                    trajectory=t,
                    description=rng.choice(GOALS) + " (synthetisch)",
                    status=rng.choices(GoalStatus.values, weights=[35, 35, 20, 10])[0],
                    created_on=created,
                    last_progress_on=last,
                )
            )
        for _ in range(rng.randint(1, 3)):  # earlier follow-ups, done on time
            due = _days(rng, t.opened_on, end)
            follow_ups.append(
                FollowUp(trajectory=t, description="Terugbellen", due_on=due, done_on=due)
            )
        if t.status == TrajectoryStatus.OPEN:  # the next one: overdue, due soon or later
            kind = rng.random()
            offset = (
                rng.randint(-30, -1)
                if kind < 0.12
                else rng.randint(0, 7)
                if kind < 0.30
                else rng.randint(8, 60)
            )
            follow_ups.append(
                FollowUp(
                    trajectory=t,
                    description="Vervolggesprek (synthetisch)",
                    due_on=today + timedelta(days=offset),
                )
            )
        if rng.random() < 0.3:
            referrals.append(
                Referral(
                    trajectory=t,
                    partner=rng.choice(partners),
                    reason="Verwijzing (synthetisch)",
                    status=rng.choice(ReferralStatus.values),
                )
            )
    goals = Goal.objects.bulk_create(goals, batch_size=BATCH)
    Action.objects.bulk_create(
        (
            Action(
                goal=g,
                description="Concrete stap (synthetisch)",
                due_on=g.created_on + timedelta(days=rng.randint(7, 42)),
                done_on=g.last_progress_on if rng.random() < 0.5 else None,
            )
            for g in goals
            for _ in range(rng.randint(1, 2))
        ),
        batch_size=BATCH,
    )
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    referrals = Referral.objects.bulk_create(referrals, batch_size=BATCH)
    path: dict[str, list[str]] = {
        ReferralStatus.PROPOSED: [],
        ReferralStatus.SENT: ["voorgesteld", "verstuurd"],
        ReferralStatus.ACCEPTED: ["voorgesteld", "verstuurd", "geaccepteerd"],
        ReferralStatus.COMPLETED: ["voorgesteld", "verstuurd", "geaccepteerd", "afgerond"],
        ReferralStatus.DECLINED: ["voorgesteld", "verstuurd", "afgewezen"],
    }
    ReferralTransition.objects.bulk_create(
        (
            ReferralTransition(referral=r, from_status=a, to_status=b, by=r.trajectory.consultant)
            for r in referrals
            for a, b in zip(path[r.status], path[r.status][1:], strict=False)
        ),
        batch_size=BATCH,
    )
    _progress(
        "doelen, vervolgafspraken, verwijzingen", len(trajectories), len(trajectories), started
    )
    with connection.cursor() as cursor:  # as autovacuum would, before anyone uses the app
        cursor.execute("VACUUM ANALYZE")
    print(f"  klaar in {time.perf_counter() - started:.0f} s", flush=True)
    return {"seed_s": round(time.perf_counter() - started, 1)}


def counts() -> dict[str, int]:
    """Row counts of the seeded database, for the results."""
    from bestaanszekerheid.web.accounts.models import Role, User
    from bestaanszekerheid.web.audit.models import AuditEvent
    from bestaanszekerheid.web.conversations.models import Conversation, PositiveHealthScore
    from bestaanszekerheid.web.plans.models import FollowUp, Goal
    from bestaanszekerheid.web.referrals.models import Referral
    from bestaanszekerheid.web.residents.models import Resident
    from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

    return {
        "consultants": User.objects.filter(role=Role.CONSULTANT).count(),
        "residents": Resident.objects.count(),
        "trajectories_open": Trajectory.objects.filter(status=TrajectoryStatus.OPEN).count(),
        "conversations": Conversation.objects.count(),
        "scores": PositiveHealthScore.objects.count(),
        "goals": Goal.objects.count(),
        "follow_ups": FollowUp.objects.count(),
        "referrals": Referral.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


# ----------------------------------------------------------------------------- sessions


@dataclass
class Account:
    username: str
    session_key: str
    trajectory_ids: list[int]


def verified_sessions(n: int) -> list[Account]:
    """A logged-in, OTP-verified database session for ``n`` different consultants."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bestaanszekerheid.web.accounts.models import Role, User
    from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

    consultants = list(User.objects.filter(role=Role.CONSULTANT).order_by("username"))
    if n > len(consultants):
        raise SystemExit(f"--users {n}: er zijn maar {len(consultants)} consulenten")
    step = len(consultants) / n  # spread over the teams
    accounts = []
    for i in range(n):
        user = consultants[int(i * step)]
        device = TOTPDevice.objects.get(user=user)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what django_otp.login sets
        session.create()
        ids = list(
            Trajectory.objects.filter(consultant=user, status=TrajectoryStatus.OPEN).values_list(
                "pk", flat=True
            )
        )
        assert session.session_key is not None  # create() has just set it
        accounts.append(Account(user.username, session.session_key, ids))
    return accounts


# ----------------------------------------------------------------------------- server


def wait_until_quiet(threshold: float, limit_s: float) -> None:
    """The machine is shared: wait for other work to calm down, but not for ever."""
    deadline = time.monotonic() + limit_s
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        print(f"  wachten: load average {os.getloadavg()[0]:.2f} >= {threshold}", flush=True)
        time.sleep(15)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_environment(
    env: dict[str, str], tmp: Path, src: str | None, conn_max_age: int | None
) -> dict[str, str]:
    """The server's environment: production settings, optionally another source tree or
    persistent connections (through a settings module written to ``tmp``, never the repo)."""
    env = dict(env)
    paths = []
    if src:
        paths.append(str(Path(src).resolve()))
    if conn_max_age is not None:
        # A settings module rather than the env var: older trees (--src) do not read it.
        (tmp / "web_load_settings.py").write_text(
            "from bestaanszekerheid.web.settings import *  # noqa: F403\n"
            f'DATABASES["default"]["CONN_MAX_AGE"] = {conn_max_age}  # noqa: F405\n'
            'DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405\n'
        )
        paths.append(str(tmp))
        env["DJANGO_SETTINGS_MODULE"] = "web_load_settings"
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
        where = subprocess.run(
            [sys.executable, "-c", "import bestaanszekerheid; print(bestaanszekerheid.__file__)"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        print(f"server importeert {where}", flush=True)
        if src and not where.startswith(paths[0]):
            raise SystemExit(f"--src {src}: de server zou {where} gebruiken")
    return env


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Path
) -> subprocess.Popen[bytes]:
    """Start gunicorn and wait until the login page answers."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "bestaanszekerheid.web.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--worker-class=gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        "--keep-alive=5",
        "--log-level=warning",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopte meteen:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/inloggen/")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.3)
    stop(server)
    raise SystemExit(f"gunicorn antwoordde niet binnen 60 s:\n{log.read_text()[-3000:]}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Graceful stop of the gunicorn master this script started (it stops its workers)."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _proc_cpu_s(pid: int | str, with_children: bool = False) -> float:
    """User + system CPU seconds of one process (Linux /proc); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_children:  # reaped children, e.g. PostgreSQL backends that have ended
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int) -> dict[str, float]:
    """CPU seconds so far: whole machine, our gunicorn, PostgreSQL, this process.

    The machine is shared; "other" (machine minus the rest) shows how much CPU other
    work took while we measured.
    """
    stat = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in stat[:8])
    machine = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    server = _proc_cpu_s(server_pid)
    try:
        workers = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    except OSError:
        workers = []
    server += sum(_proc_cpu_s(w) for w in workers)
    postgres = 0.0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == "postgres":
                    postgres += _proc_cpu_s(proc.name, with_children=True)
            except OSError:
                continue
    return {
        "machine": machine,
        "server": server,
        "postgres": postgres,
        "client": time.process_time(),
    }


# ----------------------------------------------------------------------------- load

PAGES = ("caseload", "form", "post")
EXPECTED = {"caseload": 200, "form": 200, "post": 302}
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Sample:
    page: str
    started: float
    ms: float
    ok: bool
    status: int


@dataclass
class VirtualUser:
    """One consultant's browser: a keep-alive connection and its own cookies."""

    port: int
    account: Account
    rng: random.Random
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def __post_init__(self) -> None:
        self.cookies["sessionid"] = self.account.session_key  # SESSION_COOKIE_NAME

    def request(
        self, method: str, path: str, body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": "nl",
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie, _, attrs = value.partition(";")
                key, _, val = cookie.partition("=")
                if "max-age=0" in attrs.lower() or not val.strip('"'):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val
        if response.getheader("Connection", "").lower() == "close" and self.conn is not None:
            self.conn.close()
            self.conn = None
        return response.status, dict(response.getheaders()), data


def run_user(
    user: VirtualUser,
    stop_at: float,
    think: float,
    post_every: int,
    samples: list[Sample],
    lock: threading.Lock,
) -> None:
    """Alternate caseload and form (and every ``post_every``-th time, submit it)."""
    mine: list[Sample] = []
    forms = 0

    def timed(page: str, method: str, path: str, body: bytes | None = None) -> bytes:
        t0 = time.perf_counter()
        try:
            status, headers, data = user.request(method, path, body)
        except OSError:
            status, headers, data = 0, {}, b""
        ms = (time.perf_counter() - t0) * 1000
        ok = status == EXPECTED[page]
        if page == "post":
            ok = ok and headers.get("Location", "").startswith("/inwoners/")
        if page == "form":
            ok = ok and CSRF_RE.search(data) is not None
        mine.append(Sample(page, t0, ms, ok, status))
        if think:
            time.sleep(user.rng.uniform(0.5, 1.5) * think)
        return data

    if think:  # start spread out: users in lockstep would all ask at the same moment
        time.sleep(user.rng.uniform(0, think))
    while time.perf_counter() < stop_at:
        timed("caseload", "GET", "/caseload/")
        if time.perf_counter() >= stop_at:
            break
        pk = user.rng.choice(user.account.trajectory_ids)
        path = f"/trajecten/{pk}/gesprek/"
        html = timed("form", "GET", path)
        forms += 1
        token = CSRF_RE.search(html)
        if post_every and forms % post_every == 0 and token and time.perf_counter() < stop_at:
            fields: list[tuple[str, str]] = [
                ("csrfmiddlewaretoken", token.group(1).decode()),
                ("held_on", date.today().isoformat()),
                ("channel", "telefoon"),
                ("themes", "geld"),
                ("themes", "werk"),
                ("notes", "Gesprek uit de belastingtest (synthetisch)."),
            ]
            fields += [(f"score_{d}", str(user.rng.randint(3, 9))) for d in DIMENSIONS]
            timed("post", "POST", path, urlencode(fields).encode())
    with lock:
        samples.extend(mine)


DIMENSIONS = [
    "lichaamsfuncties",
    "mentaal_welbevinden",
    "zingeving",
    "kwaliteit_van_leven",
    "meedoen",
    "dagelijks_functioneren",
]


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def summarise(samples: list[Sample], window_s: float) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for page in (*PAGES, "all"):
        chosen = [s for s in samples if page in (s.page, "all")]
        ms = sorted(s.ms for s in chosen)
        errors = [s for s in chosen if not s.ok]
        rows[page] = {
            "requests": len(chosen),
            "errors": len(errors),
            "error_statuses": dict(Counter(str(s.status) for s in errors)),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(ms[-1], 1) if ms else None,
            "per_s": round(len(chosen) / window_s, 1),
        }
    return rows


def load(
    port: int,
    accounts: list[Account],
    duration: float,
    warmup: float,
    think: float,
    post_every: int,
    seed: int,
) -> tuple[dict[str, Any], int]:
    """Run the virtual users; return per-page figures and the number of warm-up requests."""
    samples: list[Sample] = []
    lock = threading.Lock()
    begin = time.perf_counter()
    measure_from = begin + warmup
    stop_at = measure_from + duration
    threads = [
        threading.Thread(
            target=run_user,
            args=(
                VirtualUser(port, a, random.Random(seed + i)),
                stop_at,
                think,
                post_every,
                samples,
                lock,
            ),
            daemon=True,
        )
        for i, a in enumerate(accounts)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    measured = [s for s in samples if measure_from <= s.started < stop_at]
    return summarise(measured, duration), len(samples) - len(measured)


# ----------------------------------------------------------------------------- profile


def profile(account: Account, repeats: int = 20) -> dict[str, Any]:
    """Queries, database time and CPU per page through the test client, one consultant.

    Database time is measured around each query with an execute wrapper (Django's own
    query log rounds to whole milliseconds); CPU is this process's CPU time for the request.
    """
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = account.session_key
    pk = account.trajectory_ids[0]
    out: dict[str, Any] = {}
    for page, path in (("caseload", "/caseload/"), ("form", f"/trajecten/{pk}/gesprek/")):
        walls, cpus, db_ms, n_queries = [], [], [], []
        slowest: list[tuple[float, str]] = []
        for _ in range(repeats):
            timings: list[tuple[float, str]] = []

            def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                t = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    timings.append(((time.perf_counter() - t) * 1000, sql[:160]))  # noqa: B023

            with connection.execute_wrapper(timed):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(path)
                walls.append((time.perf_counter() - t0) * 1000)
                cpus.append((time.process_time() - c0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"profiel: {path} gaf {response.status_code}")
            db_ms.append(sum(t for t, _ in timings))
            n_queries.append(len(timings))
            slowest = sorted(timings, reverse=True)[:3]
        out[page] = {
            "queries": n_queries[-1],
            "wall_ms_median": round(sorted(walls)[repeats // 2], 1),
            "cpu_ms_median": round(sorted(cpus)[repeats // 2], 1),
            "db_ms_median": round(sorted(db_ms)[repeats // 2], 1),
            "slowest_last_run": [{"ms": round(t, 2), "sql": q} for t, q in slowest],
        }
        print(
            f"  {page}: {n_queries[-1]} queries, {out[page]['wall_ms_median']} ms in Django "
            f"({out[page]['cpu_ms_median']} ms CPU), {out[page]['db_ms_median']} ms waiting "
            f"for the database (medians of {repeats})",
            flush=True,
        )
        for item in out[page]["slowest_last_run"]:
            print(f"    {item['ms']:6.2f} ms  {item['sql']}", flush=True)
    return out


# ----------------------------------------------------------------------------- results


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "?"


def cpu_per_request_ms(run: dict[str, Any]) -> tuple[float, float]:
    """Server and PostgreSQL CPU per request (warm-up included, as the CPU figures are)."""
    n = run["figures"]["all"]["requests"] + run["warmup_requests"]
    return run["cpu_s"]["server"] / n * 1000, run["cpu_s"]["postgres"] / n * 1000


def write_results(run: dict[str, Any] | None) -> None:
    """Append ``run`` (if any) to the JSON and rewrite the Markdown from all runs."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "web_load.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else []
    if run is not None:
        runs.append(run)
        path.write_text(json.dumps({"runs": runs}, indent=2, ensure_ascii=False) + "\n")
    md = RESULTS / "web_load.md"
    notes = ""
    if md.exists():
        text = md.read_text()
        if NOTES_START in text and NOTES_END in text:
            notes = text[text.index(NOTES_START) : text.index(NOTES_END) + len(NOTES_END)]
    lines = [
        "# Web app under load: caseload page and conversation form",
        "",
        "Written by `benchmarks/web_load.py` from `web_load.json` (every run, newest last).",
        f"Target (issue 6): p95 under {TARGET_P95_MS:.0f} ms for the caseload page and the "
        "conversation form",
        "at 20 concurrent users, with 10,000 residents, 200 consultants and 100,000 "
        "conversations in PostgreSQL.",
        "Times are client-side (request sent to answer read), over the measured window only "
        "(warm-up excluded).",
        "`users` = concurrent virtual users, each a different consultant in a closed loop; "
        "`think` = mean pause after",
        "each answer (uniform between 0.5× and 1.5×). All data are synthetic.",
        "",
        notes or f"{NOTES_START}\n{NOTES_END}",
        "",
        "## Summary",
        "",
        "| run | think s | caseload p95 ms | form p95 ms | POST p95 ms | requests/s | errors "
        "| CPU ms/request (gunicorn + PostgreSQL) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        f = r["figures"]
        server_ms, pg_ms = cpu_per_request_ms(r)
        lines.append(
            f"| {r['label']} | {r['settings']['think_s']} | {f['caseload']['p95_ms']} | "
            f"{f['form']['p95_ms']} | {f['post']['p95_ms']} | {f['all']['per_s']} | "
            f"{f['all']['errors']} | {server_ms:.0f} + {pg_ms:.0f} |"
        )
    lines.append("")
    for r in runs:
        s = r["settings"]
        lines += [
            f"## {r['label']} ({r['date']}, repository at {r['commit']})",
            "",
            f"Command: `{r['command']}`  ",
            f"Machine: {r['machine']['cpu_count']} cores, Python {r['machine']['python']}, "
            f"PostgreSQL {r['machine']['postgresql']}; load average before the run "
            f"{r['machine']['loadavg_before']}.  ",
            f"Server: gunicorn {s['gunicorn']} `gthread`, {s['workers']} workers × "
            f"{s['threads']} threads, production settings (DEBUG off"
            + (
                f"; persistent connections, CONN_MAX_AGE={s['conn_max_age']}"
                if s.get("conn_max_age")
                else ""
            )
            + f"), code: {s.get('src', 'this checkout')}; "
            f"users {s['users']}, think {s['think_s']} s, POST every {s['post_every']}th form, "
            f"warm-up {s['warmup_s']} s ({r['warmup_requests']} requests not counted), "
            f"measured {s['duration_s']} s.  ",
            f"Data: {', '.join(f'{k} {v:,}' for k, v in r['data'].items())}.  ",
            f"CPU seconds during the run (warm-up included): gunicorn {r['cpu_s']['server']}, "
            f"PostgreSQL {r['cpu_s']['postgres']}, load client {r['cpu_s']['client']}, "
            f"other processes on the shared machine {r['cpu_s']['other']}; "
            f"{r['cpu_s']['available']} available on all cores.",
            "",
            "| page | requests | errors | p50 ms | p95 ms | p99 ms | max ms | per s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for page, name in (
            ("caseload", "caseload (GET)"),
            ("form", "conversation form (GET)"),
            ("post", "conversation saved (POST)"),
            ("all", "all"),
        ):
            f = r["figures"][page]
            errors = f"{f['errors']}" + (f" {f['error_statuses']}" if f["errors"] else "")
            lines.append(
                f"| {name} | {f['requests']:,} | {errors} | {f['p50_ms']} | {f['p95_ms']} | "
                f"{f['p99_ms']} | {f['max_ms']} | {f['per_s']} |"
            )
        if r.get("profile"):
            lines += ["", "Queries per page (one consultant, in-process, medians):", ""]
            for page, p in r["profile"].items():
                lines.append(
                    f"- {page}: {p['queries']} queries, {p['db_ms_median']} ms waiting for the "
                    f"database, {p['wall_ms_median']} ms in Django "
                    f"({p.get('cpu_ms_median', '?')} ms CPU)"
                )
        lines.append("")
    md.write_text("\n".join(lines))


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg-url", default=os.environ.get("BSZ_LOAD_PG_URL", DEFAULT_PG))
    parser.add_argument("--db", default="bsz_load", help="database to (re)create and use")
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds not counted")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause after each answer (s)")
    parser.add_argument("--post-every", type=int, default=5, help="submit every Nth form; 0: never")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="also count queries per page")
    parser.add_argument(
        "--src",
        help="serve another checkout's src/ (e.g. from git archive), for before/after runs",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="override CONN_MAX_AGE (settings: DJANGO_CONN_MAX_AGE, default 60 since 09b2a9f; "
        "0 = a new connection per request)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="first wait (at most 20 min) until the 1-minute load average is below this",
    )
    parser.add_argument("--label", default="run")
    parser.add_argument("--summary", action="store_true", help="only rewrite web_load.md")
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = parser.parse_args()

    if args.summary:
        write_results(None)
        return
    if args.profile and args.src:
        parser.error("--profile meet de code van deze checkout, niet die van --src")
    database_url = with_database(args.pg_url, args.db)
    env = django_env(database_url, secrets.token_urlsafe(50))
    seeded: dict[str, Any] = {}
    if not args.reuse:
        print(f"Database {args.db} opnieuw maken en vullen (synthetisch)...", flush=True)
        recreate_database(args.pg_url, args.db)
    setup_django(env)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    if not args.reuse:
        seeded = seed(Plan())
    data = counts()
    print("Gegevens:", ", ".join(f"{k} {v:,}" for k, v in data.items()), flush=True)
    if args.seed_only:
        return
    accounts = verified_sessions(args.users)
    result_profile = None
    if args.profile:
        print("Queries per pagina:", flush=True)
        result_profile = profile(accounts[0])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    connection.close()  # the benchmark process holds no connection during the load

    import gunicorn

    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "gunicorn.log"
        server_env = server_environment(env, Path(tmp), args.src, args.conn_max_age)
        server = start_gunicorn(server_env, port, args.workers, args.threads, log)
        try:
            if args.wait_quiet:
                wait_until_quiet(args.wait_quiet, limit_s=1200)
            loadavg = os.getloadavg()
            print(
                f"gunicorn op poort {port}: {args.workers} workers × {args.threads} threads; "
                f"{args.users} gebruikers, {args.warmup:.0f} s opwarmen + {args.duration:.0f} s "
                f"meten (load average {loadavg[0]:.2f})",
                flush=True,
            )
            before = cpu_snapshot(server.pid)
            wall0 = time.perf_counter()
            figures, warmup_requests = load(
                port, accounts, args.duration, args.warmup, args.think, args.post_every, seed=1
            )
            wall = time.perf_counter() - wall0
            after = cpu_snapshot(server.pid)
            cpu = {k: round(after[k] - before[k], 1) for k in before}
            cpu["other"] = round(
                cpu["machine"] - cpu["server"] - cpu["postgres"] - cpu["client"], 1
            )
            cpu["available"] = round(wall * (os.cpu_count() or 1), 1)
        finally:
            stop(server)
        server_log = log.read_text()
    if server_log.strip():
        print("gunicorn-log (laatste regels):\n" + server_log[-2000:], flush=True)
    print(f"{'page':<10}{'n':>8}{'err':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'/s':>8}")
    for page, f in figures.items():
        print(
            f"{page:<10}{f['requests']:>8}{f['errors']:>6}{f['p50_ms']:>8}{f['p95_ms']:>8}"
            f"{f['p99_ms']:>8}{f['max_ms']!s:>8}{f['per_s']:>8}  {f['error_statuses'] or ''}"
        )
    worst = max(figures["caseload"]["p95_ms"], figures["form"]["p95_ms"])
    met = worst < TARGET_P95_MS and figures["all"]["errors"] == 0
    print(
        f"Eis p95 < {TARGET_P95_MS:.0f} ms voor caseload en formulier, zonder fouten: "
        f"{'gehaald' if met else 'NIET gehaald'} (p95 {worst} ms, "
        f"{figures['all']['errors']} fouten)"
    )
    print(
        f"CPU-seconden tijdens de run: gunicorn {cpu['server']}, PostgreSQL {cpu['postgres']}, "
        f"belastingclient {cpu['client']}, andere processen {cpu['other']}; "
        f"beschikbaar {cpu['available']}"
    )
    if args.no_write:
        return
    command = shlex.join(["python", "benchmarks/web_load.py", *sys.argv[1:]])
    command = re.sub(r"--pg-url[= ]\S+", '--pg-url "$url"', command)
    write_results(
        {
            "label": args.label,
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "commit": git_commit(),
            "command": command,
            "machine": {
                "cpu_count": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "postgresql": pg_version,
                "loadavg_before": f"{loadavg[0]:.2f}",
            },
            "settings": {
                "gunicorn": gunicorn.__version__,
                "workers": args.workers,
                "threads": args.threads,
                "users": args.users,
                "think_s": args.think,
                "post_every": args.post_every,
                "warmup_s": args.warmup,
                "duration_s": args.duration,
                "src": args.src or "this checkout",
                # What the server ran with: the override, else this checkout's default.
                "conn_max_age": args.conn_max_age
                if args.conn_max_age is not None
                else (None if args.src else int(os.environ.get("DJANGO_CONN_MAX_AGE", "60"))),
            },
            "data": data,
            "seeding": seeded,
            "warmup_requests": warmup_requests,
            "cpu_s": cpu,
            "figures": figures,
            "profile": result_profile,
            "target_p95_ms": TARGET_P95_MS,
            "target_met": met,
        }
    )


if __name__ == "__main__":
    main()
