"""The pages of the evaluation export: request, decide (four eyes), download once.

Only the analyst (who requests and downloads their own) and the privacy officer (who sees
every request and decides) use these pages; every other role gets 403, a request the user
may not see 404. The rules live in :mod:`.export_services`, the file in :mod:`.export_file`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.services import today
from bestaanszekerheid.web.evaluation import export_services as services
from bestaanszekerheid.web.evaluation.export_file import (
    KEY_DEMO,
    MEASURE_SUFFIXES,
    ROUTE_COLUMNS,
    ExportKeyError,
    columns,
    labels_yaml,
    measure_codes,
    participants,
)
from bestaanszekerheid.web.evaluation.instruments import MEASURES_BY_CODE
from bestaanszekerheid.web.evaluation.models import EvaluationExport, Pilot

export_roles = role_required(Role.ANALYST, Role.PRIVACY_OFFICER)

# What each column of the file means, shown to the privacy officer before deciding.
COLUMN_TEXTS: tuple[tuple[str, Any], ...] = (
    ("deelnemer", gettext_lazy("pseudoniem (sleutel-hash van pilot en traject), geen naam of BSN")),
    ("arm", gettext_lazy("de geloote arm (code)")),
    (
        "stratum",
        gettext_lazy("het stratum van de loting: leeg of de consulentcode (C1, C2, …), geen naam"),
    ),
    ("aangemeld_maand", gettext_lazy("maand van aanmelding voor de pilot (geen exacte datum)")),
    (
        "dagen_traject_voor_aanmelding",
        gettext_lazy("hoeveel dagen het traject al liep bij de aanmelding"),
    ),
    ("deelname_gestopt", gettext_lazy("1 als de inwoner met de pilot stopte (blijft meetellen)")),
    ("afgesloten", gettext_lazy("1 als het traject is afgesloten")),
    ("synthetisch", gettext_lazy("1 bij een demo-pilot (verzonnen deelnemers)")),
    (", ".join(ROUTE_COLUMNS), gettext_lazy("1 als het traject die route volgt")),
    ("contacten", gettext_lazy("aantal gesprekken sinds aanmelding")),
    ("contacten_per_maand", gettext_lazy("gesprekken per maand sinds aanmelding")),
    ("verwijzingen", gettext_lazy("aantal verwijzingen sinds aanmelding")),
    ("doelen", gettext_lazy("aantal doelen")),
    ("doelen_bereikt", gettext_lazy("aantal bereikte doelen")),
    ("doel_bereikt", gettext_lazy("1 als minstens één doel is bereikt")),
)
MEASURE_TEXT = gettext_lazy(
    "per uitkomstmaat: eerste en laatste score sinds aanmelding met het aantal dagen na de "
    "aanmelding (geen datum), en de verandering"
)


class ExportRequestForm(forms.Form):
    """An analyst's request: which pilot and what for."""

    pilot = forms.ModelChoiceField(
        label=gettext_lazy("Pilot"),
        queryset=Pilot.objects.none(),
        empty_label=gettext_lazy("Kies een pilot"),
        error_messages={
            "required": gettext_lazy("Kies een pilot."),
            "invalid_choice": gettext_lazy(
                "Kies een pilot uit de lijst (alleen pilots met een ingelezen loting)."
            ),
        },
    )
    purpose = forms.CharField(
        label=gettext_lazy("Doel van de export"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Waarvoor je de gegevens gebruikt, bijvoorbeeld de effectmeting volgens het "
            "analyseplan van de pilot. De privacyfunctionaris beoordeelt dit."
        ),
        error_messages={"required": gettext_lazy("Geef het doel van de export.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pilot = self.fields["pilot"]
        assert isinstance(pilot, forms.ModelChoiceField)
        pilot.queryset = services.exportable_pilots()


def _row(user: Any, export: EvaluationExport, now: Any) -> dict[str, Any]:
    return {
        "export": export,
        "state": services.state(export, now),
        "expires": services.expires_at(export),
        "may_decide": services.may_decide(user, export),
        "may_download": services.may_download(user, export),
    }


@export_roles
def exports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The requests the user may see: an analyst their own, a privacy officer all."""
    now = timezone.now()
    visible = list(services.visible_exports(request.user))
    record(
        request.user,
        AuditAction.READ,
        "evaluatie-exports",
        purpose=services.PURPOSE_EVALUATION,
        details={"exports": [e.pk for e in visible]},
    )
    rows = [_row(request.user, e, now) for e in visible]
    return render(
        request,
        "evaluation/exports.html",
        {
            "rows": rows,
            "days": services.REQUEST_DAYS,
            "is_analyst": request.user.role == Role.ANALYST,
        },
    )


@role_required(Role.ANALYST)
def export_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Ask for an export; the privacy officer decides on the next page."""
    form = ExportRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                export = services.request_export(
                    request.user, form.cleaned_data["pilot"], form.cleaned_data["purpose"]
                )
            except services.ExportNotAllowedError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Aanvraag opgeslagen. Een privacyfunctionaris beoordeelt hem; daarna "
                        "kun je het bestand één keer downloaden."
                    ),
                )
                return redirect("evaluation:export", pk=export.pk)
        messages.error(request, _("Aanvraag niet opgeslagen: zie de melding bij het veld."))
    return render(
        request,
        "evaluation/export_request.html",
        {"form": form, "days": services.REQUEST_DAYS},
        status=400 if request.method == "POST" else 200,
    )


def _column_texts(pilot: Pilot) -> list[tuple[str, Any]]:
    texts = list(COLUMN_TEXTS)
    for code in measure_codes(pilot):
        names = ", ".join(f"{code}_{suffix}" for suffix in MEASURE_SUFFIXES)
        texts.append((names, MEASURES_BY_CODE[code].label))
    return texts


@export_roles
def export_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One request: what the file holds, its state, the decision and (after) its provenance."""
    export = get_object_or_404(services.visible_exports(request.user), pk=pk)
    record(
        request.user,
        AuditAction.READ,
        export,
        purpose=services.PURPOSE_EVALUATION,
        details={"pilot": export.pilot_id},
    )
    row = _row(request.user, export, timezone.now())
    return render(
        request,
        "evaluation/export_detail.html",
        {
            **row,
            "row": row,
            "columns": _column_texts(export.pilot),
            "n_columns": len(columns(export.pilot)),
            "measure_text": MEASURE_TEXT,
            "provenance": services.provenance(export),
            "demo_key": KEY_DEMO,
            "days": services.REQUEST_DAYS,
            # What the privacy officer weighs the purpose against (fresh-eye review): the
            # pilot's plan, arms and measures, and how many rows the file would hold now.
            "arms": list(export.pilot.arms.all()),
            "measures": [MEASURES_BY_CODE[c].label for c in measure_codes(export.pilot)],
            "expected_rows": len(participants(export.pilot)),
        },
    )


def _refused(request: AuthenticatedHttpRequest, text: str, status: int = 403) -> HttpResponse:
    """A refusal as a page (no file), with the Dutch reason."""
    return render(
        request,
        "error_page.html",
        {"heading": _("Export niet beschikbaar"), "text": text},
        status=status,
    )


def _decide(request: AuthenticatedHttpRequest, pk: int, approve: bool) -> HttpResponse:
    export = get_object_or_404(services.visible_exports(request.user), pk=pk)
    try:
        if approve:
            services.approve(request.user, export)
        else:
            services.reject(request.user, export)
    except services.ExportNotAllowedError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:export", pk=export.pk)
    messages.success(
        request,
        _("Goedgekeurd: de aanvrager kan het bestand nu één keer downloaden.")
        if approve
        else _("Afgewezen: deze export kan niet worden gedownload."),
    )
    return redirect("evaluation:export", pk=export.pk)


@require_POST
@role_required(Role.PRIVACY_OFFICER)
def export_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@require_POST
@role_required(Role.PRIVACY_OFFICER)
def export_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)


@require_POST
@role_required(Role.ANALYST)
def export_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The file, built now, once (POST: a prefetched link must not use up the download)."""
    export = get_object_or_404(services.visible_exports(request.user), pk=pk)
    try:
        built = services.download(request.user, export, today())
    except services.ExportNotAllowedError as exc:
        return _refused(request, str(exc))
    except ExportKeyError as exc:
        return _refused(request, str(exc), status=503)
    response = HttpResponse(built.content, content_type="text/csv; charset=utf-8")
    name = f"evaluatie-pilot{export.pilot_id}-export{export.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(Role.ANALYST)
def export_labels(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Names for the file's codes (``bsz effect --labels``): no personal data, but only for
    the requester of an approved export, like the file."""
    export = get_object_or_404(services.visible_exports(request.user), pk=pk)
    if services.state(export) not in (services.APPROVED, services.DOWNLOADED):
        return _refused(
            request, _("Deze aanvraag is (nog) niet goedgekeurd door een privacyfunctionaris.")
        )
    record(
        request.user,
        AuditAction.EXPORT,
        export,
        purpose=services.PURPOSE_EVALUATION,
        details={"pilot": export.pilot_id, "step": "labels"},
    )
    response = HttpResponse(labels_yaml(export.pilot), content_type="text/yaml; charset=utf-8")
    name = f"evaluatie-pilot{export.pilot_id}-labels.yaml"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
