"""The defaults of a run that a user can change, one value each.

The library (:func:`bestaanszekerheid.target.select_target`,
:class:`bestaanszekerheid.pipeline.AnalysisOptions`) and the ``bsz`` options both refer to
these, so ``bsz analyse``, ``bsz segmenteer`` and a call from Python start from the same choices.
This module imports nothing: the command line reads it to show defaults in ``--help`` without
loading pandas.
"""

from __future__ import annotations

#: The target group: households at or below this percentage of the social minimum.
DEFAULT_MAX_PCT = 130.0
#: The highest threshold a run accepts (ten times the social minimum): beyond it the "target
#: group" would be everybody.
MAX_PCT_LIMIT = 1000.0
#: Numbers of latent classes to try (2..8: one class is no segmentation).
DEFAULT_CLASSES: tuple[int, ...] = tuple(range(2, 9))
#: Random starts per latent class model.
DEFAULT_N_INIT = 5
#: Bootstrap refits for the stability of the classes (0: no stability check): enough for a
#: median and a 10-90% range; warm-started, they cost less than a fit each (ADR 0011).
DEFAULT_N_BOOTSTRAP_STABILITY = 20
#: The outreach planner's door budget: households a team can visit (the pilot rang doorbells
#: in two districts; about 2,000 doors is a few months of a small team's work).
DEFAULT_DOORS = 2000
#: A group lives "relatively often" in an area from this index on (its share there over its
#: share in the whole target group): the lower bound of the maps' class "vaker", and the
#: cut-off of every text that names such areas. Symmetric on a log scale with 0,8.
OVER_REPRESENTED = 1.25
#: Expected households of a group that an area needs before any text or map names it as one
#: where the group lives relatively often: a high index over a dozen households is no place
#: to start (the summary, the group pages, the cards and the maps use this one rule).
MIN_TOP_REACH = 20
