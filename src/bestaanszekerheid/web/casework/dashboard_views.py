"""The team lead's dashboard page and its XLSX export."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.bars import bars_svg
from bestaanszekerheid.web.casework.dashboard import build_dashboard, dashboard_xlsx
from bestaanszekerheid.web.casework.services import today
from bestaanszekerheid.web.residents.models import DuplicateRegistration


@role_required(Role.TEAM_LEAD)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Aggregates only; no resident is named or listed."""
    board = build_dashboard(request.user, today())
    charts = {
        "reach": bars_svg(
            [(_("Bereikt"), board.reach)],
            board.reach_target,
            _("doel %(n)d") % {"n": board.reach_target},
            _("Bereik dit jaar tegen het doel (dezelfde cijfers staan hierboven)"),
        ),
        "caseloads": bars_svg(
            board.caseloads,
            board.caseload_norm,
            _("norm %(n)d") % {"n": board.caseload_norm},
            _("Lopende trajecten per consulent tegen de norm (dezelfde cijfers staan in de tabel)"),
        ),
    }
    open_duplicates = (
        DuplicateRegistration.objects.filter(
            team_id=request.user.team_id, handled_at__isnull=True
        ).count()
        if request.user.team_id
        else 0
    )
    context = {"board": board, "charts": charts, "open_duplicates": open_duplicates}
    return render(request, "casework/dashboard.html", context)


@role_required(Role.TEAM_LEAD)
def dashboard_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    board = build_dashboard(request.user, today())
    # Aggregates are not personal data, but exports are logged so every file is traceable.
    record(request.user, AuditAction.EXPORT, "dashboard", details={"year": board.year})
    response = HttpResponse(
        dashboard_xlsx(board),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="teamoverzicht-{board.year}.xlsx"'
    return response
