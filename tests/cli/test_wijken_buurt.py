"""``bsz wijken --niveau buurt`` end to end, attacked from what it publishes.

One run of the command on 40.000 synthetic households (3 groups, 1 start; about 25 s on the
project's 2-core machine), the smallest demo-like file where Tilburg's buurt counts are
released. The attacker reads only ``wijken.xlsx`` and the public CBS hierarchy (a wijk is the
sum of its buurten, the city the sum of all) and bounds every hidden buurt count by LP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.optimize import linprog
from typer.testing import CliRunner

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.cli import app
from bestaanszekerheid.disclosure import load_rules
from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.target import select_target

runner = CliRunner()
#: The count tables the attacker reads, by the title in cell A1 of their sheet.
COUNTS = {
    "Alle huishoudens per wijk": (0, 1),  # target and other households
    "Doelgroep per wijk": (0,),
    "Alle huishoudens per buurt": (0, 1),
    "Doelgroep per buurt": (0,),
}
CODE = re.compile(r"(WK|BU)\d+|Totaal")


@dataclass
class Published:
    out: Path
    households: pd.DataFrame

    def html(self) -> str:
        return (self.out / "wijken.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    folder = tmp_path_factory.mktemp("wijken-buurt")
    households = generate_population(40_000, seed=5).households
    path = folder / "huishoudens.parquet"
    households.to_parquet(path)
    out = folder / "uit"
    args = ["wijken", "--input", str(path), "--out", str(out), "--niveau", "buurt"]
    args += ["--klassen", "3", "--starts", "1", "--bootstrap", "0", "--seed", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return Published(out, households)


def _read_counts(xlsx: Path) -> dict[str, dict[str, float | None]]:
    """Code -> published count (None: hidden) of each count table in the workbook."""
    tables: dict[str, dict[str, float | None]] = {}
    for ws in load_workbook(xlsx, read_only=True).worksheets[1:]:
        rows = list(ws.iter_rows(values_only=True))
        if not rows or rows[0][0] not in COUNTS:
            continue
        width = len(rows[4])
        values: dict[str, float | None] = {}
        for row in rows[5:]:
            code = next((v for v in row if isinstance(v, str) and CODE.fullmatch(v)), None)
            if code is not None:
                value = row[width - 1]
                values[code] = None if value in ("x", None) else float(value)  # type: ignore[arg-type]
        tables[str(rows[0][0])] = values
    return tables


def test_no_hidden_buurt_count_can_be_pinned_from_the_workbook(published: Published) -> None:
    catalog = tilburg()
    parent = catalog.parent()
    buurten = [b.code for b in catalog.buurten]
    tables = _read_counts(published.out / "wijken.xlsx")
    assert set(tables) == set(COUNTS)
    index = {(b, c): i for i, (b, c) in enumerate((b, c) for b in buurten for c in (0, 1))}
    rows, rhs = [], []
    for name, values in tables.items():
        for code, value in values.items():
            if value is None:
                continue
            if code == "Totaal":
                members = buurten
            elif code.startswith("WK"):
                members = [b for b in buurten if parent[b] == code]
            else:
                members = [code]
            row = np.zeros(len(index))
            for b in members:
                for c in COUNTS[name]:
                    row[index[(b, c)]] = 1
            rows.append(row)
            rhs.append(value)
    a_eq, b_eq = np.array(rows), np.array(rhs)
    households = published.households
    target = select_target(households, max_pct=130.0).households["household_id"]
    in_target = households["household_id"].isin(target)
    truth = {
        0: households[in_target].groupby("buurt_code").size(),
        1: households[~in_target].groupby("buurt_code").size(),
    }
    hidden = [b for b, v in tables["Doelgroep per buurt"].items() if v is None and b[:2] == "BU"]
    assert len(hidden) > 20  # the attack has something to attack
    min_count = load_rules().min_count
    small = 0
    for b in hidden:
        for c in (0, 1):
            goal = np.zeros(len(index))
            goal[index[(b, c)]] = 1
            low = linprog(goal, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs").fun
            high = -linprog(-goal, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs").fun
            true = float(truth[c].get(b, 0))
            assert low - 1e-6 <= true <= high + 1e-6, (b, c, true, low, high)
            if 0 < true < min_count:
                small += 1
                # Not pinned, and not even known to be small.
                assert high - low >= 1 - 1e-6 and high >= min_count - 1e-6, (b, c, low, high)
    assert small > 20


def test_buurt_maps_show_only_published_buurt_figures(published: Published) -> None:
    """The page has the target share per buurt and each group's index per buurt, as maps;
    every buurt count in the page's table rests on at least 10 households or is 'x'."""
    html = published.html()
    assert 'id="kaart-doelgroep-per-buurt"' in html and 'id="kaart-groep-buurt-1"' in html
    start = html.index('data-tabel="doelgroep-per-buurt"')
    table = html[start : html.index("</table>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    # one row per buurt with households in the file (the total is the table's foot)
    assert len(rows) == published.households["buurt_code"].nunique()
    min_count = load_rules().min_count
    hidden = 0
    for row in rows:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for text in cells[1:3]:
            if text == "x":
                hidden += 1
            else:
                assert int(text.replace(".", "")) >= min_count, cells
    assert hidden > 0
