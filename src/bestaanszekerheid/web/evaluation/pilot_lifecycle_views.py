"""The lifecycle steps of a pilot after it was registered: edit its design while it is in
preparation, end it once it runs, and resume a participation that was stopped.

Access as in :mod:`.pilot_views`: editing and ending are the team lead's (only the pilots of
the team lead's own team; anyone else 403, another team's pilot 404); resuming is for whoever
may see the trajectory (``for_user``; anything else 404). Each step is a page of its own
with a deliberate confirmation, and every write goes through :mod:`.pilot_services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.evaluation import pilot_services as services
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus
from bestaanszekerheid.web.evaluation.pilot_forms import (
    EndPilotForm,
    PilotForm,
    ResumeForm,
    arm_edit_formset,
)
from bestaanszekerheid.web.evaluation.pilot_views import (
    casework_only,
    participant_for,
    team_lead_only,
    team_pilots,
)


def _posted(request: AuthenticatedHttpRequest) -> QueryDict | None:
    """The POST data, also when empty: an empty confirmation must be refused, not shown anew."""
    return request.POST if request.method == "POST" else None


def _back_to_pilot(pilot: Pilot) -> HttpResponse:
    return redirect("evaluation:pilot", pk=pilot.pk)


@team_lead_only
def pilot_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change name, start, outcome measures, analysis plan and arms while in preparation."""
    pilot = get_object_or_404(team_pilots(request.user), pk=pk)
    if pilot.status != PilotStatus.PREPARING:
        messages.error(
            request,
            _("De opzet van een pilot kan alleen worden gewijzigd zolang hij in voorbereiding is."),
        )
        return _back_to_pilot(pilot)
    locked = pilot.participants.exists()
    # The form works on a copy: a refused POST must not show typed values as stored ones.
    form = PilotForm(_posted(request), instance=Pilot.objects.get(pk=pilot.pk))
    arms = arm_edit_formset(list(pilot.arms.all()), _posted(request), locked=locked)
    if request.method == "POST":
        if form.is_valid() and arms.is_valid():
            values = {f: form.cleaned_data[f] for f in services.PILOT_FIELDS}
            try:
                changed = services.update_pilot(request.user, pilot, values, arms.by_arm())
            except services.PilotStateError as exc:
                messages.error(request, str(exc))
            else:
                if changed:
                    messages.success(request, _("Opzet van de pilot bijgewerkt."))
                else:
                    messages.info(request, _("Niets gewijzigd."))
                return _back_to_pilot(pilot)
        else:
            messages.error(request, _("Pilot niet opgeslagen: zie de meldingen bij de velden."))
    return render(
        request,
        "evaluation/pilot_form.html",
        {"form": form, "arms": arms, "editing": pilot, "arms_locked": locked},
        status=400 if request.method == "POST" else 200,
    )


@team_lead_only
def pilot_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """End a running pilot, after a confirmation page."""
    pilot = get_object_or_404(team_pilots(request.user), pk=pk)
    if pilot.status != PilotStatus.RUNNING:
        messages.error(request, _("Alleen een lopende pilot kan worden afgerond."))
        return _back_to_pilot(pilot)
    form = EndPilotForm(_posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.end_pilot(request.user, pilot)
            except services.PilotStateError as exc:
                messages.error(request, str(exc))
                return _back_to_pilot(pilot)
            messages.success(
                request,
                _(
                    "Pilot afgerond. Iedereen houdt de arm waarin hij of zij is ingeloot; de "
                    "gegevens blijven voor de monitor en de evaluatie-export."
                ),
            )
            return _back_to_pilot(pilot)
        messages.error(request, _("Pilot niet afgerond: zie de melding bij het veld."))
    context = {"pilot": pilot, "form": form, "standing": services.standing(pilot).count()}
    return render(
        request,
        "evaluation/pilot_end.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


def _resident_page(participant: PilotParticipant) -> HttpResponse:
    url = reverse("casework:resident", args=[participant.trajectory.resident_id])
    return redirect(f"{url}#pilot-{participant.pk}-kop")


@casework_only
def participation_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo a stopped participation, after a confirmation page (reason optional)."""
    participant = participant_for(request, pk)
    refusal = services.resume_refusal(participant)
    if refusal:
        messages.error(request, refusal)
        return _resident_page(participant)
    form = ResumeForm(_posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resume_participation(
                    request.user, participant, form.cleaned_data["reason"]
                )
            except services.PilotStateError as exc:
                messages.error(request, str(exc))
                return _resident_page(participant)
            consent = (
                _("De toestemming voor de evaluatie staat nog.")
                if participant.consents_to_evaluation
                else _(
                    "Er is nog steeds geen toestemming voor de evaluatie; vraag die apart, als "
                    "de inwoner dat wil."
                )
            )
            messages.success(request, _("Deelname aan de pilot hervat.") + " " + consent)
            return _resident_page(participant)
        messages.error(request, _("Deelname niet hervat: zie de melding bij het veld."))
    # The page names the resident: an audited read, as the resident page itself.
    record(
        request.user,
        AuditAction.READ,
        participant,
        resident_id=participant.trajectory.resident_id,
        purpose=services.PURPOSE_EVALUATION,
        details={"pilot": participant.pilot_id},
    )
    return render(
        request,
        "evaluation/participation_resume.html",
        {"participant": participant, "form": form},
        status=400 if request.method == "POST" else 200,
    )
