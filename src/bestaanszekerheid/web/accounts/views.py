"""Login in two steps: password (with django-axes lockout), then a TOTP code.

A staff member without a confirmed TOTP device sets one up after the password step
(:func:`enrol_otp`); a new staff member first sets a password through a one-time link
(:class:`SetPasswordView`) that the functional administrator hands over.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts import resets
from bestaanszekerheid.web.accounts.access import is_verified
from bestaanszekerheid.web.accounts.forms import TokenForm
from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record

PURPOSE_ACCOUNT = "toegang tot de applicatie"


def locked_out(
    request: HttpRequest, response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The lockout page (``AXES_LOCKOUT_CALLABLE``): says for how long, in the user's language."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
    return render(
        request,
        "registration/locked_out.html",
        {"lockout_minutes": minutes},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )


def _has_confirmed_device(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def throttle_message(devices: list[TOTPDevice]) -> str | None:
    """A Dutch message when every device refuses codes for now (too many wrong ones in a
    row; django-otp doubles the wait after each): how many seconds to wait. ``None`` when
    a code may be tried. Without this check a correct code typed inside the wait was
    answered with "Deze code klopt niet"."""
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if allowed:
            return None
        until = (info or {}).get("locked_until")
        waits.append((until - timezone.now()).total_seconds() if until else 60.0)
    if not waits:
        return None
    seconds = max(1, round(min(waits) + 0.5))
    return ngettext(
        "Te veel verkeerde codes achter elkaar. Wacht %(seconds)d seconde en typ dan de "
        "nieuwe code uit je app.",
        "Te veel verkeerde codes achter elkaar. Wacht %(seconds)d seconden en typ dan de "
        "nieuwe code uit je app.",
        seconds,
    ) % {"seconds": seconds}


def _after_full_login(request: HttpRequest) -> None:
    """Tell the user, once, about resets of their password or second factor (ADR 0054);
    :func:`resets.announce` marks this first session after a reset in the audit log."""
    user: Any = request.user
    for notice in resets.announce(user):
        messages.warning(request, notice.text)


@never_cache
@login_required
def verify_otp(request: HttpRequest) -> HttpResponse:
    """Second step: check the six-digit code against the user's TOTP device."""
    if is_verified(request.user):
        return redirect("casework:home")
    if not _has_confirmed_device(request.user):
        return redirect("otp-enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = throttle_message(
            list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
        )
        device = None if waiting else match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            _after_full_login(request)
            return redirect("casework:home")
        form.add_error(
            "token",
            waiting or _("Deze code klopt niet of is verlopen. Probeer de nieuwe code."),
        )
    return render(request, "registration/verify_otp.html", {"form": form})


def grouped_secret(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, the way people type it into an app."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_svg(device: TOTPDevice) -> str:
    # Inline SVG from our own server: the secret never goes to a QR service, and the CSP
    # (no inline style, images only from 'self' or data:) allows it. A white background and
    # quiet zone keep it scannable in dark mode.
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5,
            dark="#000",
            light="#fff",
            title=_("QR-code voor je authenticator-app"),
            svgclass="qr-code",
        )
    )


@never_cache
@login_required
def enrol_otp(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app once, right after the password step.

    Only for a user without a confirmed device: someone who has one (but only typed the
    password) is sent to the code step, so a stolen password cannot replace the device.
    The device stays unconfirmed, and the session unverified, until a code from the app
    matches.
    """
    user = request.user
    if is_verified(user):
        return redirect("casework:home")
    if _has_confirmed_device(user):
        return redirect("otp-verify")
    # Reuse the pending device so a reload does not change the secret being typed in.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = throttle_message([device])
        if waiting:
            form.add_error("token", waiting)
        elif device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                record(user, AuditAction.CREATE, device, purpose=PURPOSE_ACCOUNT)
            otp_login(request, device)
            messages.success(request, _("Je authenticator-app is ingesteld."))
            _after_full_login(request)
            return redirect("casework:home")
        else:
            form.add_error(
                "token",
                _(
                    "Deze code klopt niet of is verlopen. "
                    "Controleer het geheim en probeer de nieuwe code."
                ),
            )
    context: dict[str, Any] = {
        "form": form,
        "qr_svg": _qr_svg(device),
        "secret": grouped_secret(device),
        "issuer": device._read_str_from_settings("OTP_TOTP_ISSUER") or "",
    }
    return render(request, "registration/enrol_otp.html", context)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Set one's own password through the one-time link from the functional administrator.

    Django's password-reset token: it is tied to the current password hash and the last
    login, so it works once, and it expires after ``PASSWORD_RESET_TIMEOUT`` (3 days by
    default). The view moves the token out of the address into the session before showing
    the form, so it does not leak through the Referer header.
    """

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # A deactivated account cannot be brought back to life with an old link.
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        target: User = form.user
        record(
            target, AuditAction.UPDATE, target, purpose=PURPOSE_ACCOUNT, details={"password": "set"}
        )
        messages.success(self.request, _("Je wachtwoord is ingesteld. Log nu in."))
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    """Change one's own password (old password required); the session stays verified."""

    template_name = "registration/change_password.html"
    success_url = reverse_lazy("casework:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.user  # the logged-in user (PasswordChangeView passes request.user)
        record(
            user, AuditAction.UPDATE, user, purpose=PURPOSE_ACCOUNT, details={"password": "changed"}
        )
        messages.success(self.request, _("Je wachtwoord is gewijzigd."))
        return response
