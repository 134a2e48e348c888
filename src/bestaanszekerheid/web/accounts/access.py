"""Role checks for views. Row-level access lives in the QuerySets' ``for_user``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from bestaanszekerheid.web.accounts.models import Role, User

CASEWORK_ROLES = (Role.CONSULTANT, Role.TEAM_LEAD)


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind ``login_required`` or :func:`role_required`: the user is staff.

    For type checking only (Django types ``request.user`` as possibly anonymous).
    """

    user: User


View = Callable[..., HttpResponse]


def is_verified(user: Any) -> bool:
    """Whether the user did the TOTP step in this session (django-otp's middleware adds
    ``is_verified`` to ``request.user``; Django's types do not know it)."""
    return bool(user.is_verified())


def role_required(*roles: Any) -> Callable[[View], View]:
    """Logged in (and TOTP-verified, by middleware) with one of ``roles``; else 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
