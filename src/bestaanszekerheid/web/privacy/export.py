"""Everything stored about one resident, as plain data (AVG art. 15 and 20)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q

from bestaanszekerheid.web.residents.models import DuplicateRegistration, Resident


def _plain(obj: Model, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def resident_data(resident: Resident) -> dict[str, Any]:
    """A nested dictionary of the resident and all their trajectories' content."""
    data: dict[str, Any] = {
        "inwoner": _plain(resident, ["id", "name", "phone", "bsn", "synthetic", "created_at"]),
        "toestemmingen": [
            _plain(c, ["given_on", "method", "withdrawn_on"]) for c in resident.consents.all()
        ],
        # A second registration with the same BSN (issue 15): which record, and when.
        "dubbele_registraties": [
            {
                "andere_registratie": d.existing_id
                if d.resident_id == resident.pk
                else d.resident_id,
                "geregistreerd_op": d.registered_at.isoformat(),
                "afgehandeld_op": d.handled_at.isoformat() if d.handled_at else None,
            }
            for d in DuplicateRegistration.objects.filter(
                Q(resident=resident) | Q(existing=resident)
            )
        ],
        "trajecten": [],
    }
    for t in resident.trajectories.select_related("consultant").all():
        data["trajecten"].append(
            {
                **_plain(t, ["id", "status", "opened_on", "closed_on", "close_reason"]),
                "vaste_consulent": t.consultant.get_full_name() or t.consultant.username,
                "routes": [_plain(r, ["route", "chosen_on"]) for r in t.routes.all()],
                "gesprekken": [
                    {
                        **_plain(
                            c,
                            [
                                "held_on",
                                "channel",
                                "themes",
                                "notes",
                                "acute_signal",
                                "acute_signal_resolved_on",
                            ],
                        ),
                        "scores_positieve_gezondheid": {
                            s.dimension: s.score for s in c.scores.all()
                        },
                    }
                    for c in t.conversations.all()
                ],
                "doelen": [
                    {
                        **_plain(g, ["description", "status", "created_on", "last_progress_on"]),
                        "acties": [
                            _plain(a, ["description", "due_on", "done_on"]) for a in g.actions.all()
                        ],
                    }
                    for g in t.goals.all()
                ],
                "vervolgafspraken": [
                    _plain(f, ["description", "due_on", "done_on"]) for f in t.follow_ups.all()
                ],
                "verwijzingen": [
                    {
                        **_plain(r, ["reason", "status", "created_at"]),
                        "partner": r.partner.name,
                        "geschiedenis": [
                            _plain(h, ["from_status", "to_status", "at"]) for h in r.history.all()
                        ],
                    }
                    for r in t.referrals.select_related("partner")
                ],
                # Outcome measurements (issue 16): date, moment and the score per item code.
                "metingen": [
                    {
                        **_plain(m, ["taken_on", "moment"]),
                        "scores": {s.item: s.score for s in m.scores.all()},
                    }
                    for m in t.measurements.prefetch_related("scores")
                ],
                # Pilot participation (issue 16): which pilot and arm, and both consents.
                "pilots": [
                    {
                        **_plain(
                            p,
                            [
                                "code",
                                "enrolled_on",
                                "participation_withdrawn_on",
                                "evaluation_consent_on",
                                "evaluation_consent_withdrawn_on",
                                "stratum",
                            ],
                        ),
                        "pilot": p.pilot.name,
                        "arm": p.arm.label if p.arm else None,
                    }
                    for p in t.pilot_participations.select_related("pilot", "arm")
                ],
            }
        )
    return data
