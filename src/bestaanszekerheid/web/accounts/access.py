"""Role checks for views. Row-level access lives in the QuerySets' ``for_user``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from bestaanszekerheid.web.accounts.models import Role

CASEWORK_ROLES = (Role.CONSULTANT, Role.TEAM_LEAD)

View = Callable[..., HttpResponse]


def role_required(*roles: Any) -> Callable[[View], View]:
    """Logged in (and TOTP-verified, by middleware) with one of ``roles``; else 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
