"""URLs of the measurement pages (included by :mod:`bestaanszekerheid.web.evaluation.urls`)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
