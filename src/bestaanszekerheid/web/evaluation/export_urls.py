"""URLs of the export pages (included by :mod:`bestaanszekerheid.web.evaluation.urls`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bestaanszekerheid.web.evaluation import export_views

urlpatterns: list[URLPattern] = [
    path("", export_views.exports, name="exports"),
    path("aanvragen/", export_views.export_request, name="export-request"),
    path("<int:pk>/", export_views.export_detail, name="export"),
    path("<int:pk>/goedkeuren/", export_views.export_approve, name="export-approve"),
    path("<int:pk>/afwijzen/", export_views.export_reject, name="export-reject"),
    path("<int:pk>/download/", export_views.export_download, name="export-download"),
    path("<int:pk>/labels/", export_views.export_labels, name="export-labels"),
]
