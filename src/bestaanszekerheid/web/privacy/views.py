"""The privacy officer's pages: the audit log, and requests to see or erase a resident's data.

The privacy officer does not browse case content: they look a resident up by BSN or by the
reference number on the resident's page, and export or erase. Every step is audited.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts import resets
from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction, AuditCheckpoint, AuditEvent
from bestaanszekerheid.web.audit.service import (
    PURPOSE_PRIVACY_REQUEST,
    PURPOSE_RETENTION,
    record,
    verify_chain,
)
from bestaanszekerheid.web.privacy.export import resident_data
from bestaanszekerheid.web.privacy.models import RetentionPolicy
from bestaanszekerheid.web.privacy.retention import expired
from bestaanszekerheid.web.residents.bsn import normalise_bsn
from bestaanszekerheid.web.residents.models import Resident

privacy_only = role_required(Role.PRIVACY_OFFICER)
PURPOSE_RETENTION_POLICY = "bewaarbeleid (AVG art. 5 lid 1 onder e)"


class RetentionForm(forms.ModelForm[RetentionPolicy]):
    class Meta:
        model = RetentionPolicy
        fields = ("days", "mode")


class LookupForm(forms.Form):
    query = forms.CharField(
        label=gettext_lazy("BSN of kenmerk van de inwoner"), max_length=20, strip=True
    )


@privacy_only
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audit log (newest first) and the lookup for a request from a resident."""
    form = LookupForm(request.GET or None)
    found: Resident | None = None
    if form.is_valid():
        query = form.cleaned_data["query"]
        bsn = normalise_bsn(query)
        found = Resident.objects.filter(bsn=bsn).first() if len(bsn) == 9 else None
        if found is None and query.isdigit():
            found = Resident.objects.filter(pk=int(query)).first()
        if found is not None:
            record(
                request.user,
                AuditAction.READ,
                found,
                resident_id=found.pk,
                purpose=PURPOSE_PRIVACY_REQUEST,
                details={"lookup": True},
            )
        else:
            messages.info(request, _("Geen inwoner gevonden."))
    return _render_index(request, form, found, RetentionForm(instance=RetentionPolicy.current()))


def _render_index(
    request: AuthenticatedHttpRequest,
    form: LookupForm,
    found: Resident | None,
    retention_form: RetentionForm,
    status: int = 200,
) -> HttpResponse:
    policy = RetentionPolicy.current()  # in force; a rejected form carries other values
    context = {
        "form": form,
        "found": found,
        "page": Paginator(AuditEvent.objects.order_by("-id"), 50).get_page(
            request.GET.get("pagina")
        ),
        # Incremental: from the last checkpoint on, so the page stays fast with a long log;
        # the full check is bsz_audit_verify --volledig (daily, see docs/web/beheer.md).
        "chain": verify_chain(full=False, save_checkpoint=True),
        "last_full_check": AuditCheckpoint.objects.filter(full=True).order_by("-id").first(),
        "retention_form": retention_form,
        "retention_policy": policy,
        "retention_due": expired(timezone.localdate(), policy.days).count(),
        "retention_last_run": AuditEvent.objects.filter(purpose=PURPOSE_RETENTION)
        .order_by("-id")
        .first(),
        "open_resets": resets.open_requests().filter(approved_at__isnull=True).count(),
    }
    return render(request, "privacy/index.html", context, status=status)


@require_POST
@privacy_only
def retention(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set the retention period and what happens after it (audited, old and new values)."""
    current = RetentionPolicy.current()
    old = {"days": current.days, "mode": current.mode}
    form = RetentionForm(request.POST, instance=current)
    if not form.is_valid():
        messages.error(request, _("Bewaartermijn niet opgeslagen: zie de melding bij het veld."))
        return _render_index(request, LookupForm(), None, form, status=400)
    with transaction.atomic():
        policy = form.save(commit=False)
        policy.updated_by = request.user
        policy.save()
        record(
            request.user,
            AuditAction.UPDATE,
            policy,
            purpose=PURPOSE_RETENTION_POLICY,
            details={"from": old, "to": {"days": policy.days, "mode": policy.mode}},
        )
    messages.success(request, _("Bewaarbeleid opgeslagen."))
    return redirect("privacy:index")


@privacy_only
def export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Download everything about one resident as JSON (audited as an export)."""
    resident = get_object_or_404(Resident, pk=pk)
    record(
        request.user,
        AuditAction.EXPORT,
        resident,
        resident_id=resident.pk,
        purpose=PURPOSE_PRIVACY_REQUEST,
    )
    body = json.dumps(resident_data(resident), ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inwoner-{resident.pk}.json"'
    return response


@privacy_only
def export_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The same data as :func:`export`, as a PDF to hand to the resident (audited)."""
    from weasyprint import HTML  # heavy; only loaded when someone asks for a PDF

    resident = get_object_or_404(Resident, pk=pk)
    record(
        request.user,
        AuditAction.EXPORT,
        resident,
        resident_id=resident.pk,
        purpose=PURPOSE_PRIVACY_REQUEST,
        details={"format": "pdf"},
    )
    html = render_to_string(
        "privacy/export_pdf.html",
        {
            "data": resident_data(resident),
            "purpose": settings.BSZ_PURPOSE,
            "generated": timezone.localdate().isoformat(),
        },
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="inwoner-{resident.pk}.pdf"'
    return response


@require_POST
@privacy_only
def erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Erase a resident and everything about them; the audit log keeps only the reference."""
    resident = get_object_or_404(Resident, pk=pk)
    if request.POST.get("confirm") != str(resident.pk):
        messages.error(
            request, _("Typ het kenmerk van de inwoner over om het wissen te bevestigen.")
        )
        return redirect(f"{reverse('privacy:index')}?query={resident.pk}")
    with transaction.atomic():
        record(
            request.user,
            AuditAction.ERASE,
            resident,
            resident_id=resident.pk,
            purpose=PURPOSE_PRIVACY_REQUEST,
            details={"trajectories": resident.trajectories.count()},
        )
        resident.delete()
    messages.success(request, _("Alle gegevens van inwoner %(id)s zijn gewist.") % {"id": pk})
    return redirect("privacy:index")
