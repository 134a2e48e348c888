"""The analyst's page: aggregated figures only, every table through disclosure control."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.casework.analyst_figures import AnalystFigures, Figure, Row
from bestaanszekerheid.web.conversations.models import Conversation
from bestaanszekerheid.web.plans.models import GoalStatus
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryRoute

from .factories import login, make_case, make_conversation, make_goal, make_user

pytestmark = pytest.mark.django_db

Q1, Q3 = date(2025, 1, 15), date(2025, 8, 10)
SECRET_NAME = "Geheime Gerda"
SECRET_NOTE = "Vertelde over de schuld bij de buurman"


def _figures(client: Client, **params: str) -> AnalystFigures:
    response = client.get(reverse("casework:analyst"), params)
    assert response.status_code == 200
    figures: AnalystFigures = response.context["figures"]
    return figures


def _figure(figures: AnalystFigures, slug: str) -> Figure:
    figure = figures.get(slug)
    assert figure is not None
    return figure


def _rows(figure: Figure) -> dict[str, Row]:
    return {row.label: row for row in figure.rows}


def _texts(figure: Figure) -> dict[str, list[str]]:
    return {row.label: [cell.text for cell in row.cells] for row in figure.rows}


@pytest.fixture
def analyst(client: Client) -> Client:
    login(client, make_user(Role.ANALYST))
    return client


def _cases(n: int, opened_on: date, **resident: str) -> list[Trajectory]:
    consultant = make_user(Role.CONSULTANT)
    return [make_case(consultant, opened_on=opened_on, **resident) for _ in range(n)]


@pytest.mark.parametrize(
    "role", [Role.CONSULTANT, Role.TEAM_LEAD, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER]
)
def test_other_roles_are_refused(client: Client, role: str) -> None:
    _cases(12, Q1)
    login(client, make_user(role))
    for url in (
        reverse("casework:analyst"),
        reverse("casework:analyst-csv", args=["gestart-per-kwartaal"]),
        reverse("casework:analyst-log"),
    ):
        assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(purpose="beleidsinformatie").exists()


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("casework:analyst"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_figures_on_a_known_dataset(analyst: Client) -> None:
    first = _cases(12, Q1)
    later = _cases(11, Q3)
    for t in first:
        TrajectoryRoute.objects.create(trajectory=t, route="kosten", chosen_on=Q1)
        make_goal(t, status=GoalStatus.ACHIEVED)
    for t in later:
        TrajectoryRoute.objects.create(trajectory=t, route="inkomen", chosen_on=Q3)
    for t in first[:10]:  # both routes: counted once in each route
        TrajectoryRoute.objects.create(trajectory=t, route="inkomen", chosen_on=Q1)
    # Ten trajectories with two scored conversations: first 4 or 6, latest 6 or 8.
    for i, t in enumerate(first[:10]):
        low = i % 2 == 0
        make_conversation(t, held_on=Q1, scores=[4 if low else 6] * 6)
        make_conversation(t, held_on=Q1 + timedelta(days=30), scores=[6 if low else 8] * 6)
    # The first conversation of 12 trajectories was by phone, of 11 at the door.
    for t in first[10:]:
        make_conversation(t, held_on=Q1)
    Conversation.objects.filter(trajectory__in=first).update(channel="telefoon")
    for t in later:
        make_conversation(t, held_on=Q3)  # the factory's channel: at the door

    figures = _figures(analyst)
    assert _texts(_figure(figures, "gestart-per-kwartaal")) == {
        "2025 K1": ["12"],
        "2025 K3": ["11"],
        "Totaal": ["23"],
    }
    assert _rows(_figure(figures, "gestart-per-kwartaal"))["Totaal"].total
    assert _texts(_figure(figures, "routes")) == {"inkomen": ["21"], "kosten": ["12"]}
    assert _texts(_figure(figures, "kanaal-eerste-gesprek")) == {
        "aan de deur": ["11"],
        "telefonisch": ["12"],
        "Totaal": ["23"],
    }
    assert _texts(_figure(figures, "doelen-naar-status")) == {"bereikt": ["12"]}
    health = _figure(figures, "positieve-gezondheid")
    assert health.columns == ("eerste gesprek", "laatste gesprek")
    assert all(texts == ["5,0", "7,0"] for texts in _texts(health).values())
    assert len(health.rows) == 6
    # No closed trajectories and no referrals yet: said so, not an empty table.
    assert _figure(figures, "afgesloten-naar-reden").message == "Nog geen gegevens."
    assert _figure(figures, "verwijzingen").table is None


def test_small_cells_are_suppressed_without_a_reason(analyst: Client) -> None:
    _cases(12, Q1)
    _cases(3, Q3)  # fewer than 10: never shown
    response = analyst.get(reverse("casework:analyst"))
    figure = _figure(response.context["figures"], "gestart-per-kwartaal")
    rows = _rows(figure)
    [small] = rows["2025 K3"].cells
    assert small.hidden and small.text == "x"
    # The other quarter would give the small one away through the total: hidden too.
    [other] = rows["2025 K1"].cells
    assert other.hidden and rows["Totaal"].cells[0].text == "15"
    html = response.content.decode()
    # No reason per cell on the page: "minder dan 10" would say the cell is 1-9. (The rules
    # themselves, stated once above the tables, may use the words.)
    tables = " ".join(re.findall(r"<table.*?</table>", html, flags=re.S))
    assert tables and "minder dan 10" not in tables and "onderdrukt" not in tables
    assert "secundair onderdrukt" not in html
    assert "Achter elk gepubliceerd getal" in html  # the rules are stated
    csv = analyst.get(reverse("casework:analyst-csv", args=["gestart-per-kwartaal"]))
    lines = csv.content.decode().splitlines()
    assert lines == ["kwartaal;aantal", "2025 K1;x", "2025 K3;x", "Totaal;15"]


def test_differencing_between_tables_is_caught(analyst: Client) -> None:
    # 25 trajectories, 22 closed: the closed total would reveal the 3 open ones.
    trajectories = _cases(25, Q1)
    for i, t in enumerate(trajectories[:22]):
        t.status, t.closed_on = "closed", Q3
        t.close_reason = "verhuisd" if i % 2 else "geen_contact"
        t.save()
    response = analyst.get(reverse("casework:analyst"))
    figure = _figure(response.context["figures"], "afgesloten-naar-reden")
    assert "22" not in [cell.text for row in figure.rows for cell in row.cells]
    assert "eerder gepubliceerde uitvoer" not in response.content.decode()
    log = analyst.get(reverse("casework:analyst-log")).content.decode()
    # The analyst's log says which cells are hidden, not why: a reason narrows a hidden
    # value (attacker review). The differencing finding itself is listed.
    assert "eerder gepubliceerde uitvoer" not in log and "reden niet in dit log" in log
    assert "afgesloten-naar-reden" in log


def test_rounding_instead_of_suppression(analyst: Client, settings: Any) -> None:
    """Rounding is the installation's choice, not the reader's: one method per page (the same
    table rounded and with hidden cells would give the hidden cells away)."""
    _cases(12, Q1)
    _cases(11, Q3)
    settings.BSZ_ANALYST_METHOD = "afronden"
    figure = _figure(_figures(analyst, methode="onderdrukken"), "gestart-per-kwartaal")
    assert figure.rounded
    values = [int(cell.text) for row in figure.rows for cell in row.cells if not cell.hidden]
    assert values and all(v % 5 == 0 for v in values)


def test_no_resident_data_in_page_csv_or_log(analyst: Client) -> None:
    for t in _cases(12, Q1, name=SECRET_NAME, phone="0612345678"):
        make_conversation(t, held_on=Q1, scores=[5, 6, 7, 5, 6, 7], notes=SECRET_NOTE)
        make_goal(t, description="Geheim doel over de schuldeiser")
    responses = [analyst.get(reverse("casework:analyst"))]
    responses += [
        analyst.get(reverse("casework:analyst-csv", args=[f.slug]))
        for f in responses[0].context["figures"].figures
        if f.table is not None
    ]
    responses.append(analyst.get(reverse("casework:analyst-log")))
    assert len(responses) > 3
    for response in responses:
        assert response.status_code == 200
        body = response.content.decode()
        for secret in (SECRET_NAME, SECRET_NOTE, "0612345678", "schuldeiser"):
            assert secret not in body


def test_viewing_and_downloading_are_audited(client: Client) -> None:
    user = make_user(Role.ANALYST)
    login(client, user)
    _cases(12, Q1)
    client.get(reverse("casework:analyst"))
    client.get(reverse("casework:analyst-csv", args=["gestart-per-kwartaal"]))
    events = list(AuditEvent.objects.filter(actor=user).order_by("id"))
    assert [(e.action, e.purpose) for e in events] == [
        ("read", "beleidsinformatie"),
        ("export", "beleidsinformatie"),
    ]
    assert events[0].resident_id is None and events[1].details["tabel"] == "gestart-per-kwartaal"


def test_unknown_or_empty_table_is_not_found(analyst: Client) -> None:
    assert analyst.get(reverse("casework:analyst-csv", args=["bestaat-niet"])).status_code == 404
    # No referrals: nothing to download.
    assert analyst.get(reverse("casework:analyst-csv", args=["verwijzingen"])).status_code == 404


def test_analyst_starts_on_the_figures(analyst: Client) -> None:
    response = analyst.get(reverse("casework:home"))
    assert response.status_code == 302 and response["Location"] == reverse("casework:analyst")


def test_analyst_sees_the_nav_link(analyst: Client) -> None:
    html = analyst.get(reverse("casework:analyst")).content.decode()
    assert f'href="{reverse("casework:analyst")}"' in html
