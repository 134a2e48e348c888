"""Reading a ``bsz loting`` log into a pilot (pure part): real logs and tampered ones."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bestaanszekerheid.experiments import randomise
from bestaanszekerheid.web.evaluation.allocation_import import (
    AllocationImportError,
    read_allocation,
)

CODES = [f"K{i:03d}AB" for i in range(12)]


def _log(tmp_path: Path, codes=CODES, arms=("controle", "extra"), strata=True) -> tuple[str, str]:
    frame = pd.DataFrame(
        {"deelnemer": codes, "consulent": [f"C{i % 2 + 1}" for i in range(len(codes))]}
    )
    path = tmp_path / f"log-{len(list(tmp_path.iterdir()))}.jsonl"
    alloc = randomise(
        frame,
        unit="deelnemer",
        arms=list(arms),
        strata=["consulent"] if strata else [],
        seed=2026,
        log_path=path,
    )
    return path.read_text(encoding="utf-8"), alloc.log.head


def _read(text: str, head: str, **kw):
    args = {
        "arm_codes": ["controle", "extra"],
        "control_arm": "controle",
        "participants": CODES,
        **kw,
    }
    return read_allocation(text, head, **args)


def _problems(text: str, head: str, **kw) -> str:
    with pytest.raises(AllocationImportError) as info:
        _read(text, head, **kw)
    return " ".join(info.value.problems)


def test_a_real_log_gives_every_participant_its_arm_and_stratum(tmp_path: Path) -> None:
    text, head = _log(tmp_path)
    result = _read(text, head.upper() + "\n")  # typed in with capitals and a newline
    assert result.head == head and result.seed == 2026 and result.n_entries == 13
    assert set(result.assignments) == set(CODES)
    arms = [a.arm for a in result.assignments.values()]
    assert arms.count("controle") == arms.count("extra") == 6
    assert {a.stratum for a in result.assignments.values()} == {"C1", "C2"}
    assert result.design["arms"] == ["controle", "extra"]
    assert result.design["strata"] == ["consulent"]


def test_wrong_control_code_is_refused(tmp_path: Path) -> None:
    text, _head = _log(tmp_path)
    other = "0" * 63 + "1"
    text_problems = _problems(text, other)
    assert "controlecode" in text_problems and "Er is niets ingelezen" in text_problems


def test_an_edited_line_is_refused(tmp_path: Path) -> None:
    text, head = _log(tmp_path)
    lines = text.splitlines()
    entry = json.loads(lines[3])
    entry["arm"] = "extra" if entry["arm"] == "controle" else "controle"
    lines[3] = json.dumps(entry, ensure_ascii=False)
    problems = _problems("\n".join(lines), head)
    assert "Regel 4: inhoud is gewijzigd" in problems


def test_an_edited_line_with_recomputed_chain_fails_on_the_control_code(tmp_path: Path) -> None:
    # Whoever rewrites the whole chain gets a new head: the control code kept apart catches it.
    from bestaanszekerheid.experiments.allocation import _digest

    text, head = _log(tmp_path)
    entries = [json.loads(line) for line in text.splitlines()]
    entries[3]["arm"] = "extra" if entries[3]["arm"] == "controle" else "controle"
    prev = "0" * 64
    for e in entries:
        e["prev"] = prev
        e["hash"] = _digest(e)
        prev = e["hash"]
    rewritten = "\n".join(json.dumps(e) for e in entries)
    assert "De laatste hash wijkt af" in _problems(rewritten, head)
    # ... and with the new head it would be accepted: the chain itself is intact.
    assert _read(rewritten, prev).head == prev


def test_a_removed_line_is_refused(tmp_path: Path) -> None:
    text, head = _log(tmp_path)
    lines = text.splitlines()
    del lines[5]
    problems = _problems("\n".join(lines), head)
    assert "verwijst niet naar de vorige regel" in problems


def test_a_removed_last_line_is_caught_by_the_control_code(tmp_path: Path) -> None:
    text, head = _log(tmp_path)
    lines = text.splitlines()[:-1]
    assert "wijkt af" in _problems("\n".join(lines), head)


def test_not_json_is_refused_with_the_line_number(tmp_path: Path) -> None:
    text, head = _log(tmp_path)
    problems = _problems(text + "dit is geen json\n", head)
    assert "Regel 14" in problems and "JSON" in problems
    assert "leeg" in _problems("\n\n", head)


def test_an_extra_unit_and_a_missing_participant_are_named(tmp_path: Path) -> None:
    text, head = _log(tmp_path, codes=[*CODES[1:], "VREEMD99"])
    problems = _problems(text, head)
    assert "niet bij deze pilot horen: VREEMD99" in problems
    assert f"niet in de loting staan: {CODES[0]}" in problems
    assert "Download de lijst opnieuw" in problems


def test_a_participant_who_stopped_is_named_apart(tmp_path: Path) -> None:
    text, head = _log(tmp_path)
    problems = _problems(text, head, participants=CODES[1:], stopped=[CODES[0]])
    assert f"met de pilot gestopt zijn voordat de loting werd ingelezen: {CODES[0]}" in problems
    assert "niet bij deze pilot horen" not in problems


def test_other_arms_are_named(tmp_path: Path) -> None:
    text, head = _log(tmp_path, arms=("controle", "coaching"))
    problems = _problems(text, head)
    assert "niet in de loting staan: extra" in problems
    assert "die de pilot niet heeft: coaching" in problems


def test_control_arm_must_come_first(tmp_path: Path) -> None:
    text, head = _log(tmp_path, arms=("extra", "controle"))
    problems = _problems(text, head)
    assert "eerste arm van de loting is extra" in problems and "controlearm" in problems


def test_many_unknown_codes_are_shortened(tmp_path: Path) -> None:
    others = [f"Z{i:03d}QQ" for i in range(12)]
    text, head = _log(tmp_path, codes=others, strata=False)
    problems = _problems(text, head)
    assert "en nog 7" in problems


def test_a_pilot_without_participants_is_refused(tmp_path: Path) -> None:
    text, head = _log(tmp_path)
    assert "nog geen deelnemers" in _problems(text, head, participants=[])
