"""Django settings, read from documented environment variables.

One module for every environment: production is the default posture (secure cookies, no
debug, a secret key required); ``DJANGO_DEBUG=1`` relaxes exactly what a developer's laptop
needs. Every variable is listed in ``docs/web/omgevingsvariabelen.md``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.env import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

# Lets Django's generic classes be subscripted at runtime (``forms.ModelForm[Goal]``), as
# django-stubs types them; changes nothing else.
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent
# Relative paths (the SQLite default) are taken from where the app is started.
RUN_DIR = Path.cwd()

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "DJANGO_SECRET_KEY ontbreekt. Zet een lange willekeurige waarde, of DJANGO_DEBUG=1 "
            "voor ontwikkelen (dan wordt per start een tijdelijke sleutel gemaakt)."
        )
    # A per-process key: sessions do not survive a restart, which is fine for development.
    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": {
        **parse_database_url(env_str("DATABASE_URL", "sqlite:///var/web.sqlite3"), RUN_DIR),
        # Keeping a connection open for a minute saves PostgreSQL about 12 ms of CPU per
        # request (benchmarks/results/web_load.md); the health check drops a broken one.
        "CONN_MAX_AGE": env_int("DJANGO_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "mozilla_django_oidc",
    "bestaanszekerheid.web.accounts",
    "bestaanszekerheid.web.audit",
    "bestaanszekerheid.web.residents",
    "bestaanszekerheid.web.trajectories",
    "bestaanszekerheid.web.conversations",
    "bestaanszekerheid.web.plans",
    "bestaanszekerheid.web.referrals",
    "bestaanszekerheid.web.casework",
    "bestaanszekerheid.web.privacy",
    "bestaanszekerheid.web.evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bestaanszekerheid.web.accounts.locale.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bestaanszekerheid.web.accounts.middleware.RequireOTPMiddleware",
    "bestaanszekerheid.web.accounts.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff login through the municipality's identity provider (OpenID Connect, authorisation
# code flow with PKCE; web/accounts/oidc.py), when a client id is set. The endpoints come
# from the provider's /.well-known/openid-configuration. MFA is the provider's.
OIDC_RP_CLIENT_ID = env_str("BSZ_OIDC_CLIENT_ID", "")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.insert(1, "bestaanszekerheid.web.accounts.oidc.StaffOIDCBackend")
    OIDC_RP_CLIENT_SECRET = env_str("BSZ_OIDC_CLIENT_SECRET", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("BSZ_OIDC_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = env_str("BSZ_OIDC_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = env_str("BSZ_OIDC_USERINFO_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = env_str("BSZ_OIDC_JWKS_ENDPOINT", "")
    OIDC_RP_SIGN_ALGO = env_str("BSZ_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("BSZ_OIDC_SCOPES", "openid profile email")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = True  # the backend decides (BSZ_OIDC_CREATE_USERS and a role claim)
BSZ_OIDC_USERNAME_CLAIM = env_str("BSZ_OIDC_USERNAME_CLAIM", "preferred_username")
BSZ_OIDC_ROLE_CLAIM = env_str("BSZ_OIDC_ROLE_CLAIM", "")
BSZ_OIDC_CREATE_USERS = env_bool("BSZ_OIDC_CREATE_USERS")
BSZ_OIDC_LABEL = env_str("BSZ_OIDC_LABEL", "")
LOGIN_REDIRECT_URL_FAILURE = "login"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "casework:caseload"
LOGOUT_REDIRECT_URL = "login"

ROOT_URLCONF = "bestaanszekerheid.web.urls"
WSGI_APPLICATION = "bestaanszekerheid.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "bestaanszekerheid.web.accounts.oidc.login_context",
            ]
        },
    }
]

# Every form control gets its NL Design System class in one place (see form_renderer.py).
FORM_RENDERER = "bestaanszekerheid.web.form_renderer.NLDesignSystemFormRenderer"

# One validator with Dutch messages: length, not only digits, not repetitive, not a common
# password (also with digits around it), not the user's name (web/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [{"NAME": "bestaanszekerheid.web.accounts.passwords.PasswordPolicy"}]

# Dutch first; English is available through the language switch and Accept-Language.
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(RUN_DIR / "var" / "static")))

# Sessions: idle timeout (the expiry is renewed on every request) and gone with the browser.
SESSION_COOKIE_AGE = env_int("BSZ_SESSION_IDLE_MINUTES", 15, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Secure cookies and HTTPS unless developing; DJANGO_SECURE_COOKIES overrides (e.g. a test
# server behind plain HTTP on localhost).
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-csp 4 format. Everything is served from our own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Login lockout: after AXES_FAILURE_LIMIT failures for one username from one address, that
# username is locked at that address for BSZ_LOCKOUT_MINUTES. Per pair, not per username or
# per address alone: then a stranger could lock out a colleague by typing her name, and five
# typos at the office (one address behind the proxy) would lock out everyone.
AXES_FAILURE_LIMIT = env_int("BSZ_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("BSZ_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address behind the documented reverse proxy: the X-Forwarded-For entry the
# nearest of DJANGO_PROXY_COUNT proxies added, not what the client claims (django-axes,
# "Configuring reverse proxies"). Without a proxy: REMOTE_ADDR only, never the header.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 1, minimum=1)
AXES_CLIENT_IP_CALLABLE = "bestaanszekerheid.web.accounts.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bestaanszekerheid.web.accounts.views.locked_out"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("BSZ_OTP_ISSUER", "Het goede gesprek")

# AVG: how long a closed trajectory is kept before bsz_retention removes it.
BSZ_RETENTION_DAYS = env_int("BSZ_RETENTION_DAYS", 730, minimum=1)
# The purpose of processing shown to staff on every resident page (AVG art. 5 and 13).
# The default text follows the user's language; a municipality's own text is shown as given.
BSZ_PURPOSE = env_str("BSZ_PURPOSE", "") or _(
    "Persoonlijke begeleiding bij bestaanszekerheid (Het goede gesprek), op basis van "
    "vrijwillige deelname. Gegevens worden alleen gebruikt voor deze begeleiding en, met "
    "aparte toestemming van de inwoner, gepseudonimiseerd voor de evaluatie van een pilot."
)
# Register entry (AVG art. 30) that audit events refer to, in Logius LDV style.
BSZ_PROCESSING_ACTIVITY = env_str("BSZ_PROCESSING_ACTIVITY", "urn:bsz:verwerking:goede-gesprek")
BSZ_REACH_TARGET = env_int("BSZ_REACH_TARGET", 250, minimum=1)
BSZ_CASELOAD_NORM = env_int("BSZ_CASELOAD_NORM", 50, minimum=1)
# How the analyst's count tables are protected: "onderdrukken" (suppress cells) or "afronden"
# (round to multiples of 5). One method per installation: the same table published both ways
# gives hidden cells away (exact margins next to rounded cells), ADR 0075.
BSZ_ANALYST_METHOD = env_choice("BSZ_ANALYST_METHOD", "onderdrukken", ("onderdrukken", "afronden"))
# The key of the pseudonyms in the evaluation export (HMAC-SHA256, issue 16), kept by the
# municipality, never by the evaluator. Checked when an export is downloaded, not at start:
# without it (outside DEBUG) the download is refused; the rest of the app works.
BSZ_EVALUATION_KEY = env_str("BSZ_EVALUATION_KEY", "")
# The area catalogue partners' wijk codes are checked against (a folder from bsz gebieden);
# empty: the packaged Tilburg catalogue.
BSZ_AREAS = env_str("BSZ_AREAS", "")

# The audit chain's head after every seal batch, outside the database (ADR 0053): one line
# per batch to BSZ_AUDIT_HEAD_FILE (an append-only file, or a path a syslog agent ships) and
# to the console at INFO. An auditor keeps these lines; bsz_audit_verify --kop checks them.
AUDIT_HEAD_FILE = env_str("BSZ_AUDIT_HEAD_FILE", "")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "bestaanszekerheid.audit.head": {
            "handlers": ["console", *(["head_file"] if AUDIT_HEAD_FILE else [])],
            "level": "INFO",
            "propagate": False,
        }
    },
}
if AUDIT_HEAD_FILE:
    LOGGING["handlers"]["head_file"] = {
        "class": "logging.FileHandler",
        "filename": AUDIT_HEAD_FILE,
        "encoding": "utf-8",
    }
