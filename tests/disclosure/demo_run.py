"""A disclosure-control run on synthetic households: every export through the register and log.

For :mod:`tests.disclosure.test_demo` (every exported figure is recomputed from the
microdata); it also shows the intended workflow: build checked tables, export them through
one :class:`ReleaseRegister`, write the output log at the end. It lived in the package
(``disclosure/demo.py``) but only this test used it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure import (
    DisclosureRules,
    ReleaseRegister,
    check_model,
    frequency_table,
    load_rules,
    magnitude_table,
    percentage_table,
    percentile_table,
)
from bestaanszekerheid.disclosure.checked import Method
from bestaanszekerheid.formatting import fmt_plain

TARGET_PCT = 130.0


@dataclass
class DemoRun:
    """What the demo wrote: files per output and the population each was made from."""

    directory: Path
    households: pd.DataFrame
    target: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    log_files: list[Path] = field(default_factory=list)
    register: ReleaseRegister | None = None


def run_demo(
    directory: str | Path,
    *,
    n_households: int = 3_000,
    seed: int = 7,
    method: Method = "suppress",
    rules: DisclosureRules | None = None,
) -> DemoRun:
    """Make the demo tables for a synthetic population and export them with their log."""
    from bestaanszekerheid.households.synthetic import generate_population

    rules = rules or load_rules()
    out = Path(directory)
    households = generate_population(n_households, seed=seed).households.copy()
    households["household_type"] = households["household_type"].astype("string")
    households["income_source"] = households["income_source"].astype("string")
    target = households.loc[households["income_pct_norm"] <= TARGET_PCT].copy()
    run = DemoRun(directory=out, households=households, target=target)
    register = ReleaseRegister(rules)
    run.register = register
    doelgroep = (
        f"huishoudens tot en met {fmt_plain(TARGET_PCT)}% van het sociaal minimum (synthetisch)"
    )
    alle = "alle huishoudens (synthetisch)"

    def export(key: str, table: Any, data: pd.DataFrame, **spec: Any) -> None:
        path = register.export_csv(table, out / f"{key}.csv")
        run.files[key] = path
        run.specs[key] = {"population": "target" if data is target else "all", **spec}

    export(
        "huishoudens_per_wijk",
        frequency_table(
            households,
            "wijk_code",
            unit="household_id",
            rules=rules,
            population=alle,
            name="Huishoudens per wijk",
            method=method,
        ),
        households,
        kind="frequency",
        rows="wijk_code",
        method=method,
    )
    # The buurt table goes before the wijk table with its wijk totals: in Tilburg's real
    # geography many wijken have two or three buurten, and a buurt table whose cells are all
    # hidden, published after exact wijk totals, narrows them by subtraction with nothing left
    # to hide, so the register refuses it. In this order the wijk table, which has published
    # cells, takes the extra suppression.
    export(
        "doelgroep_per_buurt",
        frequency_table(
            target,
            "buurt_code",
            unit="household_id",
            rules=rules,
            margins=False,
            population=doelgroep,
            name="Doelgroep per buurt",
            method=method,
        ),
        target,
        kind="frequency",
        rows="buurt_code",
        method=method,
    )
    export(
        "doelgroep_wijk_type",
        frequency_table(
            target,
            "wijk_code",
            "household_type",
            unit="household_id",
            rules=rules,
            population=doelgroep,
            name="Doelgroep naar wijk en huishoudtype",
            method=method,
        ),
        target,
        kind="frequency",
        rows="wijk_code",
        cols="household_type",
        method=method,
    )
    export(
        "inkomen_per_type",
        magnitude_table(
            target,
            "net_income_month",
            "household_type",
            stat="mean",
            unit="household_id",
            rules=rules,
            population=doelgroep,
            name="Gemiddeld netto maandinkomen per type",
        ),
        target,
        kind="magnitude",
        rows="household_type",
        value="net_income_month",
        stat="mean",
    )
    export(
        "schulden_per_wijk",
        percentage_table(
            target,
            "problematic_debts",
            "wijk_code",
            unit="household_id",
            rules=rules,
            population=doelgroep,
            name="Aandeel met problematische schulden per wijk",
        ),
        target,
        kind="percentage",
        rows="wijk_code",
        value="problematic_debts",
    )
    export(
        "mediaan_inkomen_per_bron",
        percentile_table(
            target,
            "net_income_month",
            "income_source",
            unit="household_id",
            rules=rules,
            population=doelgroep,
            name="Mediaan netto maandinkomen per inkomensbron",
        ),
        target,
        kind="percentile",
        rows="income_source",
        value="net_income_month",
    )
    # A small regression: income on household type (dummies), exported as coefficients only.
    dummies = pd.get_dummies(target["household_type"], drop_first=True, dtype=float)
    design = np.column_stack([np.ones(len(target)), dummies.to_numpy()])
    y = target["net_income_month"].to_numpy(dtype=float)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    counts = target["household_type"].value_counts()
    model = check_model(
        name="Regressie inkomen op huishoudtype",
        n_obs=len(target),
        n_params=design.shape[1],
        category_counts={str(k): float(v) for k, v in counts.items()},
        units=target["household_id"].to_numpy(),
        population=doelgroep,
        kind="ols",
        rules=rules,
    )
    release = register.release(model)
    coefficients = pd.DataFrame(
        {"coefficient": np.round(coef, 2)}, index=["constante", *map(str, dummies.columns)]
    )
    path = out / "regressie_coefficienten.csv"
    from bestaanszekerheid.fileio import atomic_path

    with atomic_path(path) as tmp:
        coefficients.to_csv(tmp, sep=";", decimal=",")
    release.files.append(path.name)
    run.files["regressie_coefficienten"] = path
    run.log_files = register.write_log(out)
    return run
