"""Canonical levels: place every role on the IC ladder (IC1, IC2, ...) or the management ladder (M1, ...).

First version: menu order within each path of a track. Roles of different tracks line up by position.
"""

from __future__ import annotations

from .models import LevelAssignment, ParsedRole

_PREFIX = {"ic": "IC", "management": "M"}


def assign_levels(track: str, roles: list[ParsedRole], role_ids: dict[str, str]) -> list[LevelAssignment]:
    """`[Associate (ic), CSM (ic), Team Lead (management)]` -> `IC1, IC2, M1` (menu order within a path)."""
    out: list[LevelAssignment] = []
    seen = {"ic": 0, "management": 0}
    for role in sorted(roles, key=lambda r: r.order):
        seen[role.path] += 1
        out.append(
            LevelAssignment(
                track=track,
                role=role.title,
                role_id=role_ids[role.title],
                path=role.path,
                level=f"{_PREFIX[role.path]}{seen[role.path]}",
                basis="menu order",
            )
        )
    return out
