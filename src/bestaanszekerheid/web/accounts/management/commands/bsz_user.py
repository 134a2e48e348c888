"""Create a staff account with a TOTP device from the server's command line: the first
functional administrator on a new server (later accounts are made in the Beheer screens).

Prints a generated password and the authenticator enrolment (otpauth URI, and a QR code in
the terminal) once; nothing secret is stored in plain text.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from typing import Any, TextIO, cast

import segno
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from bestaanszekerheid.web.accounts.models import Role, Team, User


class Command(BaseCommand):
    help = "Maak een medewerker aan met rol, team en tweestapsverificatie (TOTP)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("gebruikersnaam")
        parser.add_argument("--rol", required=True, choices=list(Role.values))
        parser.add_argument("--team", help="Naam van het team (wordt aangemaakt als het nieuw is).")
        parser.add_argument("--naam", default="", help="Voor- en achternaam.")
        parser.add_argument("--geen-qr", action="store_true", help="Geen QR-code afdrukken.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["gebruikersnaam"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"Gebruiker {username!r} bestaat al.")
        first, _, last = options["naam"].partition(" ")
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            team = Team.objects.get_or_create(name=options["team"])[0] if options["team"] else None
            user = User.objects.create_user(
                username=username,
                password=password,
                role=options["rol"],
                team=team,
                first_name=first,
                last_name=last,
            )
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        secret = b32encode(device.bin_key).decode().rstrip("=")
        self.stdout.write(f"Gebruiker {username} aangemaakt ({options['rol']}).")
        self.stdout.write(f"Wachtwoord (veilig doorgeven): {password}")
        self.stdout.write(f"TOTP-geheim: {secret}")
        self.stdout.write(device.config_url)
        if not options["geen_qr"]:
            # Django's OutputWrapper has the text stream's write() that segno uses.
            out = cast(TextIO, self.stdout)
            segno.make(device.config_url, error="m").terminal(out=out, compact=True)
