"""The shared computations of issue 16: measure histories and delivered dose."""

from __future__ import annotations

from datetime import date

import pytest

from bestaanszekerheid.web.evaluation.instruments import MEASURES_BY_CODE, measure_scores
from bestaanszekerheid.web.evaluation.models import Measurement, MeasurementScore
from bestaanszekerheid.web.evaluation.outcomes import deliveries, histories, last_measured
from bestaanszekerheid.web.trajectories.models import TrajectoryRoute
from tests.web.factories import make_case, make_conversation, make_referral, make_user

pytestmark = pytest.mark.django_db


def _measure(trajectory, taken_on, **scores):
    m = Measurement.objects.create(trajectory=trajectory, taken_on=taken_on, moment="vervolg")
    for item, score in scores.items():
        MeasurementScore.objects.create(measurement=m, item=item, score=score)
    return m


def test_scale_needs_both_statements_and_is_their_mean():
    assert measure_scores({"regie_1": 2, "regie_2": 5}) == {"schaal_regie": 3.5}
    assert "schaal_regie" not in measure_scores({"regie_1": 2})
    assert measure_scores({"zrm_financien": 4}) == {"zrm_financien": 4.0}
    assert MEASURES_BY_CODE["schaal_belemmeringen"].higher_is_better is False


def test_history_first_latest_change_and_window():
    case = make_case(make_user())
    _measure(case, date(2026, 1, 5), zrm_financien=2, regie_1=1, regie_2=2)
    _measure(case, date(2026, 4, 5), zrm_financien=3)
    _measure(case, date(2026, 7, 5), zrm_financien=5, regie_1=3, regie_2=4)
    h = histories([case.pk])[case.pk]
    assert [p.score for p in h["zrm_financien"].points] == [2.0, 3.0, 5.0]
    assert h["zrm_financien"].change == 3.0
    assert h["schaal_regie"].first.score == 1.5 and h["schaal_regie"].change == 2.0
    late = histories([case.pk], since=date(2026, 3, 1))[case.pk]
    assert late["zrm_financien"].first.taken_on == date(2026, 4, 5)
    assert late["schaal_regie"].change is None  # one measurement in the window
    assert last_measured([case.pk]) == {case.pk: (date(2026, 7, 5), 3)}


def test_delivery_counts_contacts_and_referrals_in_the_window():
    case = make_case(make_user())
    for day in (date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10), date(2026, 6, 1)):
        make_conversation(case, held_on=day)
    make_referral(case)
    TrajectoryRoute.objects.create(trajectory=case, route="kosten", chosen_on=date(2026, 1, 10))
    d = deliveries({case.pk: (date(2026, 1, 1), date(2026, 3, 31))})[case.pk]
    assert d.contacts == 3 and d.first_contact == date(2026, 1, 10)
    assert d.months == pytest.approx(90 / (365.25 / 12))
    assert d.contacts_per_month == pytest.approx(3 / d.months)
    assert d.routes == frozenset({"kosten"})
    assert d.referrals == 0  # proposed today, after the window
    assert (
        deliveries({case.pk: (date(2026, 1, 1), date(2026, 1, 3))})[case.pk].contacts_per_month
        is None
    )
