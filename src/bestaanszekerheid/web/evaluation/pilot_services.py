"""Every write of the pilot pages, each with its audit event in one transaction.

As :mod:`bestaanszekerheid.web.casework.services`: views check access and validate forms;
the functions here make the change and :func:`~bestaanszekerheid.web.audit.service.record`
it inside the same ``transaction.atomic`` block. Audit details name fields, codes and
counts, never names or scores.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.services import today
from bestaanszekerheid.web.evaluation.allocation_import import AllocationImport, read_allocation
from bestaanszekerheid.web.evaluation.models import (
    Pilot,
    PilotArm,
    PilotParticipant,
    PilotStatus,
    ResumeReason,
)
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

Actor = Any

PURPOSE_EVALUATION = "evaluatie van een pilot"
# No 0/O, 1/I/L: a code is read aloud and typed over. The first character is a letter, so
# no spreadsheet or CSV reader takes a code for a number (``2E45...``).
CODE_LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_ALPHABET = CODE_LETTERS + "23456789"
CODE_LENGTH = 8
CODE_ATTEMPTS = 20


class PilotStateError(Exception):
    """The pilot or participation is not in a state that allows this step (Dutch text)."""


def new_participant_code() -> str:
    """A random participant code: no meaning, no link to the BSN or to the order of enrolment."""
    rest = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH - 1))
    return secrets.choice(CODE_LETTERS) + rest


@transaction.atomic
def create_pilot(actor: Actor, pilot: Pilot, arms: Iterable[Mapping[str, Any]]) -> Pilot:
    """Save a new pilot of ``actor``'s team with its arms (validated by the forms)."""
    pilot.team_id = actor.team_id
    pilot.created_by = actor
    pilot.status = PilotStatus.PREPARING
    pilot.save()
    rows = [
        PilotArm(
            pilot=pilot,
            code=a["code"],
            label=a["label"],
            is_control=bool(a["is_control"]),
            description=a.get("description") or "",
            planned_contacts_per_month=a.get("planned_contacts_per_month"),
        )
        for a in arms
    ]
    PilotArm.objects.bulk_create(rows)
    record(
        actor,
        AuditAction.CREATE,
        pilot,
        purpose=PURPOSE_EVALUATION,
        details={
            "arms": [r.code for r in rows],
            "control": next(r.code for r in rows if r.is_control),
            "outcome_measures": list(pilot.outcome_measures),
        },
    )
    return pilot


def _locked(pilot: Pilot) -> Pilot:
    """The pilot row, locked until the end of the transaction (enrolment against import)."""
    return Pilot.objects.select_for_update().get(pk=pilot.pk)


@transaction.atomic
def enrol(
    actor: Actor, pilot: Pilot, trajectory: Trajectory, *, evaluation_consent_on: date | None
) -> PilotParticipant:
    """Enrol ``trajectory`` in ``pilot`` today, with (or without) evaluation consent."""
    pilot = _locked(pilot)
    if pilot.status == PilotStatus.ENDED:
        raise PilotStateError(_("Deze pilot is afgerond; aanmelden kan niet meer."))
    if pilot.status != PilotStatus.PREPARING:
        raise PilotStateError(_("Aanmelden kan alleen zolang de pilot in voorbereiding is."))
    if PilotParticipant.objects.filter(pilot=pilot, trajectory=trajectory).exists():
        raise PilotStateError(_("Deze inwoner is al aangemeld voor deze pilot."))
    taken = set(PilotParticipant.objects.filter(pilot=pilot).values_list("code", flat=True))
    for _attempt in range(CODE_ATTEMPTS):
        code = new_participant_code()
        if code not in taken:
            break
    else:  # 31^7 codes: this only happens when the random source is broken
        raise PilotStateError(_("Geen vrij deelnemernummer gevonden; probeer het opnieuw."))
    try:
        with transaction.atomic():
            participant = PilotParticipant.objects.create(
                pilot=pilot,
                trajectory=trajectory,
                code=code,
                enrolled_on=today(),
                enrolled_by=actor,
                evaluation_consent_on=evaluation_consent_on,
            )
    except IntegrityError as exc:  # a second click of the same button
        raise PilotStateError(_("Deze inwoner is al aangemeld voor deze pilot.")) from exc
    record(
        actor,
        AuditAction.CREATE,
        participant,
        resident_id=trajectory.resident_id,
        purpose=PURPOSE_EVALUATION,
        details={
            "pilot": pilot.pk,
            "fields": ["enrolled_on", "evaluation_consent_on"]
            if evaluation_consent_on
            else ["enrolled_on"],
            "evaluation_consent": evaluation_consent_on is not None,
            # Enrolled despite the warning on the page (a count, no names of pilots).
            "other_running_pilots": other_running_pilots(trajectory, pilot).count(),
        },
    )
    return participant


def other_running_pilots(trajectory: Trajectory, pilot: Pilot | None = None) -> QuerySet[Pilot]:
    """The running pilots the trajectory's resident takes part in (participation standing),
    through this or any other of the resident's trajectories; ``pilot`` left out."""
    taking_part = PilotParticipant.objects.filter(
        trajectory__resident_id=trajectory.resident_id, participation_withdrawn_on__isnull=True
    )
    pilots = Pilot.objects.filter(
        status=PilotStatus.RUNNING, pk__in=taking_part.values("pilot_id")
    ).order_by("name")
    return pilots.exclude(pk=pilot.pk) if pilot is not None else pilots


def _save(actor: Actor, participant: PilotParticipant, fields: list[str], **details: Any) -> None:
    participant.save(update_fields=fields)
    record(
        actor,
        AuditAction.UPDATE,
        participant,
        resident_id=participant.trajectory.resident_id,
        purpose=PURPOSE_EVALUATION,
        details={"pilot": participant.pilot_id, "fields": fields, **details},
    )


@transaction.atomic
def stop_participation(actor: Actor, participant: PilotParticipant) -> None:
    """The resident stops taking part (the support goes on; the arm, if any, stays: ITT)."""
    if participant.participation_withdrawn_on is not None:
        raise PilotStateError(_("De deelname is al gestopt."))
    if participant.pilot.status == PilotStatus.ENDED:
        # The export would read a stop after the end as a drop-out; the pilot is over anyway.
        raise PilotStateError(
            _(
                "Deze pilot is afgerond; stoppen is niet meer nodig. De begeleiding gaat "
                "gewoon door."
            )
        )
    participant.participation_withdrawn_on = today()
    _save(
        actor, participant, ["participation_withdrawn_on"], allocated=participant.arm_id is not None
    )


@transaction.atomic
def withdraw_evaluation_consent(actor: Actor, participant: PilotParticipant) -> None:
    """Leave the participant out of every later evaluation export."""
    if not participant.consents_to_evaluation:
        raise PilotStateError(_("Er is geen toestemming voor de evaluatie om in te trekken."))
    participant.evaluation_consent_withdrawn_on = today()
    _save(actor, participant, ["evaluation_consent_withdrawn_on"])


@transaction.atomic
def give_evaluation_consent(actor: Actor, participant: PilotParticipant) -> None:
    """Record consent given today (also after an earlier no or withdrawal)."""
    if participant.consents_to_evaluation:
        raise PilotStateError(_("De toestemming voor de evaluatie staat al."))
    participant.evaluation_consent_on = today()
    participant.evaluation_consent_withdrawn_on = None
    _save(actor, participant, ["evaluation_consent_on", "evaluation_consent_withdrawn_on"])


def standing(pilot: Pilot) -> QuerySet[PilotParticipant]:
    """The participants whose participation stands (the units of the loting)."""
    return PilotParticipant.objects.filter(pilot=pilot, participation_withdrawn_on__isnull=True)


def participant_list(pilot: Pilot) -> list[tuple[str, str]]:
    """``(deelnemer, consulent)`` per standing participant, for ``bsz loting``.

    The consultant is a code (C1, C2, ... in the order of the consultants' accounts), so the
    list can be stratified by consultant without naming anyone.
    """
    rows = list(standing(pilot).order_by("code").values_list("code", "trajectory__consultant_id"))
    consultants = {c: f"C{i}" for i, c in enumerate(sorted({c for _code, c in rows}), start=1)}
    return [(code, consultants[c]) for code, c in rows]


@transaction.atomic
def export_participant_list(actor: Actor, pilot: Pilot) -> list[tuple[str, str]]:
    """The participant list, with its audited export (count only)."""
    if pilot.status == PilotStatus.ENDED:
        raise PilotStateError(_("Deze pilot is afgerond; de deelnemerslijst is niet meer nodig."))
    if pilot.status != PilotStatus.PREPARING:
        raise PilotStateError(
            _("De loting is al ingelezen; de deelnemerslijst is niet meer nodig.")
        )
    rows = participant_list(pilot)
    record(
        actor,
        AuditAction.EXPORT,
        pilot,
        purpose=PURPOSE_EVALUATION,
        details={"file": "deelnemers.csv", "count": len(rows)},
    )
    return rows


@transaction.atomic
def import_allocation(actor: Actor, pilot: Pilot, text: str, control_code: str) -> AllocationImport:
    """Verify the log ``text`` against ``control_code`` and the pilot, then set every arm.

    Raises :class:`~.allocation_import.AllocationImportError` (nothing changed) or
    :class:`PilotStateError` when the loting was imported before.
    """
    pilot = _locked(pilot)
    if pilot.status == PilotStatus.ENDED:
        raise PilotStateError(_("Deze pilot is afgerond; een loting inlezen kan niet meer."))
    if pilot.status != PilotStatus.PREPARING or pilot.allocation_head:
        raise PilotStateError(
            _("De loting van deze pilot is al ingelezen; een tweede loting kan niet.")
        )
    arms = {a.code: a for a in pilot.arms.all()}
    control = next(code for code, a in arms.items() if a.is_control)
    participants = {p.code: p for p in standing(pilot).select_related("trajectory")}
    stopped = PilotParticipant.objects.filter(
        pilot=pilot, participation_withdrawn_on__isnull=False
    ).values_list("code", flat=True)
    result = read_allocation(
        text,
        control_code,
        arm_codes=list(arms),
        control_arm=control,
        participants=list(participants),
        stopped=list(stopped),
        strata=dict(participant_list(pilot)),
    )
    for code, assignment in result.assignments.items():
        participant = participants[code]
        participant.arm = arms[assignment.arm]
        participant.stratum = assignment.stratum
    PilotParticipant.objects.bulk_update(participants.values(), ["arm", "stratum"])
    pilot.status = PilotStatus.RUNNING
    pilot.allocation_head = result.head
    pilot.allocation_seed = result.seed
    pilot.allocation_design = result.design
    pilot.allocation_imported_at = timezone.now()
    pilot.allocation_imported_by = actor if getattr(actor, "pk", None) else None
    pilot.save(
        update_fields=[
            "status",
            "allocation_head",
            "allocation_seed",
            "allocation_design",
            "allocation_imported_at",
            "allocation_imported_by",
        ]
    )
    record(
        actor,
        AuditAction.UPDATE,
        pilot,
        purpose=PURPOSE_EVALUATION,
        details={
            "entries": result.n_entries,
            "head": result.head,
            "participants": len(participants),
        },
    )
    # Per resident too: their own audit trail (a privacy request) shows that an arm was set.
    for participant in participants.values():
        record(
            actor,
            AuditAction.UPDATE,
            participant,
            resident_id=participant.trajectory.resident_id,
            purpose=PURPOSE_EVALUATION,
            details={"pilot": pilot.pk, "fields": ["arm", "stratum"]},
        )
    return result


def record_refused_import(actor: Actor, pilot: Pilot, n_problems: int) -> None:
    """Audit a refused import (nothing else changed): repeated tries with other logs show."""
    record(
        actor,
        AuditAction.UPDATE,
        pilot,
        purpose=PURPOSE_EVALUATION,
        details={"outcome": "refused", "problems": n_problems},
    )


# ----------------------------------------------------------------------------- lifecycle

PILOT_FIELDS = ("name", "starts_on", "outcome_measures", "analysis_plan")
ARM_FIELDS = ("code", "label", "is_control", "description", "planned_contacts_per_month")
# Once someone is enrolled, the participant list may be out and the loting run with these.
ARM_FIELDS_FIXED = ("code", "is_control")


def _arm_changes(
    stored: Mapping[int, PilotArm], arms: Mapping[int, Mapping[str, Any]], fixed: bool
) -> dict[int, list[str]]:
    """Per arm id, the fields that change (a :class:`PilotStateError` if that is not allowed)."""
    if set(arms) != set(stored):
        raise PilotStateError(
            _("De armen van deze pilot zijn intussen veranderd; open de pagina opnieuw.")
        )
    changes = {}
    for pk, values in arms.items():
        fields = [f for f in ARM_FIELDS if f in values and getattr(stored[pk], f) != values[f]]
        if fixed and any(f in ARM_FIELDS_FIXED for f in fields):
            raise PilotStateError(
                _(
                    "Er zijn al deelnemers aangemeld: de codes van de armen en de controlearm "
                    "liggen vast."
                )
            )
        if fields:
            changes[pk] = fields
    return changes


def _save_arms(
    stored: Mapping[int, PilotArm],
    arms: Mapping[int, Mapping[str, Any]],
    changes: Mapping[int, list[str]],
) -> None:
    renamed = [stored[pk] for pk, fields in changes.items() if "code" in fields]
    if renamed:  # two arms may swap codes: step aside first (the codes are unique per pilot)
        for arm in renamed:
            arm.code = f"-{arm.pk}"
        PilotArm.objects.bulk_update(renamed, ["code"])
    for pk, fields in changes.items():
        arm = stored[pk]
        for f in fields:
            setattr(arm, f, arms[pk][f])
        arm.save(update_fields=fields)


@transaction.atomic
def update_pilot(
    actor: Actor,
    pilot: Pilot,
    values: Mapping[str, Any],
    arms: Mapping[int, Mapping[str, Any]],
) -> list[str]:
    """Change the design of a pilot in preparation: ``values`` for :data:`PILOT_FIELDS`,
    ``arms`` per arm id (the arms stay the same ones). Arm codes and the control arm are
    fixed once a participant is enrolled. Returns what changed (empty: nothing saved or
    audited)."""
    locked = _locked(pilot)
    if locked.status != PilotStatus.PREPARING:
        raise PilotStateError(
            _("De opzet van een pilot kan alleen worden gewijzigd zolang hij in voorbereiding is.")
        )
    fields = [f for f in PILOT_FIELDS if getattr(locked, f) != values[f]]
    stored = {a.pk: a for a in locked.arms.all()}
    before = {pk: a.code for pk, a in stored.items()}
    changes = _arm_changes(stored, arms, fixed=locked.participants.exists())
    if not fields and not changes:
        return []
    if fields:
        for f in fields:
            setattr(locked, f, values[f])
        try:
            with transaction.atomic():
                locked.save(update_fields=fields)
        except IntegrityError as exc:  # the same name saved by someone else just now
            raise PilotStateError(
                _("Er is al een pilot met deze naam; kies een andere naam.")
            ) from exc
    _save_arms(stored, arms, changes)
    details: dict[str, Any] = {
        "changed": fields,
        "arms": {before[pk]: fields for pk, fields in changes.items()},
    }
    if "outcome_measures" in fields:
        details["outcome_measures"] = list(locked.outcome_measures)
    renamed = {before[pk]: stored[pk].code for pk in changes if "code" in changes[pk]}
    if renamed:
        details["codes"] = renamed
    record(actor, AuditAction.UPDATE, locked, purpose=PURPOSE_EVALUATION, details=details)
    return [*fields, *(f"arm:{before[pk]}:{f}" for pk, fs in changes.items() for f in fs)]


@transaction.atomic
def end_pilot(actor: Actor, pilot: Pilot) -> None:
    """End a running pilot: no enrolment or loting after this; every participant keeps the
    arm, and the data stay for the monitor and the approved exports."""
    locked = _locked(pilot)
    if locked.status != PilotStatus.RUNNING:
        raise PilotStateError(_("Alleen een lopende pilot kan worden afgerond."))
    locked.status = PilotStatus.ENDED
    locked.ended_on = today()
    locked.ended_by = actor
    locked.save(update_fields=["status", "ended_on", "ended_by"])
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        purpose=PURPOSE_EVALUATION,
        details={
            "fields": ["status", "ended_on", "ended_by"],
            "from": str(PilotStatus.RUNNING),
            "to": str(PilotStatus.ENDED),
            "participants": standing(locked).count(),
        },
    )
    pilot.status, pilot.ended_on, pilot.ended_by = locked.status, locked.ended_on, actor


def resume_refusal(participant: PilotParticipant) -> str:
    """Why the stopped participation cannot be resumed now ("" when it can)."""
    if participant.participation_withdrawn_on is None:
        return _("De deelname loopt al.")
    if participant.pilot.status == PilotStatus.ENDED:
        return _("Deze pilot is afgerond; hervatten kan niet meer.")
    if participant.trajectory.status != TrajectoryStatus.OPEN:
        return _("Het traject is afgesloten; hervatten kan alleen bij een open traject.")
    return ""


@transaction.atomic
def resume_participation(actor: Actor, participant: PilotParticipant, reason: str) -> None:
    """Undo a stop (made by mistake, or the resident takes part again). The evaluation
    consent is a separate matter and stays as it is; the arm, if any, too. ``reason``: a
    :class:`~.models.ResumeReason` or "" (not given)."""
    if reason and reason not in ResumeReason.values:
        raise ValueError(f"unknown reason {reason!r}")
    _locked(participant.pilot)  # against the end of the pilot or the import in between
    participant.refresh_from_db(fields=["participation_withdrawn_on"])
    participant.pilot.refresh_from_db(fields=["status"])
    participant.trajectory.refresh_from_db(fields=["status"])
    refusal = resume_refusal(participant)
    if refusal:
        raise PilotStateError(refusal)
    stopped_on = participant.participation_withdrawn_on
    participant.participation_withdrawn_on = None
    _save(
        actor,
        participant,
        ["participation_withdrawn_on"],
        resumed=True,
        stopped_on=stopped_on.isoformat() if stopped_on else None,
        reason=reason or None,
        allocated=participant.arm_id is not None,
    )
