"""Recept: het bestaanszekerheid-huishoudbestand bouwen uit CBS-microdata (één verslagjaar).

Illustrative script for CBS Remote Access (Windows, pandas + pyreadstat). It cannot be run
outside RA and has never been run against real CBS files: read docs/cbs_mapping.md first, check
every line marked `# CHECK:` against the CBS documentation, and adapt the paths. Nothing this
script writes may leave RA; only checked aggregates made by the toolkit can be requested as output.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from bestaanszekerheid.households import COLUMNS, read_households, write_households

# ---------------------------------------------------------------- settings: pas aan -----------
JAAR = 2022  # verslagjaar (income year)
WB_INDELING = 2024  # one wijk/buurt classification year for every household (as the area file)
GEMEENTE = "0855"  # Tilburg
PEILDATUM = f"{JAAR + 1}0101"  # CHECK: INHATAB composition date (31 Dec JAAR / 1 Jan JAAR+1)
SCHULD_PEILDATUM = f"{JAAR + 1}0101"  # CHECK: dates available in the debt file
G = Path("G:/")  # voorbeeldpaden, pas aan (use the "Geconverteerde bestanden" .parquet if faster)
BESTANDEN = {
    "inha": G / "InkomenBestedingen/INHATAB",  # INHA{jaar}TABV{n}
    "koppel": G / "InkomenBestedingen/KOPPELPERSOONHUISHOUDEN",
    "persoon": G / "Bevolking/GBAPERSOONTAB",
    "adres": G / "Bevolking/GBAADRESOBJECTBUS",
    "gwb": G / "BouwenWonen/VSLGWBTAB",
    "huishouden": G / "Bevolking/GBAHUISHOUDENSBUS",
    "opl": G / f"Onderwijs/HOOGSTEOPLTAB/{JAAR}",
    "polis": G / f"Spolis/SPOLISBUS/{JAAR}",
    "zvw": G / "GezondheidWelzijn/ZVWZORGKOSTENTAB",
    "eigendom": G / "BouwenWonen/EIGENDOMTAB",
    "schuld": G / "Maatwerk/SCHULDEN",  # CHECK: name and folder of the debt file in your project
}
UITVOER = Path("H:/bestaanszekerheid/huishoudens_cbs.parquet")  # stays inside RA
EIGEN_RISICO = {2013: 350, 2014: 360, 2015: 375, **{y: 385 for y in range(2016, 2027)}}  # CHECK

# INHBBIHJ code -> income_source (codes and labels in docs/cbs_mapping.md)
BRON = {11: "work", 12: "work", 13: "self_employed", 14: "self_employed", 21: "other_benefit",
        22: "social_assistance", 23: "other_benefit", 24: "other_benefit",
        25: "state_pension", 26: "other", 30: "other", 99: "other"}
PAAR = {21, 22, 31, 32, 33, 51, 52, 53, 54}  # INHSAMHH codes with a partner of the main earner
EENOUDER = {41, 42, 43, 55, 56, 57}  # INHSAMHH single-parent codes  # CHECK: codes
OBJ = ["SOORTOBJECTNUMMER", "RINOBJECTNUMMER"]  # address object key


def nieuwste(folder: Path, pattern: str) -> Path:
    """Latest year, highest version V<n>, compared as numbers (as text, V9 would beat V10)."""
    files = [p for p in folder.rglob("*") if p.suffix.lower() in (".sav", ".parquet")
             and re.search(pattern, p.name, re.IGNORECASE)]
    if not files:
        raise SystemExit(f"Geen bestand '{pattern}' gevonden in {folder}: pas het pad aan.")
    return max(files, key=lambda p: tuple(int(n) for n in re.findall(r"\d+", p.stem)))


def lees(path: Path, cols: list[str], keep: set[str] | None = None, on: str = "RINPERSOON",
         labels: bool = False, optional: bool = False) -> pd.DataFrame:
    """Read only `cols` (case-insensitive names); keep rows whose key `on`S + `on` is in `keep`."""
    parquet = path.suffix.lower() == ".parquet"
    if parquet:
        import pyarrow.parquet as pq
        names = pq.read_schema(path).names
    else:
        names = pyreadstat.read_sav(str(path), metadataonly=True)[1].column_names
    lookup = {n.upper(): n for n in names}
    missing = [c for c in cols if c.upper() not in lookup]
    if missing and not optional:
        raise SystemExit(f"Kolommen {missing} ontbreken in {path.name}: zie de CBS-documentatie.")
    real = [lookup[c.upper()] for c in cols if c.upper() in lookup]
    if parquet:
        chunks = [pd.read_parquet(path, columns=real)]
    else:
        chunks = (c for c, _ in pyreadstat.read_file_in_chunks(
            pyreadstat.read_sav, str(path), chunksize=2_000_000, usecols=real,
            apply_value_formats=labels))
    out = []
    for chunk in chunks:
        chunk.columns = [c.upper() for c in chunk.columns]
        for c in [c for c in chunk.columns if c.startswith("RINPERSOON")]:
            # RIN numbers are text with leading zeros; a numeric read loses them.
            chunk[c] = chunk[c].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
            if c in ("RINPERSOON", "RINPERSOONHKW"):
                chunk[c] = chunk[c].str.zfill(9)
        if keep is not None:
            s = on.replace("RINPERSOON", "RINPERSOONS", 1)  # ...HKW -> ...SHKW
            chunk = chunk[(chunk[s].astype(str) + chunk[on]).isin(keep)]
        out.append(chunk)
    print(f"Gelezen: {path.name} ({sum(len(c) for c in out):,} rijen)")
    return pd.concat(out, ignore_index=True)


def pk(df: pd.DataFrame, s: str = "RINPERSOONS", r: str = "RINPERSOON") -> pd.Series:
    return df[s].astype(str) + df[r]  # only the combination identifies a person


def leeftijd(jaar: pd.Series, maand: pd.Series, datum: str) -> pd.Series:
    # Birth day is often not supplied: treat as the 1st of the month.  # CHECK: GBAGEBOORTEDAG
    y, m = int(datum[:4]), int(datum[4:6])
    jaar, maand = pd.to_numeric(jaar, errors="coerce"), pd.to_numeric(maand, errors="coerce")
    return y - jaar - (maand > m).astype(int)


def op_datum(df: pd.DataFrame, begin: str, eind: str, datum: str) -> pd.DataFrame:
    """Spells (begin..end as YYYYMMDD) that cover `datum`; one per person (the latest start)."""
    b, e = df[begin].astype(str).str[:8], df[eind].astype(str).str[:8]
    df = df[(b <= datum) & (e >= datum)].sort_values(begin)
    return df.drop_duplicates(["RINPERSOONS", "RINPERSOON"], keep="last")


def inkomen_jaar(jaar: int, personen: set[str]) -> pd.DataFrame:
    """Person key -> INHARMSOC of the household each of `personen` belonged to in `jaar`."""
    inha = lees(nieuwste(BESTANDEN["inha"], rf"INHA{jaar}TABV\d+"),
                ["RINPERSOONSHKW", "RINPERSOONHKW", "INHARMSOC"])
    kop = lees(nieuwste(BESTANDEN["koppel"], rf"KOPPELPERSOONHUISHOUDEN{jaar}"),
               ["RINPERSOONS", "RINPERSOON", "RINPERSOONSHKW", "RINPERSOONHKW"], keep=personen)
    kop = kop.merge(inha, on=["RINPERSOONSHKW", "RINPERSOONHKW"])
    pct = pd.to_numeric(kop["INHARMSOC"], errors="coerce")
    return pd.DataFrame({"pkey": pk(kop), "harmsoc": pct})


# ---- 1. households: INHATAB, private households with observed income, no student households ---
inha = lees(nieuwste(BESTANDEN["inha"], rf"INHA{JAAR}TABV\d+"),
            ["RINPERSOONSHKW", "RINPERSOONHKW", "INHPOPIIV", "INHBESTINKH", "INHARMSOC",
             "INHBBIHJ", "INHEHALGR", "INHSAMHH", "INHAHL"])
# CHECK: INHPOPIIV 1 = private household with observed income, not a student household
inha = inha[pd.to_numeric(inha["INHPOPIIV"], errors="coerce") == 1]
inha["hkw"] = pk(inha, "RINPERSOONSHKW", "RINPERSOONHKW")

# ---- 2. the main earner's address on the peildatum -> wijk/buurt; then the members ----------
adres = lees(nieuwste(BESTANDEN["adres"], r"GBAADRESOBJECT\d{4}BUSV\d+"),
             ["RINPERSOONS", "RINPERSOON", "GBADATUMAANVANGADRESHOUDING",
              "GBADATUMEINDEADRESHOUDING", *OBJ], keep=set(inha["hkw"]))
adres = op_datum(adres, "GBADATUMAANVANGADRESHOUDING", "GBADATUMEINDEADRESHOUDING", PEILDATUM)
adres["hkw"] = pk(adres)
# CHECK: the newest VSLGWB file must hold the columns of classification year WB_INDELING
gwb = lees(nieuwste(BESTANDEN["gwb"], r"VSLGWB\d{4}TAB03V\d+"),
           [*OBJ, *(f"{x}{WB_INDELING}" for x in ("GEM", "WC", "BC"))])
gwb = gwb[gwb[f"GEM{WB_INDELING}"].astype(str).str[-4:].str.zfill(4) == GEMEENTE]
adres = adres.merge(gwb, on=OBJ)  # inner join: only addresses in this municipality
digits = lambda s, n: s.astype(str).str.replace(r"\D", "", regex=True).str.zfill(n)  # noqa: E731
adres["wijk_code"] = "WK" + digits(adres[f"WC{WB_INDELING}"], 6)  # CHECK: stored with/without "WK"?
adres["buurt_code"] = "BU" + digits(adres[f"BC{WB_INDELING}"], 8)
hh = inha.merge(adres[["hkw", "wijk_code", "buurt_code", *OBJ]], on="hkw")
kop = lees(nieuwste(BESTANDEN["koppel"], rf"KOPPELPERSOONHUISHOUDEN{JAAR}"),  # same year as INHATAB
           ["RINPERSOONS", "RINPERSOON", "RINPERSOONSHKW", "RINPERSOONHKW"],
           keep=set(hh["hkw"]), on="RINPERSOONHKW")
kop["pkey"], kop["hkw"] = pk(kop), pk(kop, "RINPERSOONSHKW", "RINPERSOONHKW")
leden = set(kop["pkey"])
print(f"Huishoudens in gemeente {GEMEENTE}: {len(hh):,}; personen: {len(leden):,}")

# ---- 3. persons: age, herkomst; composition of each household -------------------------------
pers = lees(nieuwste(BESTANDEN["persoon"], r"GBAPERSOON(TAB)? ?\d{4}"),
            ["RINPERSOONS", "RINPERSOON", "GBAGEBOORTEJAAR", "GBAGEBOORTEMAAND", "GBAHERKOMSTLAND"],
            keep=leden)  # CHECK: GBAHERKOMSTLAND exists in newer versions only
pers["pkey"] = pk(pers)
kop = kop.merge(pers.drop(columns=["RINPERSOONS", "RINPERSOON"]), on="pkey", how="left")
kop["is_hkw"] = kop["pkey"] == kop["hkw"]
kop["age"] = leeftijd(kop["GBAGEBOORTEJAAR"], kop["GBAGEBOORTEMAAND"], PEILDATUM)
kop["adult"] = kop["is_hkw"] | (kop["age"] >= 18)
kop["child"] = ~kop["adult"]
samen = kop.groupby("hkw").agg(n_adults=("adult", "sum"), n_children=("child", "sum"))
samen["age_youngest_child"] = kop[kop["child"]].groupby("hkw")["age"].min().astype("Int64")
hoofd = kop[kop["is_hkw"]].set_index("hkw")
samen["age_main_earner"] = leeftijd(hoofd["GBAGEBOORTEJAAR"], hoofd["GBAGEBOORTEMAAND"],
                                     f"{JAAR}0101")  # schema: on 1 January of the year
land = hoofd["GBAHERKOMSTLAND"].astype(str).str.strip()
# CHECK: Dutch country code (6030) and the continent per country: take the Europe list from
# LANDAKTUEELREF (K:/Utilities/Code_Listings/SSBreferentiebestanden); this set is a placeholder.
EUROPA: set[str] = set()  # fill from LANDAKTUEELREF, e.g. codes with werelddeel 'Europa'
if not EUROPA:
    print("Let op: EUROPA is leeg; herkomst buiten Nederland wordt 'unknown'. Vul EUROPA in.")
samen["migration_background"] = pd.Series(np.select(
    [land.isin(["", "nan", "----", "0000", "-"]), land == "6030", land.isin(EUROPA)],
    ["unknown", "netherlands", "europe"], "outside_europe" if EUROPA else "unknown"),
    index=land.index)
hh = hh.merge(samen, left_on="hkw", right_index=True)

# Cross-check with GBAHUISHOUDENSBUS (a different household concept: HUISHOUDNR, TYPHH).
gbahh = lees(nieuwste(BESTANDEN["huishouden"], r"GBAHUISHOUDENS\d{4}BUSV\d+"),
             ["RINPERSOONS", "RINPERSOON", "DATUMAANVANGHH", "DATUMEINDEHH", "TYPHH"],
             keep=set(hh["hkw"]))
gbahh = op_datum(gbahh, "DATUMAANVANGHH", "DATUMEINDEHH", PEILDATUM)
print("Controle TYPHH (GBAHUISHOUDENSBUS) tegen INHSAMHH, alleen binnen RA bekijken:")
print(pd.crosstab(hh.set_index("hkw")["INHSAMHH"], gbahh.set_index(pk(gbahh))["TYPHH"]).to_string())

# ---- 4. household type, income, tenure ---------------------------------------------------------
samenstelling = pd.to_numeric(hh["INHSAMHH"], errors="coerce")
partner = samenstelling.isin(PAAR)
eenouder = samenstelling.isin(EENOUDER) | (hh.n_adults == 1)
# Adult children at home count as adults; the type needs at least one minor child.
hh["household_type"] = np.select(
    [(hh.n_adults == 1) & (hh.n_children == 0), ~partner & eenouder & (hh.n_children > 0),
     partner & (hh.n_adults == 2) & (hh.n_children == 0), partner & (hh.n_children > 0)],
    ["single", "single_parent", "couple_no_children", "couple_with_children"], "other")
hh["income_source"] = pd.to_numeric(hh["INHBBIHJ"], errors="coerce").map(BRON).fillna("other")
besteedbaar = pd.to_numeric(hh["INHBESTINKH"], errors="coerce")
besteedbaar = besteedbaar.mask(besteedbaar >= 9_999_999_999)  # CHECK: missing-value code
hh["net_income_month"] = (besteedbaar.clip(lower=0) / 12).round(2)  # CBS definition, see docs
harmsoc = pd.to_numeric(hh["INHARMSOC"], errors="coerce")
hh["pct_social_minimum_cbs"] = harmsoc.where(harmsoc >= 0)  # negative codes = missing
ehal = pd.to_numeric(hh["INHEHALGR"], errors="coerce")  # 1 eigen, 2 huur, 3 huur + huurtoeslag
hh["rent_allowance"] = ehal.map({1: False, 2: False, 3: True}).astype("boolean")
eig = lees(nieuwste(BESTANDEN["eigendom"], rf"EIGENDOM{JAAR}"),
           [*OBJ, "TypeEigenaar"], labels=True)
eig["corp"] = eig["TYPEEIGENAAR"].astype(str).str.contains("corporatie", case=False)  # CHECK: label
hh = hh.merge(eig.drop_duplicates(OBJ)[[*OBJ, "corp"]], on=OBJ, how="left")
huur = ehal.isin([2, 3]).to_numpy()
hh["tenure"] = np.select([ehal.to_numpy() == 1, huur & (hh["corp"] == True).to_numpy(),  # noqa: E712
                          huur & (hh["corp"] == False).to_numpy()],  # noqa: E712
                         ["owner", "social_rent", "private_rent"], None)

# ---- 5. education of the main earner (SOI 2021: first digit 1/2/3 = laag/middelbaar/hoog) ------
opl = lees(nieuwste(BESTANDEN["opl"], rf"HOOGSTEOPL{JAAR}TABV\d+"),
           ["RINPERSOONS", "RINPERSOON", "OPLNIVSOI2021AGG4HBmetNIRWO"], keep=set(hh["hkw"]))
niveau = opl.set_index(pk(opl))["OPLNIVSOI2021AGG4HBMETNIRWO"].astype(str).str[0]  # CHECK: codes
niveau = niveau[~niveau.index.duplicated()].map({"1": "low", "2": "middle", "3": "high"})
hh["education"] = hh["hkw"].map(niveau).fillna("unknown")

# ---- 6. hours (SPOLISBUS), debts, care costs: any adult member --------------------------------
volw = kop[kop["adult"]]
polis = lees(nieuwste(BESTANDEN["polis"], rf"SPOLISBUS ?{JAAR}"),
             ["RINPERSOONS", "RINPERSOON", "SBASISUREN"], keep=set(volw["pkey"]))
uren = pd.to_numeric(polis["SBASISUREN"], errors="coerce").groupby(pk(polis)).sum() / 52.18
per_hh = volw.assign(u=volw["pkey"].map(uren).fillna(0)).groupby("hkw")["u"].sum()
hh["hours_worked"] = hh["hkw"].map(per_hh).clip(upper=200).round(1)  # self-employed: no hours

vlag = f"smalle_def_problematische_schulden_HH_{SCHULD_PEILDATUM}"  # CHECK: exact column name
schuld = lees(nieuwste(BESTANDEN["schuld"], r"SCHULD.*"), ["RINPERSOONS", "RINPERSOON", vlag],
              keep=leden)
met_schuld = set(pk(schuld)[pd.to_numeric(schuld[vlag.upper()], errors="coerce") == 1])
hh["problematic_debts"] = hh["hkw"].isin(set(kop.loc[kop["pkey"].isin(met_schuld), "hkw"]))

vrij = ["ZVWKHUISARTS", "ZVWKWYKVERPLEGING", "ZVWKGEBOORTEZORG"]  # no deductible; CHECK per year
zvw = lees(nieuwste(BESTANDEN["zvw"], rf"ZVWZORGKOSTEN{JAAR}"),
           ["RINPERSOONS", "RINPERSOON", "ZVWKTOTAAL", *vrij], keep=set(volw["pkey"]),
           optional=True)
vrijgesteld = zvw[[c for c in vrij if c in zvw]].clip(lower=0).sum(axis=1)
kosten = zvw["ZVWKTOTAAL"].astype(float) - vrijgesteld
hoog = set(pk(zvw)[kosten > EIGEN_RISICO[JAAR]])
hh["high_care_costs"] = hh["hkw"].isin(set(volw.loc[volw["pkey"].isin(hoog), "hkw"]))

# ---- 7. low_income_years: years JAAR-4..JAAR with 0 < INHARMSOC <= 110 (main earner's household)
hh["low_income_years"] = 0
for j in range(JAAR - 4, JAAR + 1):
    pct = inkomen_jaar(j, set(hh["hkw"])).drop_duplicates("pkey").set_index("pkey")["harmsoc"]
    laag = hh["hkw"].map(pct)
    hh["low_income_years"] += ((laag > 0) & (laag <= 110)).astype(int)  # missing year counts 0

# ---- 8. assemble, anonymise, write, validate --------------------------------------------------
hh["year"], hh["synthetic"] = JAAR, False
# debt_assistance and uses_*: not in standard CBS microdata (see docs); add them only from a
# component file or a municipal file linked by CBS, never by hand.
weg = int((~(hh["age_main_earner"] >= 15)).sum())
print(f"Weggelaten zonder geldige leeftijd hoofdkostwinner: {weg:,}")
hh = hh[hh["age_main_earner"] >= 15].sample(frac=1).reset_index(drop=True)  # shuffle: no RIN order
hh["household_id"] = (hh.index + 1).astype(str)  # fresh sequence number, never the RIN
uit = hh[[c.name for c in COLUMNS if c.name in hh.columns]]
write_households(uit, UITVOER, metadata={
    "description": f"CBS-microdata {JAAR}, gemeente {GEMEENTE}, wijkindeling {WB_INDELING}",
    "synthetic": False})
gecontroleerd = read_households(UITVOER)
print(f"Klaar: {len(gecontroleerd):,} huishoudens in {UITVOER} (blijft binnen Remote Access).")
