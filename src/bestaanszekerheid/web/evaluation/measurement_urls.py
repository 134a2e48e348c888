"""URLs of the measurement pages (included by :mod:`bestaanszekerheid.web.evaluation.urls`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bestaanszekerheid.web.evaluation import measurement_views as views

urlpatterns: list[URLPattern] = [
    path("trajecten/<int:pk>/nieuw/", views.measurement_create, name="measurement-create"),
    path("<int:pk>/bewerken/", views.measurement_edit, name="measurement-edit"),
    path("<int:pk>/verwijderen/", views.measurement_remove, name="measurement-remove"),
    path("schema/", views.schedule, name="schedule"),
]
