"""Forms for the consultant's pages; labels come from the models (Dutch first)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.accounts.forms import model_choices
from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.casework import dates
from bestaanszekerheid.web.conversations.models import (
    Conversation,
    Dimension,
    Theme,
)
from bestaanszekerheid.web.plans.models import Action, FollowUp, Goal, GoalStatus
from bestaanszekerheid.web.referrals.models import PartnerOrganisation, Referral
from bestaanszekerheid.web.residents.bsn import normalise_bsn, validate_bsn
from bestaanszekerheid.web.residents.models import ConsentMethod, Resident
from bestaanszekerheid.web.trajectories.models import CloseReason, Route


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ResidentForm(forms.ModelForm[Resident]):
    """Register a resident together with the consent that makes participation possible."""

    consent_given_on = forms.DateField(
        label=_("Toestemming gegeven op"), widget=DateInput(), initial=date.today
    )
    consent_method = forms.ChoiceField(
        label=_("Hoe is toestemming gegeven?"), choices=ConsentMethod.choices
    )
    consent_confirmed = forms.BooleanField(
        label=_("De inwoner doet vrijwillig mee en weet waarvoor de gegevens worden gebruikt."),
    )

    class Meta:
        model = Resident
        fields = (
            "name",
            "phone",
            "bsn",
        )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # A resident with this BSN whose case ``user`` may not see (issue 15: the form
        # does not say so; the view routes the match to the team lead).
        self.known_elsewhere: Resident | None = None
        dates.limit(self, "consent_given_on", dates.CONSENT_GIVEN)

    def clean_consent_given_on(self) -> Any:
        return dates.checked(self, "consent_given_on", dates.CONSENT_GIVEN)

    def clean_bsn(self) -> str | None:
        raw = self.cleaned_data.get("bsn") or ""
        if not raw.strip():
            return None
        value = normalise_bsn(raw)
        validate_bsn(value)
        existing = Resident.objects.filter(bsn=value).first()
        if existing is None:
            return value
        if Resident.objects.for_user(self.user).filter(pk=existing.pk).exists():
            # Only someone who may see the case is told that the person is known.
            message = _("Deze inwoner is al bij jou geregistreerd (kenmerk %(id)s).")
            raise forms.ValidationError(message % {"id": existing.pk})
        self.known_elsewhere = existing
        return value

    def validate_unique(self) -> None:
        """The BSN's uniqueness is handled in :meth:`clean_bsn`, without telling who has
        it; Django's own check would say "Inwoner met dit BSN bestaat al"."""


# Notes of one conversation: about four pages of text. The textarea gets ``maxlength`` (the
# browser stops there, also when pasting) and a counter (static/bsz/app.js updates it).
NOTES_MAX_LENGTH = 10_000


class ConversationForm(forms.ModelForm[Conversation]):
    """A conversation with the six Positieve Gezondheid scores (all or none)."""

    notes = forms.CharField(
        label=_("Aantekeningen"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Maximaal 10.000 tekens. Alleen wat nodig is voor de begeleiding."),
    )

    themes = forms.MultipleChoiceField(
        label=_("Besproken thema's"),
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Conversation
        fields = (
            "held_on",
            "channel",
            "themes",
            "notes",
            "acute_signal",
        )
        widgets: ClassVar[dict[str, Any]] = {"held_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = date.today
        dates.limit(self, "held_on", dates.CONVERSATION_HELD)
        # When editing, the stored scores are the starting values.
        stored = (
            {s.dimension: s.score for s in self.instance.scores.all()} if self.instance.pk else {}
        )
        for code, label in Dimension.choices:
            self.fields[f"score_{code}"] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=10,
                required=False,
                initial=stored.get(code),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean_held_on(self) -> Any:
        return dates.checked(self, "held_on", dates.CONVERSATION_HELD)

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{code}"] for code in Dimension.values]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(f"score_{code}") for code in Dimension.values]
        if any(v is not None for v in given) and any(v is None for v in given):
            raise forms.ValidationError(_("Vul alle zes scores in, of geen enkele."))
        return data

    def scores(self) -> dict[str, int]:
        """Dimension -> score, empty when the scores were skipped."""
        data = self.cleaned_data
        if data.get(f"score_{Dimension.values[0]}") is None:
            return {}
        return {code: int(data[f"score_{code}"]) for code in Dimension.values}


class RoutesForm(forms.Form):
    routes = forms.MultipleChoiceField(
        label=_("Routes"),
        choices=Route.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één route.")},
    )


class GoalForm(forms.ModelForm[Goal]):
    class Meta:
        model = Goal
        fields = ("description",)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class ActionForm(forms.ModelForm[Action]):
    class Meta:
        model = Action
        fields = ("description", "due_on")
        widgets: ClassVar[dict[str, Any]] = {"due_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dates.limit(self, "due_on", dates.ACTION_DUE)

    def clean_due_on(self) -> Any:
        return dates.checked(self, "due_on", dates.ACTION_DUE)


class FollowUpForm(forms.ModelForm[FollowUp]):
    class Meta:
        model = FollowUp
        fields = (
            "description",
            "due_on",
        )
        widgets: ClassVar[dict[str, Any]] = {"due_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dates.limit(self, "due_on", dates.FOLLOW_UP_DUE)

    def clean_due_on(self) -> Any:
        return dates.checked(self, "due_on", dates.FOLLOW_UP_DUE)


class ReferralForm(forms.ModelForm[Referral]):
    class Meta:
        model = Referral
        fields = (
            "partner",
            "reason",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "partner").queryset = PartnerOrganisation.objects.filter(active=True)


class CloseForm(forms.Form):
    """Closing takes a deliberate choice: no reason is preselected, and a confirmation."""

    reason = forms.ChoiceField(
        label=_("Reden van afsluiten"),
        choices=[("", _("Kies een reden")), *CloseReason.choices],
        error_messages={"required": _("Kies de reden van afsluiten.")},
    )
    confirm = forms.BooleanField(
        label=_("Ik wil dit traject afsluiten."),
        error_messages={"required": _("Vink aan dat je het traject wilt afsluiten.")},
    )


class WithdrawForm(forms.Form):
    """The resident withdraws consent: this closes the trajectory for good."""

    confirm = forms.BooleanField(
        label=_("De inwoner heeft gezegd niet meer mee te willen doen."),
        error_messages={"required": _("Vink aan dat de inwoner niet meer mee wil doen.")},
    )


def colleagues(user: Any, roles: tuple[Any, ...]) -> Any:
    """Active staff in ``user``'s team with one of ``roles``, ``user`` excluded."""
    if user.team_id is None:
        return User.objects.none()
    return (
        User.objects.filter(team_id=user.team_id, role__in=roles, is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )


class _StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_role_display()})"


class ShareForm(forms.Form):
    """Share one trajectory with a colleague in the team (covering, collegial advice)."""

    colleague = _StaffChoiceField(label=_("Collega"), queryset=None)

    def __init__(self, *args: Any, trajectory: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "colleague").queryset = colleagues(
            user, (Role.CONSULTANT, Role.TEAM_LEAD)
        ).exclude(pk__in=trajectory.shared_with.values("pk"))


class HandOverForm(forms.Form):
    """Make a colleague the resident's fixed contact person."""

    consultant = _StaffChoiceField(label=_("Nieuwe vaste consulent"), queryset=None)
    confirm = forms.BooleanField(
        label=_("Ik heb de inwoner verteld wie de nieuwe vaste contactpersoon wordt.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "consultant").queryset = colleagues(user, (Role.CONSULTANT,))


class TeamHandOverForm(forms.Form):
    """The team lead moves all open trajectories of one consultant to another, without
    seeing whose they are (a consultant leaves or is ill for a long time)."""

    from_consultant = _StaffChoiceField(label=_("Van consulent"), queryset=None)
    to_consultant = _StaffChoiceField(label=_("Naar consulent"), queryset=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = User.objects.filter(team_id=user.team_id, role=Role.CONSULTANT)
        if user.team_id is None:
            team = team.none()
        # Also inactive consultants: their caseload must still be handed over.
        self.team: QuerySet[User] = team.order_by("first_name", "last_name")
        model_choices(self, "from_consultant").queryset = self.team
        model_choices(self, "to_consultant").queryset = team.filter(is_active=True).order_by(
            "first_name", "last_name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from_consultant") and data.get("from_consultant") == data.get("to_consultant"):
            raise forms.ValidationError(_("Kies twee verschillende consulenten."))
        return data
