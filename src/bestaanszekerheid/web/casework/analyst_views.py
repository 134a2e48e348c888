"""The analyst's page: aggregated figures through disclosure control, and their CSV files.

Only the analyst role may use it. Every view is audited with the purpose "beleidsinformatie";
the figures themselves hold no personal data (see :mod:`.analyst_figures`). The page is
published as a whole and kept until enough has changed (:mod:`.published`); its CSV files and
log are those of the publication shown.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bestaanszekerheid.disclosure.log import render_markdown
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
from bestaanszekerheid.web.casework.published import settle

PURPOSE_POLICY = "beleidsinformatie"
#: ``BSZ_ANALYST_METHOD`` -> how count tables are protected (one method per installation).
METHODS: dict[str, Method] = {"onderdrukken": "suppress", "afronden": "round"}
PAGE = "analist"
WITHHELD_REASON = "reden niet in dit log: die zou iets over de verborgen waarde zeggen"


def _figures() -> tuple[AnalystFigures, dict[str, Any]]:
    """This view's figures, each as published now or kept from before, and their log."""
    figures = build_figures(load_rows(), method=METHODS[settings.BSZ_ANALYST_METHOD])
    # One page whatever the method: a switch is compared with what was published before
    # (attacker review: a key per method published everything afresh after a switch).
    shown, log = settle(
        PAGE,
        figures.figures,
        min_count=figures.rules.min_count,
        now=timezone.now(),
        log=figures.log,
    )
    figures.figures = shown
    assert log is not None
    return figures, _without_reasons(log)


def _without_reasons(log: dict[str, Any]) -> dict[str, Any]:
    """The log as the analyst may download it: which cells are hidden and whether for
    themselves or to protect another, not why (attacker review: "empty cell" next to "all
    in the group have the same value" told every referral to a partner had been declined)."""
    outputs = []
    for entry in log.get("outputs", []):
        cells = [
            {**cell, "reasons": [WITHHELD_REASON]} for cell in entry.get("suppressed_cells", [])
        ]
        # How many cells failed each check would narrow them down just as well.
        checks = [{**check, "failed": "–"} for check in entry.get("checks", [])]
        outputs.append({**entry, "suppressed_cells": cells, "checks": checks})
    return {**log, "outputs": outputs}


def _audit_details(figures: AnalystFigures) -> dict[str, Any]:
    return {
        "methode": settings.BSZ_ANALYST_METHOD,
        "bewaard": [f.slug for f in figures.figures if f.kept],
    }


@role_required(Role.ANALYST)
def analyst(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All checked tables on one page, with the rules applied and every hidden cell's reason."""
    figures, _log = _figures()
    details = {"tabellen": [f.slug for f in figures.figures if f.rows], **_audit_details(figures)}
    record(request.user, AuditAction.READ, "analyse", purpose=PURPOSE_POLICY, details=details)
    return render(
        request,
        "casework/analyst.html",
        {
            "figures": figures,
            "method": settings.BSZ_ANALYST_METHOD,
            "min_count": figures.rules.min_count,
        },
    )


@role_required(Role.ANALYST)
def analyst_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """One table as CSV, exactly as published on the page (same publication, same cells)."""
    figures, _log = _figures()
    figure = figures.get(slug)
    if figure is None or not figure.rows:
        raise Http404
    details = {"tabel": slug, **_audit_details(figures)}
    record(request.user, AuditAction.EXPORT, "analyse", purpose=PURPOSE_POLICY, details=details)
    response = HttpResponse(figure.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return response


@role_required(Role.ANALYST)
def analyst_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The disclosure-control log of the publication shown (Markdown): rules, checks, hidden
    cells."""
    figures, log = _figures()
    details = {"tabel": "onthullingscontrole", **_audit_details(figures)}
    record(request.user, AuditAction.EXPORT, "analyse", purpose=PURPOSE_POLICY, details=details)
    response = HttpResponse(render_markdown(log), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="onthullingscontrole.md"'
    return response
