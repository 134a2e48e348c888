"""The analyst's page: aggregated figures through disclosure control, and their CSV files.

Only the analyst role may use it. Every view is audited with the purpose "beleidsinformatie";
the figures themselves hold no personal data (see :mod:`.analyst_figures`).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.analyst_figures import (
    AnalystFigures,
    Method,
    build_figures,
    load_rows,
)

PURPOSE_POLICY = "beleidsinformatie"
# The query parameter ``methode`` chooses how count tables are protected.
METHODS: dict[str, Method] = {"onderdrukken": "suppress", "afronden": "round"}


def _figures(request: AuthenticatedHttpRequest) -> tuple[str, AnalystFigures]:
    choice = request.GET.get("methode", "onderdrukken")
    if choice not in METHODS:
        choice = "onderdrukken"
    return choice, build_figures(load_rows(), method=METHODS[choice])


@role_required(Role.ANALYST)
def analyst(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All checked tables on one page, with the rules applied and every hidden cell's reason."""
    choice, figures = _figures(request)
    record(
        request.user,
        AuditAction.READ,
        "analyse",
        purpose=PURPOSE_POLICY,
        details={"tabellen": [f.slug for f in figures.figures if f.table], "methode": choice},
    )
    return render(
        request,
        "casework/analyst.html",
        {"figures": figures, "method": choice, "methods": list(METHODS)},
    )


@role_required(Role.ANALYST)
def analyst_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """One table as CSV, exactly as checked for the page (same register, same suppression)."""
    choice, figures = _figures(request)
    figure = figures.get(slug)
    if figure is None or figure.table is None:
        raise Http404
    record(
        request.user,
        AuditAction.EXPORT,
        "analyse",
        purpose=PURPOSE_POLICY,
        details={"tabel": slug, "methode": choice},
    )
    response = HttpResponse(figure.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{choice}.csv"'
    return response


@role_required(Role.ANALYST)
def analyst_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The disclosure-control log of the page (Markdown): rules, checks, hidden cells."""
    choice, figures = _figures(request)
    record(
        request.user,
        AuditAction.EXPORT,
        "analyse",
        purpose=PURPOSE_POLICY,
        details={"tabel": "onthullingscontrole", "methode": choice},
    )
    response = HttpResponse(figures.log_markdown(), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="onthullingscontrole-{choice}.md"'
    return response
