"""Reading a ``bsz loting`` log into a pilot: parse, verify the chain, match the pilot.

Pure functions, no database: the service (:mod:`.pilot_services`) passes in what the pilot
expects and applies the result. Everything is checked before anything is accepted, and every
problem is named in Dutch: a log that fails here changes nothing.

What is checked, in this order:

1. every line is JSON and the chain holds up to the control code that ``bsz loting`` printed
   (:meth:`~bestaanszekerheid.experiments.allocation.AllocationLog.verify`); when it does not,
   nothing else in the file can be trusted, so only these problems are reported;
2. the design entry names exactly the pilot's arms, with the control arm first (``bsz
   loting`` treats the first arm as the control arm);
3. the logged units are exactly the pilot's standing participants, each once, each in one of
   the design's arms.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments.allocation import AllocationLog

DESIGN_KIND = "ontwerp"
ALLOCATION_KIND = "toewijzing"
# Codes named in one message; a log of another pilot would otherwise list hundreds.
SHOWN = 5


class AllocationImportError(UserFacingError):
    """The log cannot be imported; ``problems`` are complete Dutch sentences."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class Assignment:
    """One participant's arm and stratum as logged."""

    arm: str
    stratum: str


@dataclass(frozen=True)
class AllocationImport:
    """A verified log that matches the pilot: what the import stores."""

    head: str
    seed: int | None
    design: dict[str, Any]
    n_entries: int
    assignments: dict[str, Assignment]


def parse_log(text: str) -> AllocationLog:
    """The log's entries from the text of ``lotingslogboek.jsonl`` (not yet verified)."""
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            raise AllocationImportError(
                [
                    _(
                        "Regel %(n)d van het logboek is geen geldige JSON: is dit het bestand "
                        "lotingslogboek.jsonl van bsz loting?"
                    )
                    % {"n": number}
                ]
            ) from None
        if not isinstance(entry, dict):
            raise AllocationImportError(
                [_("Regel %(n)d van het logboek is geen logregel van bsz loting.") % {"n": number}]
            )
        entries.append(entry)
    if not entries:
        raise AllocationImportError([_("Het logboek is leeg.")])
    return AllocationLog(entries=entries)


def _listed(codes: Iterable[str]) -> str:
    """At most :data:`SHOWN` codes, sorted, and how many more there are."""
    ordered = sorted(codes)
    text = ", ".join(ordered[:SHOWN])
    if len(ordered) > SHOWN:
        text += " " + _("en nog %(n)d") % {"n": len(ordered) - SHOWN}
    return text


def _design_problems(
    design: Mapping[str, Any], arm_codes: Collection[str], control: str
) -> list[str]:
    arms = [str(a) for a in design.get("arms") or []]
    problems = []
    missing = [a for a in arm_codes if a not in arms]
    extra = [a for a in arms if a not in arm_codes]
    if missing:
        problems.append(
            _("Arm(en) van de pilot die niet in de loting staan: %(codes)s.")
            % {"codes": _listed(missing)}
        )
    if extra:
        problems.append(
            _("Arm(en) in de loting die de pilot niet heeft: %(codes)s.")
            % {"codes": _listed(extra)}
        )
    if not missing and not extra and arms and arms[0] != control:
        problems.append(
            _(
                "De eerste arm van de loting is %(first)s, maar de controlearm van de pilot is "
                "%(control)s. Loot opnieuw met de controlearm vooraan in --armen."
            )
            % {"first": arms[0], "control": control}
        )
    return problems


def _unit_problems(
    allocations: list[dict[str, Any]],
    design_arms: Collection[str],
    expected: Collection[str],
    stopped: Collection[str],
) -> list[str]:
    units = [str(e.get("unit")) for e in allocations]
    problems = []
    twice = [u for u, n in Counter(units).items() if n > 1]
    if twice:
        problems.append(
            _("Deelnemer(s) die meer dan eens geloot zijn: %(codes)s.") % {"codes": _listed(twice)}
        )
    logged = set(units)
    withdrawn = logged & set(stopped)
    unknown = logged - set(expected) - withdrawn
    missing = set(expected) - logged
    if unknown:
        problems.append(
            _("Deelnemer(s) in de loting die niet bij deze pilot horen: %(codes)s.")
            % {"codes": _listed(unknown)}
        )
    if withdrawn:
        problems.append(
            _(
                "Deelnemer(s) in de loting die met de pilot gestopt zijn voordat de loting werd "
                "ingelezen: %(codes)s."
            )
            % {"codes": _listed(withdrawn)}
        )
    if missing:
        problems.append(
            _("Deelnemer(s) van de pilot die niet in de loting staan: %(codes)s.")
            % {"codes": _listed(missing)}
        )
    if unknown or withdrawn or missing:
        problems.append(
            _(
                "De deelnemers zijn veranderd sinds de deelnemerslijst werd gedownload. Download "
                "de lijst opnieuw en loot opnieuw met een nieuwe map voor --out."
            )
        )
    odd_arms = {str(e.get("arm")) for e in allocations} - set(design_arms)
    if odd_arms:
        problems.append(
            _("Toewijzing(en) aan een arm die niet in het ontwerp staat: %(codes)s.")
            % {"codes": _listed(odd_arms)}
        )
    return problems


#: The one column of the participant list a loting may stratify on (pilot_services).
STRATUM_COLUMN = "consulent"


def _stratum_problems(
    design: Mapping[str, Any], allocations: list[dict[str, Any]], strata: Mapping[str, str]
) -> list[str]:
    """The log's strata must be the app's own: the stratum goes into the evaluator's export,
    and whoever randomises writes both the log and its control code, so the chain cannot
    vouch for its text (attacker review: a name typed into the list reached the export)."""
    columns = [str(c) for c in design.get("strata") or []]
    if columns not in ([], [STRATUM_COLUMN]):
        return [
            _("Loot zonder strata of alleen met --strata %(column)s (de kolommen van de lijst).")
            % {"column": STRATUM_COLUMN}
        ]
    odd = [
        str(e.get("unit"))
        for e in allocations
        if str(e.get("stratum") or "") != (strata.get(str(e.get("unit")), "") if columns else "")
    ]
    if odd:
        return [
            _(
                "Het stratum in de loting is niet dat van de deelnemerslijst voor: %(codes)s. "
                "Loot op de lijst zoals de app hem gaf."
            )
            % {"codes": _listed(odd)}
        ]
    return []


def read_allocation(
    text: str,
    control_code: str,
    *,
    arm_codes: Collection[str],
    control_arm: str,
    participants: Collection[str],
    stopped: Collection[str] = (),
    strata: Mapping[str, str] | None = None,
) -> AllocationImport:
    """Verify the log ``text`` against ``control_code`` and match it to the pilot.

    ``arm_codes``: the pilot's arm codes, ``control_arm`` among them; ``participants``: the
    codes of its standing participants; ``stopped``: codes of participants who stopped (only
    to name them apart in a message); ``strata``: per participant the consultant code of the
    participant list, the only stratum the app hands out. Raises
    :class:`AllocationImportError` with every problem.
    """
    if not participants:
        raise AllocationImportError([_("De pilot heeft nog geen deelnemers om te loten.")])
    log = parse_log(text)
    check = log.verify(expected_head=control_code.strip().lower())
    if not check.ok:
        raise AllocationImportError(
            [
                _("Het logboek klopt niet met de controlecode of is gewijzigd:"),
                *check.problems,
                _("Er is niets ingelezen."),
            ]
        )
    first = log.entries[0]
    if first.get("kind") != DESIGN_KIND or not isinstance(first.get("design"), dict):
        raise AllocationImportError(
            [_("De eerste regel van het logboek is geen ontwerp van een loting.")]
        )
    design: dict[str, Any] = first["design"]
    allocations = [e for e in log.entries[1:] if e.get("kind") == ALLOCATION_KIND]
    if len(allocations) != len(log.entries) - 1:
        raise AllocationImportError(
            [_("Het logboek bevat regels die geen toewijzing zijn na de eerste regel.")]
        )
    problems = _design_problems(design, arm_codes, control_arm)
    problems += _unit_problems(allocations, design.get("arms") or [], participants, stopped)
    if strata is not None:
        problems += _stratum_problems(design, allocations, strata)
    if problems:
        raise AllocationImportError([*problems, _("Er is niets ingelezen.")])
    seed = first.get("seed")
    return AllocationImport(
        head=check.head,
        seed=int(seed) if isinstance(seed, int) else None,
        design=design,
        n_entries=check.n_entries,
        assignments={
            str(e["unit"]): Assignment(str(e["arm"]), str(e.get("stratum") or ""))
            for e in allocations
        },
    )
