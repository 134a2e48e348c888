"""A synthetic population with planted groups, a fitted model and its profiles (once)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from bestaanszekerheid.disclosure import ReleaseRegister
from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.pipeline import DEFAULT_INDICATORS
from bestaanszekerheid.profiles import ProfileSet, build_profiles
from bestaanszekerheid.segments import LatentClassModel
from bestaanszekerheid.target import select_target


@dataclass
class Planted:
    households: pd.DataFrame  # target group, with the planted truth in column "planted"
    X: pd.DataFrame
    model: LatentClassModel
    profiles: ProfileSet
    register: ReleaseRegister


def indicator_frame(data: pd.DataFrame) -> pd.DataFrame:
    X = data[list(DEFAULT_INDICATORS)].copy()
    for name, kind in DEFAULT_INDICATORS.items():
        if kind == "categorical":
            X[name] = X[name].astype("object").where(X[name].notna(), None)
        else:
            X[name] = pd.to_numeric(X[name], errors="coerce").astype("float64")
    return X


@pytest.fixture(scope="session")
def planted() -> Planted:
    pop = generate_population(40_000, seed=3)
    target = select_target(pop.households, max_pct=130.0)
    data = target.households.reset_index(drop=True)
    truth = pop.truth.set_index("household_id")["planted_group"]
    data["planted"] = truth.loc[data["household_id"]].to_numpy()
    X = indicator_frame(data)
    model = LatentClassModel(
        n_classes=7, indicators=DEFAULT_INDICATORS, n_init=3, random_state=0
    ).fit(X)
    register = ReleaseRegister()
    profiles = build_profiles(
        data.drop(columns=["planted"]),
        model,
        X,
        register=register,
        n_bootstrap=30,
        population="test",
    )
    return Planted(data, X, model, profiles, register)
