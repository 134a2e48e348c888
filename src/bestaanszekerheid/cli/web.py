"""``bsz web``: start the casework web app; ``--demo`` adds a synthetic demo organisation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from bestaanszekerheid.errors import UserFacingError


def _setup(demo: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestaanszekerheid.web.settings")
    if demo:
        # A laptop demo over plain HTTP on localhost: development settings, own database.
        os.environ["DJANGO_DEBUG"] = "1"
        os.environ.setdefault("DATABASE_URL", "sqlite:///var/demo.sqlite3")
    try:
        import django
    except ImportError:
        raise UserFacingError(
            "De webapp heeft extra onderdelen nodig: pip install 'bestaanszekerheid[web]'."
        ) from None
    try:
        django.setup()
    except RuntimeError as exc:  # ConfigurationError from settings: a clear message
        raise UserFacingError(str(exc)) from None
    # The SQLite default lives under var/ (ignored by git).
    Path("var").mkdir(exist_ok=True)


def web(
    demo: Annotated[
        bool, typer.Option("--demo", help="Met synthetische demo-organisatie en demo-gebruikers.")
    ] = False,
    port: Annotated[int, typer.Option("--poort", "--port", help="Poort op 127.0.0.1.")] = 8000,
) -> None:
    """Start Het goede gesprek op http://127.0.0.1 (database bijwerken, dan de server)."""
    _setup(demo)
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    if demo:
        from bestaanszekerheid.web.demo import create_demo

        accounts = create_demo(timezone.localdate())
        typer.echo("\nDemo-organisatie klaar (alle inwoners zijn synthetisch).")
        typer.echo(f"Open http://127.0.0.1:{port}/ en log in met een van deze accounts.")
        typer.echo(
            "Voeg het TOTP-geheim toe aan een authenticator-app (of gebruik de otpauth-link).\n"
        )
        for a in accounts:
            typer.echo(f"  {a.role:<22} gebruiker: {a.username:<11} wachtwoord: {a.password}")
            typer.echo(f"  {'':<22} TOTP-geheim: {a.otp_secret_b32}")
            typer.echo(f"  {'':<22} {a.otpauth_uri}\n")
        typer.echo("Wachtwoorden zijn nieuw bij elke start. Stoppen: Ctrl+C.\n")
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)
