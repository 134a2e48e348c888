"""URLs of the monitor pages (included by :mod:`bestaanszekerheid.web.evaluation.urls`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bestaanszekerheid.web.evaluation import monitor_views

urlpatterns: list[URLPattern] = [
    path("", monitor_views.monitor, name="monitor"),
]
