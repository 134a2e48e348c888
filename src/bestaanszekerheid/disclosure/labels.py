"""Labels of checked tables and the reason ids (with their Dutch texts) the output log uses."""

from __future__ import annotations

TOTAL = "Totaal"
SUPPRESSED_MARK = "x"
TOTAL_LABEL = {"nl": "Totaal", "en": "Total"}

# Rule ids used in statuses and the log, and the rule in the TOML file that defines each one.
RULE_OF_REASON = {
    "min_count": "min_count",
    "zeros": "zeros_are_disclosive",
    "group_all": "group_disclosure",
    "dominance": "dominance_n",
    "p_percent": "p_percent",
    "percentile": "percentile_min_side",
    "differencing": "differencing",
}
REASON_NL = {
    "min_count": "minder dan {min_count} eenheden",
    "zeros": "lege cel: niemand in de groep (groepsonthulling)",
    "group_all": "iedereen in de groep heeft dezelfde waarde (groepsonthulling)",
    "dominance": "dominantie: {dominance_n} grootste bijdragen >= {dominance_k}%",
    "p_percent": "p%-regel ({p_percent}%)",
    "percentile": "percentiel is (bijna) de waarde van een enkele eenheid",
    "differencing": "verschil met eerder gepubliceerde uitvoer zou een kleine groep onthullen",
    "secondary": "secundair: zou anders via totalen terug te rekenen zijn",
}
STAT_LABEL = {
    "nl": {"count": "aantal", "sum": "som", "mean": "gemiddelde", "percentage": "percentage"},
    "en": {"count": "count", "sum": "sum", "mean": "mean", "percentage": "percentage"},
}
