"""URL map: Dutch paths, one include per area."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from bestaanszekerheid.web.accounts.views import ChangePasswordView, verify_otp

urlpatterns = [
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("inloggen/code/", verify_otp, name="otp-verify"),
    path("inloggen/", include("bestaanszekerheid.web.accounts.urls")),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    # Outside /inloggen/: only for a session that passed the TOTP step (middleware).
    path("account/wachtwoord/", ChangePasswordView.as_view(), name="password-change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("privacy/", include("bestaanszekerheid.web.privacy.urls")),
    path("evaluatie/", include("bestaanszekerheid.web.evaluation.urls")),
    path("", include("bestaanszekerheid.web.casework.urls")),
]
