"""The output rules: a versioned, documented configuration (CBS Remote Access by default)."""

from __future__ import annotations

import functools
import hashlib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bestaanszekerheid.errors import UserFacingError

DEFAULT_RULES_FILE = "cbs_remote_access.toml"


@dataclass(frozen=True)
class RuleText:
    """Where a rule comes from and what it says, in Dutch and English. ``source`` is for the
    output checker (English, with the ACRO parameter names); ``bron`` says it in Dutch for
    the report."""

    source: str
    nl: str
    en: str
    bron: str = ""


@dataclass(frozen=True)
class DisclosureRules:
    """All thresholds of the disclosure checks. Thresholds are on *unweighted* unit counts.

    Load the packaged CBS default with :func:`load_rules` (or ``DisclosureRules.default()``);
    pass a path to use a user's own TOML file with the same keys. Instances are immutable
    (``texts`` is a read-only mapping), so one can be shared by a whole run.
    """

    name: str
    version: str
    min_count: int = 10
    zeros_are_disclosive: bool = True
    group_disclosure: bool = True
    dominance_n: int = 2
    dominance_k: float = 90.0
    p_percent: float = 10.0
    forbidden_statistics: tuple[str, ...] = ("min", "max")
    percentile_min_side: int = 10
    min_residual_df: int = 10
    min_class_size: int = 10
    forbidden_model_outputs: tuple[str, ...] = (
        "residuals",
        "predictions",
        "fitted_values",
        "posterior_probabilities",
        "class_assignments",
        "leverage",
    )
    rounding_base: int = 5
    protection_width_counts: float = 10.0
    protection_percent_magnitude: float = 10.0
    differencing: bool = True
    estimate_share_decimals: int = 1
    estimate_size_base: int = 10
    texts: Mapping[str, RuleText] = field(default_factory=dict, compare=False, repr=False)
    checksum: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # The packaged rules are one cached instance shared by every caller: a dict here could
        # be changed for all of them.
        object.__setattr__(self, "texts", MappingProxyType(dict(self.texts)))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "texts": dict(self.texts)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, texts=MappingProxyType(dict(state["texts"])))

    @classmethod
    def default(cls) -> DisclosureRules:
        """The packaged CBS Remote Access rules."""
        return load_rules()

    def describe(self, rule: str, lang: str = "nl") -> str:
        """The rule's description with its value filled in ('' when the file has no text)."""
        text = self.texts.get(rule)
        if text is None:
            return ""
        template = text.nl if lang == "nl" else text.en
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "texts"}
        return template.format(value=values.get(rule, ""), **values)

    def as_dict(self) -> dict[str, Any]:
        """Rule values for the output log (no texts)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("texts",):
                continue
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


_RULE_KEYS = {f.name for f in fields(DisclosureRules)} - {"name", "version", "texts", "checksum"}


def load_rules(path: str | Path | None = None) -> DisclosureRules:
    """Read rules from a TOML file (default: the packaged CBS Remote Access rules).

    Every key under ``[rules.<name>]`` needs a ``value``; ``source``, ``bron``, ``nl`` and ``en``
    document it. Unknown rule names are an error, so a typo cannot silently fall back to a default.
    Without a path the packaged file is read once and the same (immutable) instance returned.
    """
    if path is None:
        return _packaged_rules()
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UserFacingError(f"Kan het regelbestand {path} niet lezen: {exc}.") from exc
    return _parse(raw, str(path))


@functools.cache
def _packaged_rules() -> DisclosureRules:
    raw = resources.files(__package__).joinpath("data", DEFAULT_RULES_FILE).read_bytes()
    return _parse(raw, DEFAULT_RULES_FILE)


def _parse(raw: bytes, where: str) -> DisclosureRules:
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserFacingError(f"Het regelbestand {where} is geen geldige TOML: {exc}.") from exc
    if not isinstance(doc.get("version"), str) or not doc["version"]:
        raise UserFacingError(f'Het regelbestand {where} mist een versie (version = "...").')
    section = doc.get("rules", {})
    unknown = sorted(set(section) - _RULE_KEYS)
    if unknown:
        raise UserFacingError(
            f"Onbekende regel(s) in {where}: {', '.join(unknown)}. "
            f"Bekend zijn: {', '.join(sorted(_RULE_KEYS))}."
        )
    values: dict[str, Any] = {}
    texts: dict[str, RuleText] = {}
    for key, entry in section.items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise UserFacingError(f"Regel {key} in {where} heeft geen 'value'.")
        value = entry["value"]
        values[key] = tuple(value) if isinstance(value, list) else value
        texts[key] = RuleText(
            source=str(entry.get("source", "")),
            nl=str(entry.get("nl", "")),
            en=str(entry.get("en", "")),
            bron=str(entry.get("bron", "")),
        )
    rules = DisclosureRules(
        name=str(doc.get("name", where)),
        version=doc["version"],
        texts=texts,
        checksum=hashlib.sha256(raw).hexdigest(),
        **values,
    )
    _validate(rules, where)
    return rules


def _validate(rules: DisclosureRules, where: str) -> None:
    # Rules that would silently disable protection are refused rather than obeyed.
    problems = []
    if not isinstance(rules.min_count, int) or rules.min_count < 1:
        problems.append("min_count moet een geheel getal >= 1 zijn")
    if not 1 <= rules.dominance_n <= 10:
        problems.append("dominance_n moet tussen 1 en 10 liggen")
    if not 0 < rules.dominance_k <= 100:
        problems.append("dominance_k moet tussen 0 en 100 liggen")
    if not 0 <= rules.p_percent < 100:
        problems.append("p_percent moet tussen 0 en 100 liggen")
    if not isinstance(rules.rounding_base, int) or rules.rounding_base < 1:
        problems.append("rounding_base moet een geheel getal >= 1 zijn")
    if not math.isfinite(rules.protection_width_counts) or rules.protection_width_counts < 0:
        problems.append("protection_width_counts moet >= 0 zijn")
    if (
        not isinstance(rules.estimate_share_decimals, int)
        or not 0 <= rules.estimate_share_decimals <= 2
    ):
        problems.append("estimate_share_decimals moet 0, 1 of 2 zijn")
    if not isinstance(rules.estimate_size_base, int) or rules.estimate_size_base < 1:
        problems.append("estimate_size_base moet een geheel getal >= 1 zijn")
    if problems:
        raise UserFacingError(f"Ongeldige regels in {where}: " + "; ".join(problems) + ".")
