"""Functional administration: partner organisations and an overview of teams and staff.

No case content here; the functional administrator never sees residents.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import role_required
from bestaanszekerheid.web.accounts.models import Role, Team
from bestaanszekerheid.web.referrals.models import PartnerOrganisation

admin_only = role_required(Role.FUNCTIONAL_ADMIN)


class PartnerForm(forms.ModelForm):
    class Meta:
        model = PartnerOrganisation
        fields = ("name", "description")


@admin_only
def index(request: HttpRequest) -> HttpResponse:
    """Partners (add, switch on or off) and teams with their staff per role."""
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Partnerorganisatie toegevoegd."))
        return redirect("casework:admin")
    teams = Team.objects.annotate(n=Count("members")).prefetch_related("members")
    return render(
        request,
        "beheer/index.html",
        {"form": form, "partners": PartnerOrganisation.objects.all(), "teams": teams},
    )


@require_POST
@admin_only
def partner_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a partner on or off; inactive partners cannot be chosen for new referrals."""
    partner = get_object_or_404(PartnerOrganisation, pk=pk)
    partner.active = not partner.active
    partner.save(update_fields=["active"])
    return redirect("casework:admin")
