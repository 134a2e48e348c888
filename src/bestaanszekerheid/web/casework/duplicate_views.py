"""The team lead's list of registrations whose BSN was already known elsewhere (issue 15).

The consultant who registered was not told (no BSN oracle); the team lead is, and sorts it
out with the consultants involved: the fixed consultant of the existing case hands it over
or shares it, the new registration is closed or erased. The page shows references and staff
names only (kenmerken, consultants, dates), no names of residents and no case content.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework import services
from bestaanszekerheid.web.residents.models import DuplicateRegistration
from bestaanszekerheid.web.trajectories.models import Trajectory

team_lead_only = role_required(Role.TEAM_LEAD)


def _team_duplicates(request: AuthenticatedHttpRequest) -> QuerySet[DuplicateRegistration]:
    """Registrations made by members of the team lead's team."""
    if request.user.team_id is None:
        return DuplicateRegistration.objects.none()
    return DuplicateRegistration.objects.filter(team_id=request.user.team_id)


@team_lead_only
def duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open duplicate registrations of the team, with who holds the existing case."""
    rows = []
    open_ones = (
        _team_duplicates(request).filter(handled_at__isnull=True).select_related("registered_by")
    )
    for duplicate in open_ones:
        holder = (
            Trajectory.objects.filter(resident_id=duplicate.existing_id)
            .select_related("consultant__team")
            .order_by("-opened_on", "-id")
            .first()
        )
        rows.append((duplicate, holder))
    record(
        request.user,
        AuditAction.READ,
        "dubbele registraties",
        purpose=services.PURPOSE_HANDOVER,
        details={
            "duplicates": [d.pk for d, _h in rows],
            "residents": sorted({r for d, _h in rows for r in (d.resident_id, d.existing_id)}),
        },
    )
    return render(request, "casework/duplicates.html", {"rows": rows})


@require_POST
@team_lead_only
def duplicate_handled(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    duplicate = get_object_or_404(
        _team_duplicates(request).filter(handled_at__isnull=True),
        pk=pk,
    )
    services.handle_duplicate(request.user, duplicate)
    messages.success(request, _("Dubbele registratie afgehandeld."))
    return redirect("casework:duplicates")
