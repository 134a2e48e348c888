"""Staff login through a real OpenID Connect provider that the test starts: django-oauth-
toolkit in OIDC mode (RS256, PKCE), as its own Django project in a subprocess
(tests/web/oidc_provider/). The app logs in known staff only, takes the provider's second
factor as its own, and refuses an unknown user or a wrong client secret."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.urls import reverse
from jwcrypto import jwk

from bestaanszekerheid.web.accounts.models import Role, User

from .factories import make_case, make_team, make_user
from .oidc_provider.accounts import CLIENT_ID, CLIENT_SECRET, PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BACKEND = "bestaanszekerheid.web.accounts.oidc.StaffOIDCBackend"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The provider's base URL; its client redirects to the live app's callback."""
    folder = tmp_path_factory.mktemp("op")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.web.oidc_provider.settings",
        "OP_DB": str(folder / "op.sqlite3"),
        "OP_RSA_KEY": jwk.JWK.generate(kty="RSA", size=2048)
        .export_to_pem(private_key=True, password=None)
        .decode(),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    run = {"env": env, "cwd": ROOT, "check": True, "capture_output": True}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], **run)  # type: ignore[call-overload]
    callback = live_server.url + reverse("oidc_authentication_callback")
    subprocess.run([sys.executable, "-m", "tests.web.oidc_provider.setup", callback], **run)  # type: ignore[call-overload]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url + "/o/.well-known/jwks.json", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture()
def oidc(settings: Any, provider: str) -> str:
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        BACKEND,
        "django.contrib.auth.backends.ModelBackend",
    ]
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider + "/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = provider + "/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = provider + "/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = provider + "/o/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.BSZ_OIDC_ROLE_CLAIM = ""
    settings.BSZ_OIDC_CREATE_USERS = False
    return provider


def _log_in_at_provider(live_server: Any, username: str) -> tuple[requests.Session, Any]:
    """Click the work-account button, log in at the provider, follow it back to the app."""
    browser = requests.Session()
    page = browser.get(live_server.url + reverse("login"))
    assert "Inloggen met je werkaccount" in page.text
    form = browser.get(live_server.url + reverse("oidc_authentication_init"))
    assert "/accounts/login/" in form.url  # at the provider now
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    following = re.search(r'name="next" value="([^"]+)"', form.text)
    assert token and following
    back = browser.post(
        form.url,
        data={
            "csrfmiddlewaretoken": token[1],
            "username": username,
            "password": PASSWORD,
            "next": following[1].replace("&amp;", "&"),
        },
        headers={"Referer": form.url},
    )
    return browser, back


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_known_consultant_logs_in_through_the_provider(oidc: str, live_server: Any) -> None:
    consultant = make_user(Role.CONSULTANT, make_team(), username="sanne")
    make_case(consultant, name="Zichtbare Zoë")
    browser, back = _log_in_at_provider(live_server, "sanne")
    # Back in the app, on the caseload: no TOTP step, the provider did the second factor.
    assert back.url == live_server.url + reverse("casework:caseload")
    assert back.status_code == 200 and "Zichtbare Zoë" in back.text
    assert "Code uit je authenticator-app" not in back.text
    resident = browser.get(live_server.url + reverse("casework:caseload"))
    assert resident.status_code == 200 and "Zichtbare Zoë" in resident.text


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_unknown_user_at_the_provider_gets_nothing(oidc: str, live_server: Any) -> None:
    make_case(make_user(Role.CONSULTANT, make_team(), username="sanne"), name="Zichtbare Zoë")
    browser, back = _log_in_at_provider(live_server, "onbekend")
    assert back.url.startswith(live_server.url + reverse("login"))
    caseload = browser.get(live_server.url + reverse("casework:caseload"), allow_redirects=False)
    assert caseload.status_code == 302 and "Zoë" not in caseload.text
    assert not User.objects.filter(username="onbekend").exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_role_claim_creates_only_when_allowed(oidc: str, live_server: Any, settings: Any) -> None:
    settings.BSZ_OIDC_ROLE_CLAIM = "bsz_rol"
    _browser, refused = _log_in_at_provider(live_server, "nieuw")
    assert refused.url.startswith(live_server.url + reverse("login"))
    assert not User.objects.filter(username="nieuw").exists()
    settings.BSZ_OIDC_CREATE_USERS = True
    browser, back = _log_in_at_provider(live_server, "nieuw")
    created = User.objects.get(username="nieuw")
    assert created.role == Role.ANALYST and created.last_name == "Nieuwkomer"
    # Logged in as an analyst: the caseload is not for that role, the analyst page is.
    assert back.url == live_server.url + reverse("casework:caseload") and back.status_code == 403
    assert browser.get(live_server.url + reverse("casework:analyst")).status_code == 200


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_wrong_client_secret_logs_nobody_in(oidc: str, live_server: Any, settings: Any) -> None:
    make_user(Role.CONSULTANT, make_team(), username="sanne")
    settings.OIDC_RP_CLIENT_SECRET = "fout"
    browser, back = _log_in_at_provider(live_server, "sanne")
    assert back.url.startswith(live_server.url + reverse("login"))
    caseload = browser.get(live_server.url + reverse("casework:caseload"), allow_redirects=False)
    assert caseload.status_code == 302
