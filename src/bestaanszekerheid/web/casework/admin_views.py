"""Functional administration: staff accounts, teams and partner organisations.

No case content here; the functional administrator never sees residents. Every write is
recorded in the audit chain with the purpose :data:`PURPOSE_ADMIN`. Accounts are never
deleted (audit events keep referring to them): they are deactivated.

A new account has no usable password. After a second person approved (ADR 0054), the
administrator gets a one-time link, shown once, with which the staff member sets their own
password; at the first login the staff member
then sets up the authenticator app (``accounts.views.enrol_otp``). The administrator never
knows a password or a TOTP secret.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.areas.catalog import AreaCatalog, read_catalog
from bestaanszekerheid.areas.partners import Partner, parse_wijken, partners_csv, unknown_wijken
from bestaanszekerheid.web.accounts import resets
from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.forms import StaffCreateForm, StaffEditForm, TeamForm
from bestaanszekerheid.web.accounts.models import CredentialKind, Role, Team, User
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.referrals.models import PartnerOrganisation

admin_only = role_required(Role.FUNCTIONAL_ADMIN)

PURPOSE_ADMIN = resets.PURPOSE_ADMIN


class PartnerForm(forms.ModelForm[PartnerOrganisation]):
    class Meta:
        model = PartnerOrganisation
        fields = ("name", "kind", "description", "wijken")
        help_texts: ClassVar[dict[str, Any]] = {
            "kind": _lazy("Bijvoorbeeld voedselhulp, schuldhulpverlening, consultatiebureau."),
            "wijken": _lazy(
                "CBS-wijkcodes waar de partner werkt, gescheiden door spaties, bijvoorbeeld "
                "WK085510 WK085511. Leeg: de hele gemeente. Het bereikplan van bsz wijken "
                "noemt de partners per wijk."
            ),
        }

    def clean_wijken(self) -> str:
        codes = parse_wijken(self.cleaned_data.get("wijken") or "")
        unknown = unknown_wijken(codes, area_catalog())
        if unknown:
            raise forms.ValidationError(
                _("Onbekende wijkcode(s): %(codes)s. Gebruik de CBS-codes van de wijken (WK...).")
                % {"codes": ", ".join(unknown)}
            )
        return " ".join(codes)


def area_catalog() -> AreaCatalog:
    """The catalogue partners' wijken are checked against (settings.BSZ_AREAS)."""
    return read_catalog(settings.BSZ_AREAS or None)


def as_partner(p: PartnerOrganisation) -> Partner:
    """A partner organisation as the library's partner file knows it."""
    return Partner(p.name, p.kind, p.description, parse_wijken(p.wijken))


def _changes(form: forms.ModelForm[Any]) -> dict[str, Any]:
    """What changed, for the audit details: field names; old and new values for role and team.

    Names are left out on purpose: the audit log holds references, not personal details.
    """
    changed = sorted(form.changed_data)
    details: dict[str, Any] = {"changed": changed}
    for field in ("role", "team"):
        if field in changed:
            old = form.initial.get(field)
            new = form.cleaned_data.get(field)
            details[field] = [
                getattr(old, "pk", old),
                getattr(new, "pk", new),
            ]
    return details


# --- overview and partner organisations -------------------------------------------------


@admin_only
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Partners (add, edit, switch on or off) and links to staff and teams."""
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            partner = form.save()
            record(request.user, AuditAction.CREATE, partner, purpose=PURPOSE_ADMIN)
        messages.success(request, _("Partnerorganisatie toegevoegd."))
        return redirect("casework:admin")
    counts = User.objects.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    return render(
        request,
        "beheer/index.html",
        {
            "form": form,
            "partners": PartnerOrganisation.objects.all(),
            "teams": Team.objects.order_by("name"),
            "counts": counts,
        },
    )


@admin_only
def partner_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a partner organisation's name or description."""
    partner = get_object_or_404(PartnerOrganisation, pk=pk)
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record(
                request.user,
                AuditAction.UPDATE,
                partner,
                purpose=PURPOSE_ADMIN,
                details=_changes(form),
            )
        messages.success(request, _("Partnerorganisatie gewijzigd."))
        return redirect("casework:admin")
    return render(request, "beheer/partner_form.html", {"form": form, "partner": partner})


@admin_only
def partners_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The active partners as a partner file for ``bsz wijken --partners`` (organisations,
    no personal data; logged like every export)."""
    partners = [as_partner(p) for p in PartnerOrganisation.objects.filter(active=True)]
    record(
        request.user,
        AuditAction.EXPORT,
        "partnerbestand",
        purpose=PURPOSE_ADMIN,
        details={"partners": len(partners)},
    )
    response = HttpResponse(partners_csv(partners), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="partners.csv"'
    return response


@require_POST
@admin_only
def partner_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Switch a partner on or off; inactive partners cannot be chosen for new referrals."""
    partner = get_object_or_404(PartnerOrganisation, pk=pk)
    with transaction.atomic():
        partner.active = not partner.active
        partner.save(update_fields=["active"])
        record(
            request.user,
            AuditAction.UPDATE,
            partner,
            purpose=PURPOSE_ADMIN,
            details={"active": partner.active},
        )
    return redirect("casework:admin")


# --- staff accounts ---------------------------------------------------------------------


@admin_only
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All staff: name, username, role, team, active, password and 2FA set up. No case data."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    staff = (
        User.objects.select_related("team")
        .annotate(has_totp=Exists(confirmed))
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    return render(request, "beheer/users.html", {"staff": staff})


def password_link_response(
    request: AuthenticatedHttpRequest, user: User, *, new: bool
) -> HttpResponse:
    """Show the one-time set-password link once; it is not stored and not cached."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = request.build_absolute_uri(reverse("password-set", args=[uid, token]))
    days = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))
    response = render(
        request,
        "beheer/password_link.html",
        {"staff_member": user, "link": link, "days": days, "new": new},
    )
    add_never_cache_headers(response)
    return response


@admin_only
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Create a staff member with role and team, and ask for their set-password link.

    The link needs a second person's approval like every reset (ADR 0054): otherwise one
    administrator could create an account of their own and approve with it.
    """
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user: User = form.save(commit=False)
            # Nobody knows a password until the staff member sets one through the link.
            user.set_unusable_password()
            user.save()
            record(
                request.user,
                AuditAction.CREATE,
                user,
                purpose=PURPOSE_ADMIN,
                details={"role": user.role, "team": user.team_id},
            )
            resets.request_reset(request.user, user, CredentialKind.ACCOUNT)
        messages.success(
            request,
            _(
                "Medewerker toegevoegd. De link waarmee de medewerker een wachtwoord kiest, "
                "haal je op bij Herstelverzoeken zodra een privacyfunctionaris of een andere "
                "functioneel beheerder het heeft goedgekeurd (binnen %(hours)d uur)."
            )
            % {"hours": resets.RESET_REQUEST_HOURS},
        )
        return redirect("casework:admin-user", pk=user.pk)
    return render(request, "beheer/user_form.html", {"form": form, "staff_member": None})


@admin_only
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a staff member's name, role or team; the actions live on the same page."""
    staff_member = get_object_or_404(User, pk=pk)
    form = StaffEditForm(request.POST or None, instance=staff_member, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            with transaction.atomic():
                form.save()
                record(
                    request.user,
                    AuditAction.UPDATE,
                    staff_member,
                    purpose=PURPOSE_ADMIN,
                    details=_changes(form),
                )
            messages.success(request, _("Gegevens van de medewerker opgeslagen."))
        return redirect("casework:admin-users")
    context = {
        "form": form,
        "staff_member": staff_member,
        "is_self": staff_member.pk == request.user.pk,
        "has_totp": TOTPDevice.objects.filter(user=staff_member, confirmed=True).exists(),
        "open_resets": [
            (r, resets.expires_at(r)) for r in resets.open_requests().filter(target=staff_member)
        ],
    }
    return render(request, "beheer/user_form.html", context)


@require_POST
@admin_only
def user_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate; never delete. A deactivated user cannot log in any more."""
    staff_member = get_object_or_404(User, pk=pk)
    if staff_member.pk == request.user.pk:
        messages.error(
            request,
            _(
                "Je kunt je eigen account niet deactiveren. "
                "Vraag een andere functioneel beheerder om dat te doen."
            ),
        )
        return redirect("casework:admin-user", pk=pk)
    with transaction.atomic():
        staff_member.is_active = not staff_member.is_active
        staff_member.save(update_fields=["is_active"])
        record(
            request.user,
            AuditAction.UPDATE,
            staff_member,
            purpose=PURPOSE_ADMIN,
            details={"is_active": staff_member.is_active},
        )
    # Open sessions end too: Django's ModelBackend no longer returns an inactive user.
    if staff_member.is_active:
        messages.success(request, _("Account weer actief."))
    else:
        messages.success(
            request, _("Account gedeactiveerd. Deze medewerker kan niet meer inloggen.")
        )
    return redirect("casework:admin-user", pk=pk)


def _request_reset(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Ask for a reset; a privacy officer or another administrator approves it (ADR 0054)."""
    staff_member = get_object_or_404(User, pk=pk, is_active=True)
    _reset, created = resets.request_reset(request.user, staff_member, kind)
    if created:
        messages.success(
            request,
            _(
                "Verzoek ingediend. Er verandert nog niets: een privacyfunctionaris of een "
                "andere functioneel beheerder moet het binnen %(hours)d uur goedkeuren."
            )
            % {"hours": resets.RESET_REQUEST_HOURS},
        )
    else:
        messages.info(request, _("Er loopt al zo'n verzoek voor deze medewerker."))
    return redirect("casework:admin-user", pk=pk)


@require_POST
@admin_only
def user_reset_otp(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Request a 2FA reset; on approval the device goes and the staff member enrols again."""
    return _request_reset(request, pk, CredentialKind.TOTP)


@require_POST
@admin_only
def user_password_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Request a new set-password link; after approval the requester takes it once
    (:mod:`bestaanszekerheid.web.casework.reset_views`)."""
    return _request_reset(request, pk, CredentialKind.PASSWORD)


# --- teams ------------------------------------------------------------------------------


def _save_team(request: AuthenticatedHttpRequest, form: TeamForm, action: Any) -> Team:
    """Save the team, move the chosen team lead into it, and audit both."""
    with transaction.atomic():
        team: Team = form.save()
        changed = sorted(set(form.changed_data) - {"lead"})
        if changed or action == AuditAction.CREATE:
            record(request.user, action, team, purpose=PURPOSE_ADMIN, details={"changed": changed})
        lead: User | None = form.cleaned_data.get("lead")
        if lead is not None:
            old_team = lead.team_id
            lead.team = team
            lead.save(update_fields=["team"])
            record(
                request.user,
                AuditAction.UPDATE,
                lead,
                purpose=PURPOSE_ADMIN,
                details={"changed": ["team"], "team": [old_team, team.pk]},
            )
    return team


@admin_only
def teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Teams with their team leads and number of active staff; add a team."""
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _save_team(request, form, AuditAction.CREATE)
        messages.success(request, _("Team toegevoegd."))
        return redirect("casework:admin-teams")
    team_list = Team.objects.annotate(
        n_active=Count("members", filter=Q(members__is_active=True))
    ).order_by("name")
    leads: dict[int | None, list[User]] = {}
    for lead in User.objects.filter(role=Role.TEAM_LEAD, is_active=True, team__isnull=False):
        leads.setdefault(lead.team_id, []).append(lead)
    rows = [(team, leads.get(team.pk, [])) for team in team_list]
    return render(request, "beheer/teams.html", {"form": form, "rows": rows})


@admin_only
def team_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Rename a team or add a team lead to it."""
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            _save_team(request, form, AuditAction.UPDATE)
            messages.success(request, _("Team opgeslagen."))
        return redirect("casework:admin-teams")
    members = team.members.order_by("-is_active", "last_name", "first_name")
    context = {"form": form, "team": team, "members": members}
    return render(request, "beheer/team_form.html", context)
