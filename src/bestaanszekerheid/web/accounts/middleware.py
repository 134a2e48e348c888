"""Two-factor authentication (TOTP) is required for every staff member, on every page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

# Pages reachable after the password step but before the TOTP step.
OPEN_PATHS = ("/inloggen/", "/uitloggen/", "/static/", "/i18n/")
#: The session key oidc.py sets for a login through the identity provider (kept here as a
#: plain string: this module must not import mozilla-django-oidc).
PROVIDER_LOGIN_KEY = "bsz_login"


class RequireOTPMiddleware:
    """Send a logged-in but not yet TOTP-verified user to the verification step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(PROVIDER_LOGIN_KEY) == "oidc"
        ):
            # Logged in through the identity provider, which did the second factor.
            user.is_verified = lambda: True
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PATHS)
        ):
            return redirect("otp-verify")
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page the app renders (AVG art. 32).

    Nearly every page shows personal data, and a page without it today (a form) shows it
    after a POST; a browser or proxy must keep none of them, so a shared laptop's back
    button or disk cache gives nothing away after logging out. Static files (CSS, scripts,
    served by the web server in production) are not rendered here and keep their caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
            response.headers.setdefault("Pragma", "no-cache")
        return response
