"""The release register catches differencing between outputs of one run."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.disclosure import (
    CheckedTable,
    DisclosureRules,
    ReleaseRegister,
    check_model,
    frequency_table,
    load_rules,
)
from bestaanszekerheid.errors import UserFacingError


def _households(seed: int = 1) -> pd.DataFrame:
    """Wijk W1 has buurten B11 (40), B12 (5), B13 (30); wijk W2 has B21 (60), B22 (45)."""
    sizes = {("W1", "B11"): 40, ("W1", "B12"): 5, ("W1", "B13"): 30, ("W2", "B21"): 60}
    sizes[("W2", "B22")] = 45
    rows = [(w, b) for (w, b), n in sizes.items() for _ in range(n)]
    data = pd.DataFrame(rows, columns=["wijk", "buurt"])
    rng = np.random.default_rng(seed)
    data["uid"] = [f"H{i}" for i in range(len(data))]
    data["type"] = rng.choice(["a", "b"], len(data))
    data["stad"] = "Tilburg"
    return data


def _published_sets(table: CheckedTable, data: pd.DataFrame) -> list[frozenset[str]]:
    """Unit sets of the published cells, found from the labels in the microdata (not the
    module's bookkeeping)."""
    out = []
    frame = table.frame
    for r, c in itertools.product(frame.index, frame.columns):
        if pd.isna(frame.loc[r, c]):
            continue
        sel = pd.Series(True, index=data.index)
        if r != "Totaal":
            sel &= data[table.rows[0]].astype(str) == str(r)
        if table.cols and c != "Totaal":
            sel &= data[table.cols[0]].astype(str) == str(c)
        out.append(frozenset(data.loc[sel, "uid"]))
    return out


def _assert_no_differencing(sets: list[frozenset[str]], min_count: int) -> None:
    for a, b in itertools.combinations(sets, 2):
        assert not 0 < len(a ^ b) < min_count, (len(a), len(b))


def test_city_total_next_to_a_suppressed_wijk(rules: DisclosureRules) -> None:
    data = _households()
    data.loc[data.wijk == "W1", "wijk"] = data.loc[data.wijk == "W1", "buurt"]  # small area
    register = ReleaseRegister(rules)
    areas = frequency_table(data, "wijk", unit="uid", margins=False, rules=rules)
    register.release(areas)
    assert np.isnan(areas.frame.loc["B12", "count"])
    city = frequency_table(data, "stad", unit="uid", margins=False, rules=rules)
    release = register.release(city)
    # total minus the published areas would give the 5 of B12: the total is withheld
    assert np.isnan(city.frame.loc["Tilburg", "count"])
    assert "totaal_min_delen" in {f.kind for f in release.findings}
    assert city.status.loc["Tilburg", "count"] == "primary"


def test_refuse_policy_raises(rules: DisclosureRules) -> None:
    data = _households()
    data.loc[data.wijk == "W1", "wijk"] = data.loc[data.wijk == "W1", "buurt"]
    register = ReleaseRegister(rules, on_conflict="refuse")
    register.release(frequency_table(data, "wijk", unit="uid", margins=False, rules=rules))
    city = frequency_table(data, "stad", unit="uid", margins=False, rules=rules)
    with pytest.raises(UserFacingError, match="geweigerd"):
        register.release(city)
    assert len(register.releases) == 1


def test_try_release_leaves_a_refused_output_out_with_its_public_note(
    rules: DisclosureRules,
) -> None:
    data = _households()
    data.loc[data.wijk == "W1", "wijk"] = data.loc[data.wijk == "W1", "buurt"]
    register = ReleaseRegister(rules, on_conflict="refuse")
    areas = frequency_table(data, "wijk", unit="uid", margins=False, rules=rules)
    notes: list[str] = ["eerder"]
    assert register.try_release(areas, notes) is areas
    assert notes == ["eerder"]
    city = frequency_table(data, "stad", unit="uid", margins=False, rules=rules, name="Stad")
    assert register.try_release(city, notes) is None
    assert [r.name for r in register.releases] == [areas.name]
    assert [r.name for r in register.refused] == ["Stad"]
    # The note names the output, never the cells that clashed (those are for the checker).
    assert notes[0] == "eerder" and len(notes) == 2
    assert "'Stad'" in notes[1] and "B12" not in notes[1] and "Tilburg" not in notes[1]


def test_try_release_still_raises_for_other_mistakes(rules: DisclosureRules) -> None:
    import dataclasses

    data = _households()
    register = ReleaseRegister(rules)
    other = dataclasses.replace(rules, min_count=rules.min_count + 1)
    table = frequency_table(data, "wijk", unit="uid", rules=other)
    notes: list[str] = []
    with pytest.raises(UserFacingError, match="dezelfde regels"):
        register.try_release(table, notes)
    assert notes == []


def test_nested_areas(rules: DisclosureRules) -> None:
    data = _households()
    register = ReleaseRegister(rules)
    buurten = frequency_table(data, "buurt", unit="uid", margins=False, rules=rules)
    register.release(buurten)
    wijken = frequency_table(data, "wijk", unit="uid", margins=False, rules=rules)
    release = register.release(wijken)
    # W1 minus its published buurten B11 and B13 = B12 (5 units): W1 is withheld; W2 is fine
    assert np.isnan(wijken.frame.loc["W1", "count"])
    assert wijken.frame.loc["W2", "count"] == 105
    assert release.findings
    # independent check: no published wijk minus the published buurten inside it is 1-9
    for wijk in ["W1", "W2"]:
        if pd.isna(wijken.frame.loc[wijk, "count"]):
            continue
        inside = data.loc[data.wijk == wijk, "buurt"].unique()
        shown = [b for b in inside if not pd.isna(buurten.frame.loc[b, "count"])]
        rest = int((data.wijk == wijk).sum() - data.buurt.isin(shown).sum())
        assert not 0 < rest < rules.min_count


def test_same_population_cut_two_ways_with_a_few_units_left_out(rules: DisclosureRules) -> None:
    data = _households()
    data.loc[data.index[:3], "type"] = None  # 3 households without a known type
    register = ReleaseRegister(rules)
    by_wijk = frequency_table(data, "wijk", unit="uid", rules=rules)  # all 180
    register.release(by_wijk)
    by_type = frequency_table(data, "type", unit="uid", rules=rules)  # 177 with a type
    release = register.release(by_type)
    assert release.findings
    sets = _published_sets(by_wijk, data) + _published_sets(by_type, data.dropna(subset=["type"]))
    _assert_no_differencing(sets, rules.min_count)


def test_no_findings_when_populations_agree(rules: DisclosureRules) -> None:
    data = _households()
    register = ReleaseRegister(rules)
    by_wijk = frequency_table(data, "wijk", unit="uid", rules=rules)
    by_type = frequency_table(data, "type", unit="uid", rules=rules)
    register.release(by_wijk)
    assert register.release(by_type).findings == []
    assert not by_type.frame.isna().any().any()


def test_models_are_refused_not_changed(rules: DisclosureRules) -> None:
    data = _households()
    register = ReleaseRegister(rules)
    register.release(frequency_table(data, "wijk", unit="uid", rules=rules))
    model = check_model(
        name="m", n_obs=len(data) - 2, n_params=3, units=data.uid[2:].to_numpy(), rules=rules
    )
    with pytest.raises(UserFacingError, match="geweigerd"):
        register.release(model)


def test_a_table_checked_with_other_rules_is_refused(rules: DisclosureRules) -> None:
    import dataclasses

    other = dataclasses.replace(rules, version="iets-anders")
    register = ReleaseRegister(rules)
    with pytest.raises(UserFacingError, match="regels"):
        register.release(frequency_table(_households(), "wijk", rules=other))


def test_rules_with_the_same_version_but_another_checksum_are_refused(
    rules: DisclosureRules, tmp_path: Path
) -> None:
    from importlib import resources

    from bestaanszekerheid.disclosure.rules import DEFAULT_RULES_FILE

    packaged = resources.files("bestaanszekerheid.disclosure").joinpath("data", DEFAULT_RULES_FILE)
    text = packaged.read_text(encoding="utf-8")
    path = tmp_path / "eigen.toml"
    path.write_text(text.replace("value = 10\n", "value = 15\n", 1), encoding="utf-8")
    own = load_rules(path)
    assert own.version == rules.version and own.checksum != rules.checksum
    register = ReleaseRegister(rules)
    with pytest.raises(UserFacingError, match=f"sha256 {own.checksum[:12]}") as refused:
        register.release(frequency_table(_households(), "wijk", rules=own))
    assert "dezelfde regels" in str(refused.value)
    assert register.releases == []
    # An identical copy of the file is the same rules.
    path.write_text(text, encoding="utf-8")
    same = load_rules(path)
    register.release(frequency_table(_households(), "wijk", rules=same))


def test_rules_changed_in_code_are_refused(rules: DisclosureRules) -> None:
    import dataclasses

    changed = dataclasses.replace(rules, min_count=20)  # keeps the version and checksum
    register = ReleaseRegister(rules)
    with pytest.raises(UserFacingError, match="met andere waarden"):
        register.release(frequency_table(_households(), "wijk", rules=changed))


def test_all_tables_of_a_run_use_the_same_unit_ids(rules: DisclosureRules) -> None:
    data = _households()
    register = ReleaseRegister(rules)
    register.release(frequency_table(data, "wijk", unit="uid", rules=rules))
    with pytest.raises(UserFacingError, match="dezelfde identificatiekolom"):
        register.release(frequency_table(data, "type", rules=rules))  # row index as ids


def test_linked_tables_attack_that_no_pair_of_cells_shows(rules: DisclosureRules) -> None:
    """Table 1 (2x2 with totals) hides a rectangle around a cell of 3. Table 2 publishes a
    group that happens to be exactly the cell b×y. Then b×x = row b - 60 and a×x = column x -
    b×x = 3: no two cells differ by 1-9 units, but the linked LP over all counts finds it."""
    from scipy.optimize import linprog

    from tests.disclosure.conftest import population

    data = population({("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 50, ("b", "y"): 60})
    data["z"] = np.where((data.row == "b") & (data.col == "y"), "z1", "z2")
    register = ReleaseRegister(rules)
    first = frequency_table(data, "row", "col", unit="uid", rules=rules)
    register.release(first)
    assert first.frame.loc[["a", "b"], ["x", "y"]].isna().all().all()
    second = frequency_table(data, "z", unit="uid", margins=False, rules=rules)
    release = register.release(second)
    assert {f.kind for f in release.findings} == {"gekoppeld"}
    # independent attacker: unknowns ax, ay, bx, by >= 0 with every published equation
    f1, f2 = first.frame, second.frame["count"]
    eqs, rhs = [], []
    for name, coefs in {
        ("a", "Totaal"): [1, 1, 0, 0],
        ("b", "Totaal"): [0, 0, 1, 1],
        ("Totaal", "x"): [1, 0, 1, 0],
        ("Totaal", "y"): [0, 1, 0, 1],
    }.items():
        if not pd.isna(f1.loc[name]):
            eqs.append(coefs)
            rhs.append(f1.loc[name])
    for z, coefs in {"z1": [0, 0, 0, 1], "z2": [1, 1, 1, 0]}.items():
        if not pd.isna(f2.loc[z]):
            eqs.append(coefs)
            rhs.append(f2.loc[z])
    low = linprog([1, 0, 0, 0], A_eq=eqs, b_eq=rhs, bounds=(0, None)).fun
    high = -linprog([-1, 0, 0, 0], A_eq=eqs, b_eq=rhs, bounds=(0, None)).fun
    assert high - low >= rules.protection_width_counts


def test_linked_check_over_budget_is_logged_not_silent(rules: DisclosureRules) -> None:
    from bestaanszekerheid.disclosure import log_document
    from tests.disclosure.conftest import population

    data = population({("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 50, ("b", "y"): 60})
    data["z"] = np.where((data.row == "b") & (data.col == "y"), "z1", "z2")
    register = ReleaseRegister(rules, linked_max_work=0)
    register.release(frequency_table(data, "row", "col", unit="uid", rules=rules))
    release = register.release(frequency_table(data, "z", unit="uid", margins=False, rules=rules))
    assert release.findings == [] and "overgeslagen" in release.notes[0]
    assert log_document(register)["outputs"][1]["register_notes"] == release.notes


def test_a_class_that_nearly_coincides_with_a_cell_is_caught(rules: DisclosureRules) -> None:
    """The audit's case: a pensioner class (its size published) holds every AOW household;
    "67 jaar of ouder" has 2 more. Registered as known sets, the classes make the register
    hide "67+" (or AOW) instead of letting size x share give the 2 away."""
    n = 200
    data = pd.DataFrame({"uid": [f"H{i}" for i in range(n)]})
    data["inkomen"] = ["AOW"] * 60 + ["Loon"] * 140
    data["leeftijd"] = ["67+"] * 62 + ["<67"] * 138
    register = ReleaseRegister(rules)
    model = check_model(
        name="klassen",
        n_obs=n,
        class_counts={"1": 60, "2": 140},
        units=data.uid.to_numpy(),
        unit_sets={"klasse 1": data.uid[:60].to_numpy(), "klasse 2": data.uid[60:].to_numpy()},
        partition=True,
        rules=rules,
    )
    register.release(model)
    age = frequency_table(data, "leeftijd", unit="uid", rules=rules)
    release = register.release(age)
    assert np.isnan(age.frame.loc["67+", "count"])
    assert release.findings
    income = frequency_table(data, "inkomen", unit="uid", rules=rules)
    register.release(income)  # AOW equals class 1 exactly: nothing new to hide
    assert income.frame.loc["AOW", "count"] == 60
