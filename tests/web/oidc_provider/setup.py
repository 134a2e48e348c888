"""Create the provider's users and the app's client: python -m tests.web.oidc_provider.setup
REDIRECT_URI. Run with the provider's settings."""

from __future__ import annotations

import sys

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

from tests.web.oidc_provider.accounts import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERS  # noqa: E402

for name, last in USERS.items():
    User.objects.create_user(name, password=PASSWORD, first_name=name.title(), last_name=last)
Application.objects.create(
    name="Het goede gesprek (tests)",
    client_id=CLIENT_ID,
    client_secret=CLIENT_SECRET,
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris=sys.argv[1],
    algorithm=Application.RS256_ALGORITHM,
    skip_authorization=True,
)
print("ok")
