"""Login in two steps: password (with django-axes lockout), then a TOTP code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code uit je authenticator-app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


@login_required
def verify_otp(request: HttpRequest) -> HttpResponse:
    """Second step: check the six-digit code against the user's TOTP device."""
    if request.user.is_verified():
        return redirect("casework:home")
    has_device = request.user.totpdevice_set.filter(confirmed=True).exists()
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect("casework:home")
        form.add_error("token", _("Deze code klopt niet of is verlopen. Probeer de nieuwe code."))
    context: dict[str, Any] = {"form": form, "has_device": has_device}
    return render(request, "registration/verify_otp.html", context)
