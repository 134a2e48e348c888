"""Two-factor authentication (TOTP) is required for every staff member, on every page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Pages reachable after the password step but before the TOTP step.
OPEN_PATHS = ("/inloggen/", "/uitloggen/", "/static/", "/i18n/")


class RequireOTPMiddleware:
    """Send a logged-in but not yet TOTP-verified user to the verification step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PATHS)
        ):
            return redirect("otp-verify")
        return self.get_response(request)
