"""URLs of the pilot pages (included by :mod:`bestaanszekerheid.web.evaluation.urls`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bestaanszekerheid.web.evaluation import pilot_lifecycle_views as lifecycle
from bestaanszekerheid.web.evaluation import pilot_views as views

urlpatterns: list[URLPattern] = [
    path("", views.pilots, name="pilots"),
    path("nieuw/", views.pilot_create, name="pilot-create"),
    path("<int:pk>/", views.pilot_detail, name="pilot"),
    path("<int:pk>/wijzigen/", lifecycle.pilot_edit, name="pilot-edit"),
    path("<int:pk>/afronden/", lifecycle.pilot_end, name="pilot-end"),
    path("<int:pk>/deelnemers.csv", views.participants_csv, name="pilot-participants"),
    path("<int:pk>/loting/", views.allocation_import, name="pilot-import"),
    # The resident page: enrol a trajectory, stop or resume a participation, the consent.
    path("aanmelden/<int:pk>/", views.enrol, name="pilot-enrol"),
    path("deelnemer/<int:pk>/stoppen/", views.participation_stop, name="pilot-stop"),
    path("deelnemer/<int:pk>/hervatten/", lifecycle.participation_resume, name="pilot-resume"),
    path("deelnemer/<int:pk>/toestemming/", views.evaluation_consent, name="pilot-consent"),
]
