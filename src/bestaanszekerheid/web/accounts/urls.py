"""Account pages reachable before the TOTP step (all under ``/inloggen/``, see the middleware)."""

from __future__ import annotations

from django.urls import path

from bestaanszekerheid.web.accounts import views

urlpatterns = [
    path("instellen/", views.enrol_otp, name="otp-enrol"),
    path(
        "wachtwoord/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="password-set",
    ),
]
