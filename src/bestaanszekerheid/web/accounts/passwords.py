"""Password rules for local accounts, with Dutch messages (English through the catalogue).

Django's own validators either have no Dutch text for their length message or let through
what a tester typed first: ``123456789012``, ``wachtwoord12``, ``Welkom2026!``. The rules:
at least :data:`MIN_LENGTH` characters; not only digits; at least :data:`MIN_DISTINCT`
different characters; not a common password, also not one with digits or punctuation
around it (Django's list of 20,000 common passwords plus Dutch words that staff of a
municipality reach for); not close to the user's own name or username (Django's check).
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    UserAttributeSimilarityValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_LENGTH = 12
MIN_DISTINCT = 6
#: Words that Dutch staff reach for, lower case, checked with digits and punctuation removed.
DUTCH_COMMON = frozenset(
    {
        "wachtwoord",
        "welkom",
        "welkomwelkom",
        "gemeente",
        "gemeentetilburg",
        "tilburg",
        "goedegesprek",
        "hetgoedegesprek",
        "bestaanszekerheid",
        "voorjaar",
        "zomer",
        "najaar",
        "herfst",
        "winter",
        "lente",
        "geheim",
        "inloggen",
        "wijkteam",
        "consulent",
        "qwertyuiop",
        "azertyuiop",
        "abcdefghijkl",
    }
)
_AROUND = re.compile(r"^[\d\W_]+|[\d\W_]+$")


class PasswordPolicy:
    """One validator for all rules, so that a user sees every problem at once in Dutch."""

    def __init__(self) -> None:
        self._common = CommonPasswordValidator()
        self._similar = UserAttributeSimilarityValidator()

    def validate(self, password: str, user: Any = None) -> None:
        """Raise one :class:`ValidationError` listing every rule ``password`` breaks."""
        problems: list[ValidationError] = []
        if len(password) < MIN_LENGTH:
            problems.append(
                ValidationError(
                    ngettext(
                        "Het wachtwoord is te kort: gebruik minstens %(min)d teken.",
                        "Het wachtwoord is te kort: gebruik minstens %(min)d tekens.",
                        MIN_LENGTH,
                    )
                    % {"min": MIN_LENGTH},
                    code="password_too_short",
                )
            )
        if password.isdigit():
            problems.append(
                ValidationError(
                    _("Het wachtwoord bestaat alleen uit cijfers; gebruik ook letters."),
                    code="password_entirely_numeric",
                )
            )
        if len(set(password)) < MIN_DISTINCT:
            problems.append(
                ValidationError(
                    _(
                        "Het wachtwoord herhaalt te veel dezelfde tekens; gebruik minstens "
                        "%(n)d verschillende."
                    )
                    % {"n": MIN_DISTINCT},
                    code="password_repetitive",
                )
            )
        if self._is_common(password):
            problems.append(
                ValidationError(
                    _(
                        "Dit wachtwoord wordt veel gebruikt en is makkelijk te raden, ook met "
                        "cijfers of tekens ervoor of erachter. Kies bijvoorbeeld vier losse "
                        "woorden."
                    ),
                    code="password_too_common",
                )
            )
        try:
            self._similar.validate(password, user)
        except ValidationError:
            problems.append(
                ValidationError(
                    _("Het wachtwoord lijkt te veel op je naam of gebruikersnaam."),
                    code="password_too_similar",
                )
            )
        if problems:
            raise ValidationError(problems)

    def _is_common(self, password: str) -> bool:
        lowered = password.lower().strip()
        core = _AROUND.sub("", lowered)
        candidates = {lowered, core, core.replace(" ", "")}
        if any(c in DUTCH_COMMON for c in candidates if c):
            return True
        return any(c in self._common.passwords for c in candidates if c)

    def get_help_text(self) -> str:
        """The rules in one Dutch sentence, for the form."""
        return _(
            "Minstens %(min)d tekens, niet alleen cijfers, geen veelgebruikt wachtwoord en "
            "niet je naam. Een zin of vier losse woorden werkt goed."
        ) % {"min": MIN_LENGTH}
