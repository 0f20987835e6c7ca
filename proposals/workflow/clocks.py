"""What the clocks do when nobody acts: an assignment not signed for in time counts as received
(视为签收), a co-handler that does not answer a 会签 in time counts as agreeing (视为同意), and
follow-up commitments remind their agency 30 and 7 days before they are due.

`tick(today)` runs every rule once and is idempotent: each rule records what it did as a handling
event, so a second run the same day finds nothing left to do. `manage.py tick_clocks` runs it;
`make run` runs that command every few minutes beside the portal, a deployment from cron.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

# Each rule takes today's date and returns how many things it recorded. The stages register
# theirs here (签收, 会签, 跟踪办理) so the command and the tests run them all in one order.
RULES: list[tuple[str, Callable[[datetime.date], int]]] = []


def rule(label: str):
    """Register a clock rule under its Chinese label (printed by the command)."""

    def register(function: Callable[[datetime.date], int]):
        RULES.append((label, function))
        return function

    return register


def tick(today: datetime.date | None = None) -> dict[str, int]:
    """Run every rule for `today` (default: today in 随州); returns what each recorded."""
    today = today or timezone.localdate()
    return {label: function(today) for label, function in RULES}
