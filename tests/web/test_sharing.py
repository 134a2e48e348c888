"""Sharing, handing over and correcting: who may, what changes, and what is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.audit.service import verify_chain
from bestaanszekerheid.web.conversations.models import Dimension

from .factories import (
    login,
    make_case,
    make_conversation,
    make_follow_up,
    make_team,
    make_user,
)

pytestmark = pytest.mark.django_db
NAME = "Gedeelde Gijs"


@pytest.fixture()
def team_case() -> dict[str, Any]:
    team = make_team()
    owner = make_user(Role.CONSULTANT, team)
    return {
        "team": team,
        "owner": owner,
        "colleague": make_user(Role.CONSULTANT, team),
        "outsider": make_user(Role.CONSULTANT, make_team()),
        "trajectory": make_case(owner, name=NAME),
    }


def _resident_url(c: dict[str, Any]) -> str:
    return reverse("casework:resident", args=[c["trajectory"].resident_id])


def test_owner_shares_and_stops_sharing(client: Client, team_case: dict[str, Any]) -> None:
    c = team_case
    login(client, c["owner"])
    page = client.get(reverse("casework:sharing", args=[c["trajectory"].pk])).content.decode()
    # Only colleagues in the own team can be chosen.
    assert c["colleague"].get_full_name() in page
    assert c["outsider"].get_full_name() not in page
    response = client.post(
        reverse("casework:share", args=[c["trajectory"].pk]),
        {"share-colleague": c["colleague"].pk},
    )
    assert response.status_code == 302
    assert list(c["trajectory"].shared_with.all()) == [c["colleague"]]
    other = Client()
    login(other, c["colleague"])
    assert NAME in other.get(_resident_url(c)).content.decode()

    client.post(reverse("casework:unshare", args=[c["trajectory"].pk, c["colleague"].pk]))
    assert not c["trajectory"].shared_with.exists()
    assert other.get(_resident_url(c)).status_code == 404
    details = [e.details for e in AuditEvent.objects.filter(object_type="trajectories.Trajectory")]
    assert {"shared_with": c["colleague"].pk}.items() <= details[0].items()
    assert {"unshared_with": c["colleague"].pk}.items() <= details[1].items()
    assert verify_chain().ok


def test_sharing_with_someone_outside_the_team_is_refused(
    client: Client, team_case: dict[str, Any]
) -> None:
    c = team_case
    login(client, c["owner"])
    response = client.post(
        reverse("casework:share", args=[c["trajectory"].pk]),
        {"share-colleague": c["outsider"].pk},
    )
    assert response.status_code == 400
    assert not c["trajectory"].shared_with.exists()


def test_a_colleague_with_shared_access_cannot_share_or_hand_over(
    client: Client, team_case: dict[str, Any]
) -> None:
    c = team_case
    c["trajectory"].shared_with.add(c["colleague"])
    third = make_user(Role.CONSULTANT, c["team"])
    login(client, c["colleague"])
    pk = c["trajectory"].pk
    assert client.get(reverse("casework:sharing", args=[pk])).status_code == 404
    assert (
        client.post(reverse("casework:share", args=[pk]), {"share-colleague": third.pk}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("casework:hand-over", args=[pk]),
            {"handover-consultant": c["colleague"].pk, "handover-confirm": "on"},
        ).status_code
        == 404
    )
    assert client.post(reverse("casework:unshare", args=[pk, c["colleague"].pk])).status_code == 404
    c["trajectory"].refresh_from_db()
    assert c["trajectory"].consultant == c["owner"]


def test_hand_over_moves_the_fixed_contact_and_ends_the_old_access(
    client: Client, team_case: dict[str, Any]
) -> None:
    c = team_case
    c["trajectory"].shared_with.add(c["colleague"])
    login(client, c["owner"])
    url = reverse("casework:hand-over", args=[c["trajectory"].pk])
    # The confirmation that the resident was told is required.
    assert client.post(url, {"handover-consultant": c["colleague"].pk}).status_code == 400
    response = client.post(
        url, {"handover-consultant": c["colleague"].pk, "handover-confirm": "on"}
    )
    assert response.status_code == 302
    c["trajectory"].refresh_from_db()
    assert c["trajectory"].consultant == c["colleague"]
    assert not c["trajectory"].shared_with.exists()  # no longer "shared" with the new owner
    assert client.get(_resident_url(c)).status_code == 404
    event = AuditEvent.objects.filter(object_type="trajectories.Trajectory").last()
    assert event is not None
    assert event.details["consultant_from"] == c["owner"].pk
    assert event.details["consultant_to"] == c["colleague"].pk


def test_team_lead_hands_over_all_open_cases_without_seeing_them(
    client: Client, team_case: dict[str, Any]
) -> None:
    c = team_case
    make_case(c["owner"], name="Tweede Tineke")
    closed = make_case(c["owner"], name="Gesloten Gert")
    closed.status, closed.closed_on, closed.close_reason = "closed", date.today(), "anders"
    closed.save()
    lead = make_user(Role.TEAM_LEAD, c["team"])
    login(client, lead)
    page = client.get(reverse("casework:team-hand-over")).content.decode()
    assert NAME not in page and "Tweede Tineke" not in page
    # Open trajectories per consultant: the closed one does not count.
    assert f"{c['owner'].get_full_name()}</th><td>2</td>" in page
    assert f"{c['colleague'].get_full_name()}</th><td>0</td>" in page
    assert c["outsider"].get_full_name() not in page
    response = client.post(
        reverse("casework:team-hand-over"),
        {"from_consultant": c["owner"].pk, "to_consultant": c["colleague"].pk},
        follow=True,
    )
    body = response.content.decode()
    assert "2 lopende trajecten overgedragen" in body
    assert NAME not in body
    assert set(c["colleague"].caseload.values_list("resident__name", flat=True)) == {
        NAME,
        "Tweede Tineke",
    }
    closed.refresh_from_db()
    assert closed.consultant == c["owner"]  # closed trajectories stay where they were
    assert AuditEvent.objects.filter(actor=lead, action="update").count() == 2


def test_team_lead_cannot_hand_over_from_another_team(
    client: Client, team_case: dict[str, Any]
) -> None:
    c = team_case
    login(client, make_user(Role.TEAM_LEAD, make_team()))
    response = client.post(
        reverse("casework:team-hand-over"),
        {"from_consultant": c["owner"].pk, "to_consultant": c["colleague"].pk},
    )
    assert response.status_code == 200  # the form shows the error
    c["trajectory"].refresh_from_db()
    assert c["trajectory"].consultant == c["owner"]


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.FUNCTIONAL_ADMIN, Role.ANALYST])
def test_team_hand_over_is_for_team_leads_only(
    client: Client, team_case: dict[str, Any], role: str
) -> None:
    login(client, make_user(role, team_case["team"]))
    assert client.get(reverse("casework:team-hand-over")).status_code == 403


def test_editing_a_conversation_replaces_scores_and_audits_field_names_only(
    client: Client, team_case: dict[str, Any]
) -> None:
    c = team_case
    conversation = make_conversation(c["trajectory"], scores=[5] * 6, notes="oud")
    login(client, c["owner"])
    url = reverse("casework:conversation-edit", args=[conversation.pk])
    form_page = client.get(url).content.decode()
    assert 'value="5"' in form_page and "oud" in form_page
    data = {
        "held_on": conversation.held_on.isoformat(),
        "channel": "deur",
        "themes": ["geld"],
        "notes": "nieuwe-aantekening",
        **{f"score_{code}": "7" for code in Dimension.values},
    }
    assert client.post(url, data).status_code == 302
    conversation.refresh_from_db()
    assert conversation.notes == "nieuwe-aantekening"
    assert sorted(conversation.scores.values_list("score", flat=True)) == [7] * 6
    event = AuditEvent.objects.filter(action="update", object_type="conversations.Conversation")
    details = event.get().details
    assert "notes" in details["changed"] and "score_meedoen" in details["changed"]
    assert "nieuwe-aantekening" not in str(details)  # field names, never the content


def test_edit_refuses_incomplete_scores(client: Client, team_case: dict[str, Any]) -> None:
    c = team_case
    conversation = make_conversation(c["trajectory"], scores=[5] * 6)
    login(client, c["owner"])
    data = {"held_on": conversation.held_on.isoformat(), "channel": "deur", "score_meedoen": "3"}
    response = client.post(reverse("casework:conversation-edit", args=[conversation.pk]), data)
    assert response.status_code == 400  # refused, the form shown again
    assert "Vul alle zes scores in" in response.content.decode()
    assert sorted(conversation.scores.values_list("score", flat=True)) == [5] * 6


def test_done_follow_ups_cannot_be_edited(client: Client, team_case: dict[str, Any]) -> None:
    c = team_case
    done = make_follow_up(c["trajectory"], date(2025, 1, 1), done_on=date(2025, 1, 2))
    login(client, c["owner"])
    assert client.get(reverse("casework:follow-up-edit", args=[done.pk])).status_code == 404
