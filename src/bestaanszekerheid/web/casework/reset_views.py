"""Four eyes on password and 2FA resets (ADR 0054): the page where a privacy officer or
another functional administrator approves or rejects what an administrator asked for.

No case content here. The rules (who may approve, expiry, what approval does) live in
:mod:`bestaanszekerheid.web.accounts.resets`; every step there is audited with its change.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts import resets
from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import CredentialKind, CredentialReset
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.admin_views import admin_only, password_link_response

approvers_or_admin = role_required(*resets.APPROVER_ROLES)

# How far back the page lists handled requests.
HISTORY_DAYS = 30


@approvers_or_admin
def reset_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open requests (approve, reject, take the link) and those handled in the last 30 days."""
    now = timezone.now()
    open_list = list(resets.open_requests(now).order_by("requested_at"))
    open_ids = [r.pk for r in open_list]
    history = (
        CredentialReset.objects.filter(requested_at__gte=now - timedelta(days=HISTORY_DAYS))
        .exclude(pk__in=open_ids)
        .select_related("target", "requested_by", "approved_by", "cancelled_by")
    )
    record(
        request.user,
        AuditAction.READ,
        "herstelverzoeken",
        purpose=resets.PURPOSE_ADMIN,
        details={"requests": open_ids},
    )
    rows = [
        {
            "reset": r,
            "state": resets.state(r, now),
            "expires": resets.expires_at(r),
            "may_approve": resets.may_approve(request.user, r),
            "is_requester": r.requested_by_id == request.user.pk,
            "is_target": r.target_id == request.user.pk,
        }
        for r in open_list
    ]
    done = [(r, resets.state(r, now)) for r in history]
    return render(
        request,
        "beheer/reset_requests.html",
        {"rows": rows, "done": done, "hours": resets.RESET_REQUEST_HOURS, "days": HISTORY_DAYS},
    )


def _refused(request: AuthenticatedHttpRequest, exc: resets.ResetNotAllowedError) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect("casework:admin-resets")


@require_POST
@approvers_or_admin
def reset_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reset = get_object_or_404(CredentialReset, pk=pk)
    try:
        reset = resets.approve(request.user, reset)
    except resets.ResetNotAllowedError as exc:
        return _refused(request, exc)
    if reset.kind == CredentialKind.TOTP:
        messages.success(
            request,
            _(
                "Goedgekeurd: de tweestapsverificatie is hersteld. Bij de volgende keer "
                "inloggen stelt de medewerker de authenticator-app opnieuw in."
            ),
        )
    else:
        messages.success(
            request,
            _("Goedgekeurd: wie het verzoek deed, kan nu één keer de wachtwoordlink ophalen."),
        )
    return redirect("casework:admin-resets")


@require_POST
@approvers_or_admin
def reset_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reset = get_object_or_404(CredentialReset, pk=pk)
    try:
        resets.cancel(request.user, reset)
    except resets.ResetNotAllowedError as exc:
        return _refused(request, exc)
    messages.success(request, _("Verzoek afgewezen of ingetrokken. Er is niets gewijzigd."))
    return redirect("casework:admin-resets")


@require_POST
@admin_only
def reset_password_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The requester takes the approved link, once: the old password stops working now."""
    reset = get_object_or_404(CredentialReset, pk=pk, kind__in=resets.LINK_KINDS)
    try:
        target = resets.issue_password_link(request.user, reset)
    except resets.ResetNotAllowedError as exc:
        return _refused(request, exc)
    return password_link_response(request, target, new=reset.kind == CredentialKind.ACCOUNT)
