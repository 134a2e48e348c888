"""An independent attacker on the published files of a run (issue 11).

``published`` reads a run directory into a neutral structure (tables, shares, bands, chart
data, texts); ``attacker`` tries to recover counts of 1..T-1 units from it. See README.md.
"""
