"""Forms for the login steps and for the functional administrator's account screens."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.accounts.models import Role, Team, User

# Roles that work inside a team: the team lead's dashboard counts the team's consultants.
TEAM_ROLES = (Role.CONSULTANT, Role.TEAM_LEAD)


def model_choices(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Model]:
    """The form's model choice field ``name``, to set its choices (``form.fields`` is typed
    as holding plain fields)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is geen keuzeveld met modellen")
    return field


class TokenForm(forms.Form):
    """The six-digit code from the authenticator app (login step 2 and enrolment)."""

    token = forms.CharField(
        label=_("Code uit je authenticator-app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("De code bestaat uit zes cijfers."))
        return token


class _StaffForm(forms.ModelForm[User]):
    """Shared rules for creating and editing a staff account."""

    class Meta:
        model = User
        fields: tuple[str, ...] = ("first_name", "last_name", "role", "team")
        labels: ClassVar[dict[str, Any]] = {
            "first_name": _("Voornaam"),
            "last_name": _("Achternaam"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        model_choices(self, "team").queryset = Team.objects.order_by("name")
        self.fields["team"].help_text = _("Verplicht voor consulenten en teamleiders.")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("role") in TEAM_ROLES and not cleaned.get("team"):
            self.add_error("team", _("Een consulent of teamleider hoort bij een team."))
        return cleaned


class StaffCreateForm(_StaffForm):
    """A new staff member; the password is set by the staff member through a one-time link."""

    class Meta(_StaffForm.Meta):
        fields = ("username", "first_name", "last_name", "role", "team")
        labels: ClassVar[dict[str, Any]] = {
            **_StaffForm.Meta.labels,
            "username": _("Gebruikersnaam"),
        }

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        # Django's uniqueness check is case-sensitive; "JdeVries" and "jdevries" would confuse.
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Deze gebruikersnaam bestaat al."))
        return username


class StaffEditForm(_StaffForm):
    """Name, role and team of an existing staff member (the username stays as it is)."""

    def __init__(self, *args: Any, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        if self.instance.pk == acting_user.pk:
            self.fields["role"].help_text = _(
                "Je eigen rol kun je niet wijzigen; dat doet een andere functioneel beheerder."
            )

    def clean_role(self) -> str:
        role: str = self.cleaned_data["role"]
        if self.instance.pk == self.acting_user.pk and role != self.instance.role:
            raise forms.ValidationError(
                _("Je kunt je eigen rol niet wijzigen. Vraag een andere functioneel beheerder.")
            )
        return role


class _TeamLeadChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        if obj.team is None:
            return str(name)
        return str(_("%(name)s (nu %(team)s)") % {"name": name, "team": obj.team.name})


class TeamForm(forms.ModelForm[Team]):
    """A team's name, and optionally a team lead to move into this team."""

    lead = _TeamLeadChoice(
        label=_("Teamleider toevoegen"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Een teamleider hoort bij één team: kiezen verplaatst hem of haar hierheen."),
    )

    class Meta:
        model = Team
        fields = ("name",)
        labels: ClassVar[dict[str, Any]] = {"name": _("Naam van het team")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leads = User.objects.filter(role=Role.TEAM_LEAD, is_active=True).select_related("team")
        if self.instance.pk:
            leads = leads.exclude(team=self.instance)
        model_choices(self, "lead").queryset = leads.order_by("last_name", "first_name", "username")
