"""Complete-linkage clustering: a form joins a cluster only if it matches every member (no chaining)."""

from __future__ import annotations


def complete_linkage(n: int, edges: dict[tuple[int, int], float]) -> tuple[list[list[int]], list[tuple[int, int]]]:
    """Clusters of 0..n-1 in which every two members share an edge; also the edges refused for that reason.

    Edges are taken best score first, ties by (i, j); two clusters join only if every cross pair is an edge.
    `complete_linkage(3, {(0, 1): 90, (1, 2): 95})` -> `([[0], [1, 2]], [(0, 1)])`: 1 and 2 join first, and 0
    cannot join them because (0, 2) is no edge.
    """
    label = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    refused: list[tuple[int, int]] = []
    for (i, j), _ in sorted(edges.items(), key=lambda kv: (-kv[1], kv[0])):
        ci, cj = label[i], label[j]
        if ci == cj:
            continue
        mi, mj = members[ci], members[cj]
        if all(((x, y) if x < y else (y, x)) in edges for x in mi for y in mj):
            keep, drop = (ci, cj) if ci < cj else (cj, ci)
            members[keep] = sorted(members[keep] + members.pop(drop))
            for x in members[keep]:
                label[x] = keep
        else:
            refused.append((i, j))
    return [members[k] for k in sorted(members)], refused
