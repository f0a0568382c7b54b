"""An existing charge as an order leaves it: the segments of the subscription's timeline it is
served in (`Piece`), each at one price, and how order actions cut, split and resume them (`Tracked`).

amend.py applies the order's actions to these; billing.py bills them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Mapping

from orderspec.body import as_dict
from orderspec.preview.charges import NotComputable
from orderspec.preview.plan import ChargeLine
from orderspec.preview.state import ExistingCharge, ExistingRatePlan


@dataclass
class Piece:
    """One segment of an existing charge after the order: [start, end) at one price; `with_term`:
    it ends when the term ends (wherever the order moves the term end)."""

    start: dt.date
    end: dt.date | None
    effective: Mapping[str, Any]
    with_term: bool


@dataclass
class Tracked:
    """An existing charge and its segments after the order."""

    charge: ExistingCharge
    rate_plan: ExistingRatePlan
    pieces: list[Piece]
    line: ChargeLine
    touched: bool = False
    suspended_at: dt.date | None = None
    ended: bool = False  # the order ends the charge (its MRR after the order is 0)

    def end_at(self, when: dt.date) -> None:
        """Nothing of the charge is served from `when` on."""
        kept = []
        for piece in self.pieces:
            if piece.start >= when:
                continue
            if piece.end is None or piece.end > when or piece.with_term:
                piece = replace(piece, end=when, with_term=False)
            kept.append(piece)
        self.pieces = kept
        self.ended = True

    def last_effective(self) -> Mapping[str, Any]:
        return self.pieces[-1].effective if self.pieces else self.charge.effective


def merge_update(effective: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """The charge after a chargeUpdate: its pricing and billing fields over the old ones, key by key."""
    merged = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in effective.items()}
    old_pricing = as_dict(effective.get("pricing"))
    new_pricing = as_dict(update.get("pricing"))
    for key, block in new_pricing.items():
        if key not in old_pricing:
            raise NotComputable(f"the update prices the charge as {key}, the subscription has it as "
                                f"{', '.join(old_pricing) or 'unpriced'}: a change of charge model is not modelled")
        merged["pricing"] = {key: {**as_dict(old_pricing[key]), **as_dict(block)}}
    if isinstance(update.get("billing"), Mapping):
        merged["billing"] = {**as_dict(effective.get("billing")), **update["billing"]}
    return merged
