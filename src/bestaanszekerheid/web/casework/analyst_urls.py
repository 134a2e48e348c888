"""The analyst's page, included under ``analyse/`` in the casework namespace."""

from __future__ import annotations

from django.urls import path

from bestaanszekerheid.web.casework import analyst_views

urlpatterns = [
    path("", analyst_views.analyst, name="analyst"),
    path("onthullingscontrole.md", analyst_views.analyst_log, name="analyst-log"),
    path("<slug:slug>.csv", analyst_views.analyst_csv, name="analyst-csv"),
]
