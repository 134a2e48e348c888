"""URLs of the export pages (included by :mod:`bestaanszekerheid.web.evaluation.urls`)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
