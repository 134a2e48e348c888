"""The measurement form (13 ZRM domains and the five pilot scales) and the team's schedule.

Every item is a row of radio buttons 1-5 plus "niet gescoord", so a phone needs no typing
and no per-domain level texts are shown (the ZRM's texts are licensed; the consultant uses
the team's own matrix). The server checks what the browser cannot: a score outside 1-5, no
score at all, a scale with one of its two statements answered, a second intake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.casework import dates
from bestaanszekerheid.web.casework.forms import DateInput
from bestaanszekerheid.web.evaluation.instruments import (
    ITEMS,
    MEASURES,
    PILOT_SCALES,
    SCALE_ITEMS,
    SCORE_MAX,
    SCORE_MIN,
    ZRM_DOMAINS,
    Measure,
)
from bestaanszekerheid.web.evaluation.models import Measurement, Moment, RemovalReason
from bestaanszekerheid.web.trajectories.models import Trajectory

SCALES: tuple[Measure, ...] = tuple(m for m in MEASURES if m.instrument == PILOT_SCALES)
_SCORE_ERROR = _("Kies een score van 1 tot en met 5, of laat dit onderdeel leeg.")


def _field_name(item: str) -> str:
    return f"item_{item}"


def _score_field(label: str | Promise, empty: str | Promise) -> forms.TypedChoiceField:
    # Built per form, so ``str`` translates into the request's language.
    return forms.TypedChoiceField(
        label=str(label),
        # 1-5 first, as the scale reads; "not scored" last (and the starting value).
        choices=[*((str(v), str(v)) for v in range(SCORE_MIN, SCORE_MAX + 1)), ("", str(empty))],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _SCORE_ERROR},
    )


class MeasurementForm(forms.Form):
    """A new measurement, or a correction of ``instance`` (its stored values the start)."""

    taken_on = forms.DateField(label=_("Datum van de meting"), widget=DateInput())
    moment = forms.ChoiceField(
        label=_("Moment"),
        choices=Moment.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies het moment van de meting."),
            "invalid_choice": _("Kies intake, vervolgmeting of bij afsluiten."),
        },
    )

    def __init__(
        self,
        *args: Any,
        trajectory: Trajectory,
        instance: Measurement | None = None,
        **kwargs: Any,
    ) -> None:
        self.trajectory = trajectory
        # ``dates.checked`` leaves a stored date that is not changed alone.
        self.instance = instance
        stored = {s.item: s.score for s in instance.scores.all()} if instance else {}
        if instance is not None:
            kwargs.setdefault("initial", {"taken_on": instance.taken_on, "moment": instance.moment})
        super().__init__(*args, **kwargs)
        self.stored_scores: dict[str, int] = stored
        if instance is None:
            self.fields["taken_on"].initial = dates.today
            self.fields["moment"].initial = self._default_moment()
        dates.limit(self, "taken_on", dates.MEASUREMENT_TAKEN)
        for domain in ZRM_DOMAINS:
            self.fields[_field_name(domain.code)] = _score_field(domain.label, _("niet gescoord"))
        for statement in SCALE_ITEMS:
            self.fields[_field_name(statement.code)] = _score_field(
                statement.label, _("niet beantwoord")
            )
        for code, score in stored.items():
            if code in ITEMS:
                self.fields[_field_name(code)].initial = str(score)

    def _default_moment(self) -> str:
        if not self.trajectory.measurements.exists():
            return str(Moment.INTAKE)
        return str(Moment.FOLLOW_UP)

    # --- for the template --------------------------------------------------------------

    def zrm_fields(self) -> list[forms.BoundField]:
        return [self[_field_name(d.code)] for d in ZRM_DOMAINS]

    def scale_groups(self) -> list[tuple[Measure, list[forms.BoundField]]]:
        """Each pilot scale with its two statements' fields."""
        return [(m, [self[_field_name(c)] for c in m.items]) for m in SCALES]

    # --- checks ------------------------------------------------------------------------

    def clean_taken_on(self) -> Any:
        return dates.checked(self, "taken_on", dates.MEASUREMENT_TAKEN)

    def clean_moment(self) -> str:
        moment = str(self.cleaned_data["moment"])
        if moment != Moment.INTAKE:
            return moment
        other = self.trajectory.measurements.filter(moment=Moment.INTAKE)
        if self.instance is not None:
            other = other.exclude(pk=self.instance.pk)
        first = other.first()
        if first is not None:
            raise forms.ValidationError(
                _(
                    "Dit traject heeft al een intakemeting (%(date)s). Kies vervolgmeting of "
                    "bij afsluiten."
                )
                % {"date": date_format(first.taken_on, "j F Y")}
            )
        return moment

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scores = self._scores_from(data)
        for scale in SCALES:
            answered = [c for c in scale.items if c in scores]
            if answered and len(answered) < len(scale.items):
                missing = next(c for c in scale.items if c not in scores)
                self.add_error(
                    _field_name(missing),
                    _(
                        "Beantwoord beide stellingen van de schaal '%(scale)s', of geen van "
                        "beide: de schaal telt alleen met twee antwoorden."
                    )
                    % {"scale": scale.label},
                )
        if not scores and not any(_field_name(c) in self.errors for c in ITEMS):
            raise forms.ValidationError(
                _("Vul minstens één score in: een meting zonder scores wordt niet opgeslagen.")
            )
        return data

    @staticmethod
    def _scores_from(data: Mapping[str, Any]) -> dict[str, int]:
        return {
            code: int(data[_field_name(code)])
            for code in ITEMS
            if data.get(_field_name(code)) is not None
        }

    def scores(self) -> dict[str, int]:
        """Item code -> score of every item scored (a valid form)."""
        return self._scores_from(self.cleaned_data)


class ScheduleForm(forms.Form):
    """The team's schedule: a follow-up measurement every so many weeks, and at closing."""

    interval_weeks = forms.IntegerField(
        label=_("Vervolgmeting elke zoveel weken"),
        min_value=2,
        max_value=52,
        help_text=_("Van 2 tot en met 52 weken. Standaard 13 weken (een kwartaal)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": _("Vul het aantal weken in (2 tot en met 52)."),
            "invalid": _("Vul een heel aantal weken in (2 tot en met 52)."),
            "min_value": _("Kies minstens 2 weken."),
            "max_value": _("Kies hoogstens 52 weken."),
        },
    )
    at_closing = forms.BooleanField(label=_("Ook een meting bij afsluiten"), required=False)


class RemovalForm(forms.Form):
    """Removing a wrongly entered measurement: a reason from the list (no free text about
    the resident) and a deliberate tick; nothing is preselected."""

    reason = forms.ChoiceField(
        label=_("Waarom deze meting weg moet"),
        choices=[("", _("Kies een reden")), *RemovalReason.choices],
        error_messages={
            "required": _("Kies waarom de meting weg moet."),
            "invalid_choice": _("Kies een reden uit de lijst."),
        },
    )
    confirm = forms.BooleanField(
        label=_("Ik wil deze meting met alle scores verwijderen."),
        error_messages={"required": _("Vink aan dat je de meting wilt verwijderen.")},
    )
