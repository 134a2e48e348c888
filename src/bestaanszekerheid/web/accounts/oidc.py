"""Staff login through the municipality's identity provider (OpenID Connect).

Dutch municipalities run their staff identity in one place (an Entra ID, Keycloak or ADFS
tenant), with multi-factor authentication there; Open Forms and Open Zaak log staff in with
``mozilla-django-oidc``, and so does this app when ``BSZ_OIDC_CLIENT_ID`` is set
(``settings.py``; the variables in ``docs/web/omgevingsvariabelen.md``). Local accounts with
TOTP stay the fallback for a municipality without a provider.

- **Who may log in.** Only a staff member the app already knows: the username claim
  (``BSZ_OIDC_USERNAME_CLAIM``, default ``preferred_username``) must match an active
  account. With ``BSZ_OIDC_CREATE_USERS=1`` and a role claim an unknown user is created with
  that role; never without a role (least privilege).
- **Roles.** Assigned in the app (Beheer) by default. With ``BSZ_OIDC_ROLE_CLAIM`` the
  provider's claim sets the role at every login (values: the role codes, e.g.
  ``consultant``); an unknown value refuses the login rather than guess.
- **Second factor.** The provider's. A session that came through the provider counts as
  verified for :class:`~bestaanszekerheid.web.accounts.middleware.RequireOTPMiddleware`
  (:data:`SESSION_KEY`); the app's own TOTP step is for local accounts.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from bestaanszekerheid.web.accounts import resets
from bestaanszekerheid.web.accounts.middleware import PROVIDER_LOGIN_KEY as SESSION_KEY
from bestaanszekerheid.web.accounts.models import Role, User

LOGGER = logging.getLogger(__name__)
BACKEND = "bestaanszekerheid.web.accounts.oidc.StaffOIDCBackend"


def enabled() -> bool:
    """Whether login through the identity provider is configured."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", "")) and BACKEND in getattr(
        settings, "AUTHENTICATION_BACKENDS", ()
    )


def login_context(request: HttpRequest) -> dict[str, Any]:
    """Template context (a context processor): whether and how to offer the provider."""
    return {
        "oidc_login": enabled(),
        "oidc_label": str(getattr(settings, "BSZ_OIDC_LABEL", "") or ""),
    }


class StaffOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Matches the provider's user to a known staff account (see the module docstring)."""

    def _claim(self, claims: dict[str, Any], name: str) -> str:
        return str(claims.get(name) or "").strip()

    @property
    def username_claim(self) -> str:
        return str(getattr(settings, "BSZ_OIDC_USERNAME_CLAIM", "") or "preferred_username")

    def _role(self, claims: dict[str, Any]) -> str | None:
        """The role from the role claim, None when no role claim is configured."""
        name = str(getattr(settings, "BSZ_OIDC_ROLE_CLAIM", "") or "")
        if not name:
            return None
        value = claims.get(name)
        values = value if isinstance(value, list) else [value]
        roles = [str(v) for v in values if str(v) in Role.values]
        if len(roles) != 1:
            raise SuspiciousOperation(f"rolclaim '{name}' geeft geen (of meer dan één) rol")
        return roles[0]

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self._claim(claims, self.username_claim))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        username = self._claim(claims, self.username_claim)
        return User.objects.filter(username=username, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> User | None:
        role = self._role(claims)
        if not getattr(settings, "BSZ_OIDC_CREATE_USERS", False) or role is None:
            LOGGER.warning("OIDC-login geweigerd: geen bekende medewerker")
            return None
        return User.objects.create_user(
            self._claim(claims, self.username_claim),
            email=self._claim(claims, "email"),
            first_name=self._claim(claims, "given_name"),
            last_name=self._claim(claims, "family_name"),
            role=role,
        )

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        role = self._role(claims)
        if role is not None and role != user.role:
            user.role = role
            user.save(update_fields=["role"])
        return user


def start(request: HttpRequest) -> HttpResponse:
    """The redirect to the provider; 404 when no provider is configured (mozilla-django-oidc's
    view reads its settings when it is made, so it is made only then)."""
    if not enabled():
        raise Http404
    return OIDCAuthenticationRequestView.as_view()(request)  # type: ignore[no-any-return]


def callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer; 404 when no provider is configured."""
    if not enabled():
        raise Http404
    return OIDCAuthenticationCallbackView.as_view()(request)  # type: ignore[no-any-return]


@receiver(user_logged_in)
def _mark_provider_login(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Remember that the provider did the second factor for this session, and tell the user,
    once, about resets of their local credentials (the TOTP step does so for local logins)."""
    if request is not None and getattr(user, "backend", "") == BACKEND:
        request.session[SESSION_KEY] = "oidc"
        for notice in resets.announce(user):
            messages.warning(request, notice.text)
