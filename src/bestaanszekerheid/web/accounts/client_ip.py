"""The client's address as the login lockout sees it (``AXES_CLIENT_IP_CALLABLE``).

Behind the documented reverse proxy every request comes from the proxy's address, so
``REMOTE_ADDR`` would put all users in one lockout bucket. The proxy appends the address it
saw to ``X-Forwarded-For``; with ``DJANGO_PROXY_COUNT`` proxies in front of the app, the
client is the entry that many places from the right. Entries further left are whatever the
client sent and are never trusted. Without a proxy the header is ignored altogether.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR")
    if not getattr(settings, "BEHIND_PROXY", False):
        return remote
    count = int(getattr(settings, "PROXY_COUNT", 1))
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        # Not through the expected proxies: the header cannot be trusted.
        return remote
    return forwarded[-count]
