"""Account pages reachable before the TOTP step (all under ``/inloggen/``, see the middleware)."""

from __future__ import annotations

from django.urls import path

from bestaanszekerheid.web.accounts import oidc, views

urlpatterns = [
    path("instellen/", views.enrol_otp, name="otp-enrol"),
    # Through the identity provider; the names are mozilla-django-oidc's own.
    path("werkaccount/", oidc.start, name="oidc_authentication_init"),
    path("werkaccount/terug/", oidc.callback, name="oidc_authentication_callback"),
    path(
        "wachtwoord/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="password-set",
    ),
]
