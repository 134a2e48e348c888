"""Forms of the pilot pages: a pilot with its arms, enrolment, and the loting import."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.accounts.forms import model_choices
from bestaanszekerheid.web.casework import dates
from bestaanszekerheid.web.casework.forms import DateInput
from bestaanszekerheid.web.evaluation.instruments import INSTRUMENT_LABELS, MEASURES
from bestaanszekerheid.web.evaluation.models import Pilot, PilotArm, PilotStatus, ResumeReason

MIN_ARMS, MAX_ARMS = 2, 6
# A pilot is registered before it starts, or shortly after (the paperwork lags behind).
PILOT_START = dates.DateWindow(years_back=1, years_ahead=2)
# ``bsz loting`` writes one short line per participant: a few MB is many thousands.
MAX_LOG_BYTES = 5 * 1024 * 1024
CONTROL_CODE = re.compile(r"[0-9a-f]{64}")
# The outcome measures grouped by instrument (ZRM domains, pilot scales), as the form shows them.
GROUPED_MEASURES = [
    (label, [(m.code, m.label) for m in MEASURES if m.instrument == instrument])
    for instrument, label in INSTRUMENT_LABELS.items()
]


class PilotForm(forms.ModelForm[Pilot]):
    """Name, start, outcome measures and analysis plan of a new pilot (arms: :class:`ArmForm`)."""

    outcome_measures = forms.MultipleChoiceField(
        label=_("Uitkomstmaten"),
        choices=GROUPED_MEASURES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één uitkomstmaat.")},
    )
    analysis_plan = forms.CharField(
        label=_("Analyseplan in een paar regels"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Welke uitkomst is de belangrijkste, wanneer wordt gemeten en hoe wordt vergeleken "
            "(bijvoorbeeld: verschil in eigen regie na zes maanden tussen de armen, met bsz "
            "effect)."
        ),
        error_messages={
            "required": _("Schrijf in een paar regels hoe de pilot wordt geanalyseerd.")
        },
    )

    class Meta:
        model = Pilot
        fields = ("name", "starts_on", "outcome_measures", "analysis_plan")
        widgets = {"starts_on": DateInput()}  # noqa: RUF012  (Django's Meta convention)
        error_messages = {  # noqa: RUF012
            "name": {
                "required": _("Geef de pilot een naam."),
                "unique": _("Er is al een pilot met deze naam; kies een andere naam."),
            },
            "starts_on": {"required": _("Vul de startdatum in.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = date.today
        dates.limit(self, "starts_on", PILOT_START)

    def clean_starts_on(self) -> Any:
        return dates.checked(self, "starts_on", PILOT_START)


class ArmForm(forms.Form):
    """One arm; an untouched row is skipped."""

    code = forms.SlugField(
        label=_("Code (zoals in bsz loting)"),
        max_length=40,
        required=False,
        help_text=_("Kleine letters, cijfers, - en _; bijvoorbeeld controle of extra_begeleiding."),
        error_messages={
            "invalid": _("Gebruik alleen letters, cijfers, - en _ (geen spaties of komma's).")
        },
    )
    label = forms.CharField(label=_("Naam"), max_length=120, required=False)
    is_control = forms.BooleanField(label=_("Dit is de controlearm"), required=False)
    description = forms.CharField(label=_("Wat deze arm krijgt"), max_length=300, required=False)
    planned_contacts_per_month = forms.DecimalField(
        label=_("Geplande contacten per maand"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal(0),
        max_value=Decimal(31),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )

    def __init__(self, *args: Any, arm_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if arm_required:
            self.fields["code"].required = self.fields["label"].required = True
            self.fields["code"].error_messages["required"] = _("Geef de arm een code.")
            self.fields["label"].error_messages["required"] = _("Geef de arm een naam.")

    def clean_code(self) -> str:
        # bsz loting takes the names as typed; one spelling avoids "Extra" next to "extra".
        return str(self.cleaned_data.get("code") or "").lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.has_changed():
            if not data.get("code") and "code" not in self.errors:
                self.add_error("code", _("Geef de arm een code."))
            if not data.get("label") and "label" not in self.errors:
                self.add_error("label", _("Geef de arm een naam."))
        return data


class BaseArmFormSet(forms.BaseFormSet[ArmForm]):
    """2 to 6 arms, unique codes and names, exactly one control arm."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # The first two rows (``min_num``) are the two arms every pilot has: never skipped.
        return {"arm_required": index is not None and index < MIN_ARMS}

    def filled(self) -> list[dict[str, Any]]:
        """The cleaned data of the rows that were filled in, in order."""
        return [
            f.cleaned_data
            for i, f in enumerate(self.forms)
            if (i < MIN_ARMS or f.has_changed()) and f.cleaned_data
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        arms = self.filled()
        errors = []
        if not MIN_ARMS <= len(arms) <= MAX_ARMS:
            errors.append(
                _("Een pilot heeft %(min)d tot %(max)d armen; er zijn er %(n)d ingevuld.")
                % {"min": MIN_ARMS, "max": MAX_ARMS, "n": len(arms)}
            )
        controls = sum(bool(a["is_control"]) for a in arms)
        if controls != 1:
            errors.append(_("Kies precies één controlearm (nu: %(n)d).") % {"n": controls})
        for key, message in (
            ("code", _("Elke arm heeft een eigen code; dubbel: %(dup)s.")),
            ("label", _("Elke arm heeft een eigen naam; dubbel: %(dup)s.")),
        ):
            seen = [str(a[key]).casefold() for a in arms]
            dup = sorted({v for v in seen if seen.count(v) > 1})
            if dup:
                errors.append(message % {"dup": ", ".join(dup)})
        if errors:
            raise forms.ValidationError(errors)


_ArmFormSet = forms.formset_factory(
    ArmForm,
    formset=BaseArmFormSet,
    min_num=MIN_ARMS,
    extra=MAX_ARMS - MIN_ARMS,
    max_num=MAX_ARMS,
    absolute_max=MAX_ARMS,
)


def arm_formset(data: Any = None) -> BaseArmFormSet:
    """The six arm rows of the new-pilot form (bound to ``data`` on a POST)."""
    formset = _ArmFormSet(data, prefix="arm")
    assert isinstance(formset, BaseArmFormSet)  # formset_factory's type says BaseFormSet
    return formset


class ArmEditForm(ArmForm):
    """One existing arm of a pilot in preparation; code and control arm read-only once a
    participant is enrolled (``locked``)."""

    arm = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, arm_required=True, **kwargs)
        if locked:
            for name in ("code", "is_control"):
                self.fields[name].disabled = True  # the stored value counts, not the POST
            self.fields["code"].help_text = _(
                "Ligt vast: er zijn al deelnemers aangemeld, en de loting gebruikt deze code."
            )


class BaseArmEditFormSet(BaseArmFormSet):
    """The pilot's own arms, one row each (no arm added or taken away)."""

    locked = False

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"locked": self.locked}

    def filled(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]

    def by_arm(self) -> dict[int, dict[str, Any]]:
        """The cleaned rows per arm id (a valid formset)."""
        return {int(row["arm"]): row for row in self.filled()}


_ArmEditFormSet = forms.formset_factory(
    ArmEditForm, formset=BaseArmEditFormSet, extra=0, max_num=MAX_ARMS, absolute_max=MAX_ARMS
)


def arm_edit_formset(arms: list[PilotArm], data: Any = None, *, locked: bool) -> BaseArmEditFormSet:
    """One row per arm of a pilot in preparation, its stored values the start."""
    initial = [
        {
            "arm": a.pk,
            "code": a.code,
            "label": a.label,
            "is_control": a.is_control,
            "description": a.description,
            "planned_contacts_per_month": a.planned_contacts_per_month,
        }
        for a in arms
    ]
    formset = _ArmEditFormSet(data, prefix="arm", initial=initial)
    assert isinstance(formset, BaseArmEditFormSet)
    formset.locked = locked
    return formset


class EnrolForm(forms.Form):
    """Enrol a resident: participation today, evaluation consent asked separately."""

    pilot = forms.ModelChoiceField(
        label=_("Pilot"),
        queryset=Pilot.objects.none(),
        empty_label=_("Kies een pilot"),
        error_messages={
            "required": _("Kies een pilot."),
            "invalid_choice": _("Kies een pilot uit de lijst."),
        },
    )
    participation = forms.BooleanField(
        label=_(
            "De inwoner doet vrijwillig mee en weet dat een loting bepaalt welke begeleiding "
            "hij of zij in de pilot krijgt."
        ),
        error_messages={"required": _("Vink aan dat de inwoner vrijwillig meedoet.")},
    )
    evaluation_consent = forms.TypedChoiceField(
        label=_("Toestemming om gegevens te gebruiken voor de evaluatie"),
        choices=[("", _("Kies ja of nee")), ("ja", _("ja")), ("nee", _("nee"))],
        coerce=lambda v: v == "ja",
        error_messages={"required": _("Kies ja of nee: geeft de inwoner toestemming?")},
    )
    evaluation_consent_on = forms.DateField(
        label=_("Toestemming voor de evaluatie gegeven op"),
        required=False,
        widget=DateInput(),
        initial=date.today,
    )

    def __init__(
        self,
        *args: Any,
        pilots: QuerySet[Pilot] | None = None,
        closed: QuerySet[Pilot] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The team's pilots that no longer take participants: named, not "not in the list".
        self.closed = closed if closed is not None else Pilot.objects.none()
        choices = model_choices(self, "pilot")
        choices.queryset = pilots if pilots is not None else Pilot.objects.none()
        only = list(choices.queryset[:2])
        if len(only) == 1:  # the usual case: one pilot in preparation, chosen already
            choices.initial = only[0].pk
        dates.limit(self, "evaluation_consent_on", dates.CONSENT_GIVEN)

    def clean_evaluation_consent_on(self) -> Any:
        return dates.checked(self, "evaluation_consent_on", dates.CONSENT_GIVEN)

    def _closed_pilot(self) -> Pilot | None:
        value = str(self.data.get(self.add_prefix("pilot"), ""))
        return self.closed.filter(pk=int(value)).first() if value.isdigit() else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        closed = self._closed_pilot() if "pilot" in self.errors else None
        if closed is not None:
            message = (
                _("De pilot %(name)s is afgerond; aanmelden kan niet meer.")
                if closed.status == PilotStatus.ENDED
                else _("Bij de pilot %(name)s is de loting al ingelezen; aanmelden kan niet meer.")
            )
            self.errors["pilot"] = self.error_class([message % {"name": closed.name}])
        missing = data.get("evaluation_consent") and not data.get("evaluation_consent_on")
        if missing and "evaluation_consent_on" not in self.errors:
            self.add_error("evaluation_consent_on", _("Vul in wanneer de toestemming is gegeven."))
        return data

    def consent_date(self) -> date | None:
        """The date of the evaluation consent, or None when the resident said no."""
        if not self.cleaned_data["evaluation_consent"]:
            return None
        value: date = self.cleaned_data["evaluation_consent_on"]
        return value


class ConfirmForm(forms.Form):
    """A deliberate step on a participation: stop it, or withdraw or give consent."""

    confirm = forms.BooleanField(
        label=_("Dit is wat de inwoner wil."),
        error_messages={"required": _("Vink aan dat dit is wat de inwoner wil.")},
    )


class EndPilotForm(forms.Form):
    """Ending a running pilot takes a deliberate tick (nothing is preselected)."""

    confirm = forms.BooleanField(
        label=_("Ik wil deze pilot afronden: er komen geen deelnemers en geen loting meer bij."),
        error_messages={"required": _("Vink aan dat je de pilot wilt afronden.")},
    )


class ResumeForm(forms.Form):
    """Resuming a stopped participation: a reason may be given (a choice, no free text)."""

    reason = forms.ChoiceField(
        label=_("Waarom de deelname weer loopt"),
        choices=[("", _("Geen reden opgeven")), *ResumeReason.choices],
        required=False,
        error_messages={"invalid_choice": _("Kies een reden uit de lijst, of geen reden.")},
    )
    confirm = forms.BooleanField(
        label=_("De inwoner doet weer mee aan de pilot."),
        error_messages={"required": _("Vink aan dat de inwoner weer meedoet.")},
    )


class AllocationImportForm(forms.Form):
    """The log of ``bsz loting`` and the control code it printed."""

    logboek = forms.FileField(
        label=_("Lotingslogboek (lotingslogboek.jsonl)"),
        error_messages={
            "required": _("Kies het bestand lotingslogboek.jsonl."),
            "empty": _("Het gekozen bestand is leeg."),
        },
    )
    controlecode = forms.CharField(
        label=_("Controlecode"),
        max_length=100,
        help_text=_(
            "De code die bsz loting afdrukte en die apart is bewaard (64 tekens, 0-9 en a-f)."
        ),
        error_messages={"required": _("Vul de controlecode in.")},
    )

    def clean_logboek(self) -> str:
        upload = self.cleaned_data["logboek"]
        if upload.size > MAX_LOG_BYTES:
            raise forms.ValidationError(
                _("Het logboek is groter dan 5 MB; is dit het goede bestand?")
            )
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Het logboek is geen tekstbestand (UTF-8); kies lotingslogboek.jsonl.")
            ) from None

    def clean_controlecode(self) -> str:
        code = "".join(str(self.cleaned_data["controlecode"]).split()).lower()
        if not CONTROL_CODE.fullmatch(code):
            raise forms.ValidationError(_("Een controlecode is 64 tekens lang, alleen 0-9 en a-f."))
        return code
