"""Demo personal honesty scores: the demo district's natural persons scored under the ``honesty`` model as of the
last ``MONTHS`` month-ends and today (through ``incentives.scoring.run``, one audit event each), so ``/my/score``
shows a history and ``/personal-scores`` a distribution at once. Deterministic: the scores are a function of the
planted data and the days (``seed`` is accepted for the common ``plant_<area>(ctx, seed)`` shape). The caller
commits; returns how many persons the current run scored.
"""

from __future__ import annotations

from xinyong.auth.context import Context
from xinyong.evaluation.validation import last_month_ends
from xinyong.incentives import scoring

MONTHS = 3


def plant_scores(ctx: Context, seed: int) -> int:
    """Score every natural person as of the last ``MONTHS`` month-ends, then today (the current run)."""
    days = [d for d in last_month_ends(ctx.today, MONTHS) if d < ctx.today]
    for day in sorted(days):
        scoring.run(ctx, day)
    return scoring.run(ctx, ctx.today).persons
