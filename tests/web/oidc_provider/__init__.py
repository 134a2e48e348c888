"""A real OpenID Connect provider for the web tests: django-oauth-toolkit in OIDC mode, run
as its own Django project in a subprocess (tests/web/test_oidc.py). Test-only."""
