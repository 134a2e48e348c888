"""The claims the test provider puts in the ID token and the userinfo answer."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):  # type: ignore[misc]
    # Every claim whatever the scopes, as many municipal tenants are configured.
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        claims: dict[str, Any] = {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
        }
        # The role a tenant hands out, kept in the provider user's last_name suffix "#rol".
        if "#" in user.last_name:
            claims["family_name"], claims["bsz_rol"] = user.last_name.split("#", 1)
        return claims
