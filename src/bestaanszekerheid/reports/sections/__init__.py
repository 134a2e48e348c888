"""The sections of the run's report, one module each; :func:`..build.build_report` composes them.

Each module arranges results that were computed and checked before the report (ADR 0040):
:mod:`.summary`, :mod:`.target`, :mod:`.model`, :mod:`.groups` (the groups side by side),
:mod:`.group` (one page per group), :mod:`.methods` and :mod:`.appendix` (the disclosure
appendix, also used by the experiment's section). Shared helpers are in :mod:`.common`.
"""
