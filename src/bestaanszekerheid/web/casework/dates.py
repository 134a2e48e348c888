"""Plausible dates: one documented window per date field a user types (issue 15).

The windows, relative to today (the app's time zone):

================================  ======================  ==================
field                             earliest                latest
================================  ======================  ==================
consent given (registration)      1 year ago              today
conversation held on              2 years ago             today
follow-up due on                  1 year ago              2 years from today
action due on                     1 year ago              2 years from today
outcome measurement taken on      1 year ago              today
================================  ======================  ==================

Consent is recorded when a resident is registered, so it cannot lie in the future; a year
back leaves room for a paper form signed earlier. A conversation cannot be held in the
future; two years back covers recording an older one. A follow-up or action may be
recorded after the fact (a year back) and planned up to two years ahead. An outcome
measurement (issue 16) is recorded when it is taken, or up to a year later from paper. Anything else
(1800, 0001-01-01, 2999) is a typing error, and a follow-up in 1800 would turn the traffic
light red for ever.

A correction keeps a stored date that now lies outside the window (only a changed date is
checked), so old records stay editable. The form's date inputs get ``min`` and ``max`` so
the browser's date picker offers the same window; the server check is the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def today() -> date:
    """Today's date in the app's time zone (as ``services.today``)."""
    return timezone.localdate()


def _years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February where needed."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DateWindow:
    """The allowed dates: from ``years_back`` years before today to ``years_ahead`` after."""

    years_back: int
    years_ahead: int

    def bounds(self, now: date | None = None) -> tuple[date, date]:
        now = now or today()
        return _years(now, -self.years_back), _years(now, self.years_ahead)

    def message(self, now: date | None = None) -> str:
        earliest, latest = self.bounds(now)
        if self.years_ahead == 0:
            return _("Kies een datum van %(earliest)s tot en met vandaag.") % {
                "earliest": date_format(earliest, "j F Y")
            }
        return _("Kies een datum van %(earliest)s tot en met %(latest)s.") % {
            "earliest": date_format(earliest, "j F Y"),
            "latest": date_format(latest, "j F Y"),
        }

    def check(self, value: date | None, now: date | None = None) -> None:
        """Raise a Dutch ``ValidationError`` naming the window when ``value`` is outside."""
        if value is None:
            return
        earliest, latest = self.bounds(now)
        if not earliest <= value <= latest:
            raise forms.ValidationError(self.message(now), code="date_window")


CONSENT_GIVEN = DateWindow(years_back=1, years_ahead=0)
CONVERSATION_HELD = DateWindow(years_back=2, years_ahead=0)
FOLLOW_UP_DUE = DateWindow(years_back=1, years_ahead=2)
ACTION_DUE = DateWindow(years_back=1, years_ahead=2)
MEASUREMENT_TAKEN = DateWindow(years_back=1, years_ahead=0)


def limit(form: forms.BaseForm, field: str, window: DateWindow) -> None:
    """Give ``field``'s date input the window as ``min`` and ``max`` (the date picker)."""
    earliest, latest = window.bounds()
    form.fields[field].widget.attrs.update(min=earliest.isoformat(), max=latest.isoformat())


def checked(form: forms.BaseForm, field: str, window: DateWindow) -> Any:
    """The cleaned value of ``field``, checked against ``window`` (for ``clean_<field>``).

    On a model form for a stored object an unchanged date is not checked again.
    """
    value = form.cleaned_data.get(field)
    instance = getattr(form, "instance", None)
    if instance is not None and instance.pk and getattr(instance, field, None) == value:
        return value
    window.check(value)
    return value
