"""Ladder tables: levels as columns (rows = competencies) or as rows (columns = competencies).

- Title rows (one cell across the table) above the header are skipped.
- The level axis is the header row when most of its cells after the first look like levels, else the leading
  *identity* columns (cells short, no lists) when most of their cells look like levels; the title is the
  wordiest identity column, a level code column does not become a second title.
- A row whose only content cell spans every competency column is the level's summary (its years line fills
  years), not behaviors.
- An index table (no cell with a list, a sentence end or five words) lists levels but describes none: it
  gives no roles.
- Behaviors: the top-level items of a cell's lists, or one per non-empty cell without a list; empty,
  `&nbsp;`, `N/A`, `TODO` and "same as …" cells mean the competency is absent at that level. Repeated row
  labels are merged; rows empty at every level (category rows) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.parse.ladder import Behavior, Level, Rules, Tree, parse_years


@dataclass
class _Cell:
    idx: int
    row: int
    col: int
    span: int
    text: str


def _grid(tree: Tree, table: int) -> tuple[list[list[_Cell | None]], int]:
    """Rows of cells by column, spans expanded (a spanned position points to its cell)."""
    nodes = tree.nodes
    cells = []
    for r in tree.kids[table]:
        if nodes[r].kind != "row":
            continue
        for c in tree.kids[r]:
            n = nodes[c]
            if n.kind == "cell":
                cells.append((n.row or 0, n.col or 0, n.span, n.rowspan, c))
    if not cells:
        return [], 0
    nrows = max(r + rs for r, _, _, rs, _ in cells)
    ncols = max(c + s for _, c, s, _, _ in cells)
    if nrows * ncols > 200_000:
        return [], 0
    grid: list[list[_Cell | None]] = [[None] * ncols for _ in range(nrows)]
    for r, c, s, rs, idx in cells:
        cell = _Cell(idx, r, c, s, nodes[idx].text)
        for dr in range(rs):
            for dc in range(s):
                grid[r + dr][c + dc] = cell
    return grid, ncols


def _short(tree: Tree, cell: _Cell | None, rules: Rules) -> bool:
    """A cell that names rather than describes: no list, no sentence end, fewer than five words."""
    if cell is None or not cell.text:
        return True
    words = re.findall(r"[^\W\d_]{2,}", cell.text)
    return len(words) < 5 and not cell.text.rstrip().endswith((".", "!", ";")) and not tree.has(cell.idx, ("list",))


def _behaviors(tree: Tree, cell: _Cell | None, rules: Rules) -> list[Behavior]:
    if cell is None or rules.is_empty(cell.text):
        return []
    nodes = tree.nodes
    lists = []
    stack = list(tree.kids[cell.idx])
    while stack:  # the cell's outermost lists (not the lists nested in their items)
        k = stack.pop()
        if nodes[k].kind == "list":
            lists.append(k)
        elif nodes[k].kind != "item":
            stack.extend(tree.kids[k])
    if lists:
        out = []
        for lst in sorted(lists):
            for i in tree.items(lst):
                t = nodes[i].text
                if t and rules.is_statement(t):
                    out.append(Behavior(t, nodes[i].ref))
        return out
    if rules.is_years(cell.text):
        return []
    return [Behavior(cell.text, nodes[cell.idx].ref)]


def table_levels(tree: Tree, table: int, rules: Rules) -> tuple[list[Level], str] | None:
    """The levels a ladder table holds (with competencies and behaviors) and how it was read, or None."""
    grid, ncols = _grid(tree, table)
    if len(grid) < 2 or ncols < 2:
        return None
    # title rows: one cell across the whole table
    start = 0
    while start < len(grid) - 1 and len({id(c) for c in grid[start] if c is not None}) == 1:
        start += 1
    rows = grid[start:]
    header, body = rows[0], rows[1:]
    if not body:
        return None
    head_cells = [c for k, c in enumerate(header) if k > 0 and c is not None and (k == 0 or c is not header[k - 1])]
    col_like = [c for c in head_cells if rules.level_like(c.text)]
    # identity columns: leading columns whose body cells are all short
    years_cols = {k for k, h in enumerate(header) if h is not None and rules.is_years_header(h.text)}
    ident = 0
    while ident < ncols - 1 and all(_short(tree, row[ident], rules) for row in body):
        ident += 1
    if ident == ncols - 1 and all(_short(tree, row[ncols - 1], rules) for row in body):
        return None  # an index of levels: nothing but short cells
    firsts = [row[0] for row in body if row[0] is not None and row[0].text]
    uniq_firsts = list({id(c): c for c in firsts}.values())
    row_like = [c for c in uniq_firsts if rules.level_like(c.text)]
    if len(col_like) >= 2 and len(col_like) >= 0.6 * len(head_cells):
        return _levels_as_columns(tree, header, body, ncols, rules), "table header row"
    if ident >= 1 and len(row_like) >= 2 and len(row_like) >= 0.6 * len(uniq_firsts):
        return _levels_as_rows(tree, header, body, ncols, ident, years_cols, rules), "table rows"
    return None


def _levels_as_columns(tree: Tree, header: list, body: list, ncols: int, rules: Rules) -> list[Level]:
    nodes = tree.nodes
    levels: list[Level] = []
    cols: list[tuple[int, Level]] = []
    for k in range(1, ncols):
        c = header[k]
        if c is None or (k > 1 and c is header[k - 1]) or not c.text:
            continue
        lv = Level(title=c.text, ref=nodes[c.idx].ref)
        levels.append(lv)
        cols.append((k, lv))
    for row in body:
        label_cell = row[0]
        if label_cell is None or not label_cell.text:
            continue
        for k, lv in cols:
            cell = row[k]
            if cell is label_cell:
                continue
            found = _behaviors(tree, cell, rules)
            if found:
                lv.comp(label_cell.text, nodes[label_cell.idx].ref).behaviors.extend(found)
            elif cell is not None and rules.is_years(cell.text) and lv.years == (None, None):
                lv.years = parse_years(cell.text)
    return levels


def _levels_as_rows(
    tree: Tree, header: list, body: list, ncols: int, ident: int, years_cols: set[int], rules: Rules
) -> list[Level]:
    nodes = tree.nodes
    comp_cols = [
        (k, header[k]) for k in range(ident, ncols) if header[k] is not None and header[k].text and k not in years_cols
    ]
    by_key: dict[int, Level] = {}
    levels: list[Level] = []
    for row in body:
        cells = [row[k] for k in range(ident) if row[k] is not None and row[k].text]
        ids = [c for c in cells if c.col not in years_cols]
        if not ids:
            continue
        key = ids[0].idx
        lv = by_key.get(key)
        if lv is None:
            title_cell = max(ids, key=lambda c: (len(c.text.split()), -c.col))
            lv = Level(title=title_cell.text, ref=nodes[title_cell.idx].ref)
            lv.summary.extend(c.text for c in ids if c is not title_cell)
            by_key[key] = lv
            levels.append(lv)
        for k in years_cols:
            if row[k] is not None and row[k].text and lv.years == (None, None):
                lv.years = parse_years(row[k].text)
        content = [row[k] for k in range(ident, ncols)]
        distinct = {id(c) for c in content if c is not None and c.text}
        if len(distinct) == 1 and len(comp_cols) > 1 and all(c is content[0] for c in content):
            # one cell across every competency column: the level's summary
            cell = content[0]
            if cell is not None:
                for text in _item_and_para_texts(tree, cell.idx):
                    if rules.is_years(text):
                        if lv.years == (None, None):
                            lv.years = parse_years(text)
                    else:
                        lv.summary.append(text)
            continue
        for k, head in comp_cols:
            cell = row[k]
            if cell is None or (k > ident and cell is row[k - 1]):
                continue
            found = _behaviors(tree, cell, rules)
            if found:
                lv.comp(head.text, nodes[head.idx].ref).behaviors.extend(found)
            elif rules.is_years(cell.text) and lv.years == (None, None):
                lv.years = parse_years(cell.text)
    return levels


def _item_and_para_texts(tree: Tree, cell: int) -> list[str]:
    out = []
    stack = list(reversed(tree.kids[cell]))
    while stack:
        k = stack.pop()
        if tree.nodes[k].kind in ("para", "item") and tree.nodes[k].text:
            out.append(tree.nodes[k].text)
        stack.extend(reversed(tree.kids[k]))
    return out


def section_table(tree: Tree, table: int, rules: Rules) -> list[tuple[str | None, str, list[Behavior]]]:
    """A table inside one level's section: `(competency, ref, behaviors)` per row, the first cell naming the
    competency (a first row of short cells is the header); a one-column table is one unnamed group."""
    grid, ncols = _grid(tree, table)
    if not grid:
        return []
    rows = grid
    if len(rows) > 1 and all(_short(tree, c, rules) for c in rows[0]):
        rows = rows[1:]
    out: list[tuple[str | None, str, list[Behavior]]] = []
    for row in rows:
        first = row[0]
        if ncols == 1:
            out.append((None, tree.nodes[table].ref, _behaviors(tree, first, rules)))
            continue
        if first is None or not first.text:
            continue
        found: list[Behavior] = []
        for k in range(1, ncols):
            if row[k] is not None and row[k] is not row[k - 1]:
                found.extend(_behaviors(tree, row[k], rules))
        out.append((first.text, tree.nodes[first.idx].ref, found))
    return out
