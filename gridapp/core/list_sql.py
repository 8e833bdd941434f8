"""How a ListSpec becomes SQL: only the joins a query needs, searches as subqueries, windows of row ids.

A list's FROM clause is its base table followed by joins, each to at most one row (``alias.id = …``).
A join that nothing in a query refers to is left out when it cannot change which base rows there are:
a LEFT JOIN, or an inner join along a foreign key that is never null. So counting a 500,000-row
list, or ordering it by a column of its base table, touches one or two tables instead of five.

A search term typed into a list matches columns of joined tables (a member's name, an activity's
title). Tested row by row after the joins, that is a scan of the whole join; instead each joined
table's terms become a subquery that starts at that table (a few thousand people whose name matches)
and follows the joins back to the base rows.

A screen asks for windows of row ids (LIMIT/OFFSET). Sorted by a joined table's column, a long list
is walked from that table's index (see ``order``); the far half of a list is read from its end.

The SQLite-specific pieces are in ``Dialect`` below and nowhere else in this module (row ids,
``x.rowid``, come with the specs themselves).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from gridapp.core import search_index
from gridapp.core.models import Base
from gridapp.core.validation import to_halfwidth

if TYPE_CHECKING:
    from gridapp.core.lists import ListSpec, Query


class Dialect:
    """What differs between engines in list queries (SQLite now)."""

    # SQLite joins the tables of a CROSS JOIN in the order written: a search subquery must start at
    # the searched table, whatever the planner guesses of how many rows a LIKE keeps, and a sorted
    # window at the sorted table. Another engine plans these well by itself and gets a plain JOIN.
    fixed_order_join = "CROSS JOIN"

    @staticmethod
    def prefix(column: str, param: str) -> str:
        """``column`` starts with the text in ``param`` (a pattern made by ``prefix_pattern``).

        SQLite's GLOB is case-sensitive, so it can use an index (pinyin initials are lower case);
        its LIKE is not, and ``LIKE 'zs%'`` scans the table.
        """
        return f"{column} GLOB :{param}"

    @staticmethod
    def by_index(index: str) -> str:
        """After a table name: read it through ``index`` whatever the statistics say (SQLite's INDEXED BY; an
        engine without it plans by itself and gets nothing)."""
        return f" INDEXED BY {index}"

    # Today's date on this PC as the text a Date column holds (YYYY-MM-DD).
    today = "date('now', 'localtime')"

    @staticmethod
    def prefix_pattern(letters: str) -> str:
        return letters + "*"  # only letters get here: nothing to escape

    @staticmethod
    def person_key(column: str, param: str, params: dict[str, Any]) -> tuple[str, str] | None:
        """How the people search index serves ``person.column LIKE/GLOB :param`` (None: it does not).

        Adds the key's value to ``params``; gives (SQL of the people having it, its parameter name).
        """
        value = params[param]
        if column == "name_initials" and param == "ini":  # its own index (name_initials, id)
            return f"SELECT rowid FROM person WHERE name_initials GLOB :{param}", param
        if column == "name" and param == "latin":  # ix_person_name
            return f"SELECT rowid FROM person WHERE name GLOB :{param}", param
        if column == "name" and param == "name":
            key = search_index.name_key(value[1:-1])
        elif column in ("phone", "phone2") and param == "digits":
            key = search_index.phone_key(value[1:-1])
        elif column == "id_number" and param == "tail":
            params["k_tail"] = search_index.tail_pattern(value[1:])
            return f"SELECT person FROM {search_index.TABLE} WHERE term GLOB :k_tail", "k_tail"
        else:
            return None
        if key is None:
            return None
        name = f"k_{key[0]}"  # phone and phone2 share one key
        params[name] = key
        return f"SELECT person FROM {search_index.TABLE} WHERE term = :{name}", name

    @staticmethod
    def person_candidates(keys: list[tuple[str, str]], params: dict[str, Any]) -> str:
        """The union of the people each key names (each key once)."""
        seen: dict[str, str] = {}
        for sql, name in keys:
            seen.setdefault(name, sql)
        return " UNION ".join(seen.values())

    @staticmethod
    def unindexed(cond: str) -> str:
        """``cond`` tested on each row as the plan meets it, never used to pick an index (SQLite's unary +)."""
        return f"+({cond})"

    @staticmethod
    def sample(table: str, alias: str, cond: str, rows: int) -> str:
        """How many of the first ``rows`` rows of ``table`` there are, and how many meet ``cond``."""
        return (f"SELECT count(*), coalesce(sum(CASE WHEN {cond} THEN 1 ELSE 0 END), 0) "
                f"FROM (SELECT * FROM {table} LIMIT {int(rows)}) {alias}")

    @staticmethod
    def window(limit: int | None, offset: int) -> str:
        """``limit`` rows from ``offset`` (every row from there when ``limit`` is None: SQLite's -1)."""
        if limit is None:
            return f" LIMIT -1 OFFSET {int(offset)}" if offset else ""
        return f" LIMIT {int(limit)} OFFSET {int(offset)}"


@dataclass(frozen=True)
class Join:
    alias: str
    table: str
    kind: str  # "JOIN", "LEFT JOIN", "CROSS JOIN"; "" for the base table
    on: str
    refers_to: frozenset[str]  # other aliases its ON condition names
    optional: bool  # can be left out when nothing refers to it


@dataclass(frozen=True)
class From:
    joins: tuple[Join, ...]  # the base table first

    @property
    def base(self) -> Join:
        return self.joins[0]

    def join(self, alias: str) -> Join:
        return next(j for j in self.joins if j.alias == alias)

    def aliases_in(self, sql: str) -> set[str]:
        """The aliases of this FROM clause that ``sql`` names (``p.name`` names ``p``).

        A correlated subquery's own aliases may shadow outer ones; counting them too only keeps a join
        that could have been left out.
        """
        known = {j.alias for j in self.joins}
        return {a for a in _ALIAS_REF.findall(sql) if a in known}

    def closure(self, aliases: set[str]) -> set[str]:
        """``aliases`` with every alias their joins hang on, back to the base table."""
        want = set(aliases) | {self.base.alias}
        todo = list(want)
        while todo:
            for other in self.join(todo.pop()).refers_to:
                if other not in want:
                    want.add(other)
                    todo.append(other)
        return want

    def needed(self, *sqls: str) -> set[str]:
        """Aliases a query over ``sqls`` must join: those named, the joins they hang on, the required ones."""
        named = {j.alias for j in self.joins if not j.optional}
        for sql in sqls:
            named |= self.aliases_in(sql)
        return self.closure(named)

    def sql(self, aliases: set[str]) -> str:
        """The FROM clause with only ``aliases``, in the written order."""
        parts = []
        for j in self.joins:
            if j.alias in aliases:
                parts.append(f"{j.table} {j.alias}" if not j.kind else f"{j.kind} {j.table} {j.alias} ON {j.on}")
        return " ".join(parts)

    def chain_to_base(self, aliases: set[str]) -> list[Join] | None:
        """The joins from one alias back to the base, if ``aliases`` are exactly such a path."""
        ends = [a for a in aliases if a != self.base.alias
                and not any(a in self.join(o).refers_to for o in aliases)]
        if len(ends) != 1:
            return None
        path, alias = [], ends[0]
        while alias != self.base.alias:
            j = self.join(alias)
            if len(j.refers_to) != 1:
                return None
            path.append(j)
            (alias,) = j.refers_to
        return path if {j.alias for j in path} | {self.base.alias} == aliases else None


_ALIAS_REF = re.compile(r"\b([A-Za-z_]\w*)\.(?=[A-Za-z_])")
_JOIN_SPLIT = re.compile(r"\s+(LEFT JOIN|CROSS JOIN|JOIN)\s+")
_TABLE_ALIAS = re.compile(r"^\s*(\w+)\s+(\w+)\s*$")
_JOIN_PART = re.compile(r"^\s*(\w+)\s+(\w+)\s+ON\s+(.+?)\s*$", re.S)
_KEY_EQ = re.compile(r"^\s*(\w+)\.(\w+)\s*=\s*(\w+)\.(\w+)\s*$")


@lru_cache(maxsize=256)
def parse_from(from_sql: str) -> From:
    """The base table and joins of a list's FROM clause."""
    pieces = _JOIN_SPLIT.split(from_sql)
    base = _TABLE_ALIAS.match(pieces[0])
    if base is None:
        raise ValueError(f"a list's FROM clause starts with 'table alias': {from_sql!r}")
    joins = [Join(base.group(2), base.group(1), "", "", frozenset(), False)]
    tables = {base.group(2): base.group(1)}
    for kind, part in zip(pieces[1::2], pieces[2::2], strict=True):
        m = _JOIN_PART.match(part)
        if m is None:
            raise ValueError(f"a join reads 'table alias ON condition': {part!r}")
        table, alias, on = m.groups()
        tables[alias] = table
        refers = frozenset(a for a in _ALIAS_REF.findall(on) if a != alias and a in tables)
        joins.append(Join(alias, table, kind, on, refers, _optional(kind, alias, on, tables)))
    return From(tuple(joins))


def _optional(kind: str, alias: str, on: str, tables: dict[str, str]) -> bool:
    """A join to one row by its id that keeps every row: a LEFT JOIN, or along a never-null foreign key."""
    m = _KEY_EQ.match(on)
    if m is None:
        return False
    a1, c1, a2, c2 = m.groups()
    if (a2, c2) == (alias, "id"):
        a1, c1, a2, c2 = a2, c2, a1, c1
    if (a1, c1) != (alias, "id") or a2 not in tables:
        return False
    if kind == "LEFT JOIN":
        return True
    child = Base.metadata.tables.get(tables[a2])
    column = child.c.get(c2) if child is not None else None
    return column is not None and not column.nullable and any(
        fk.column.table.name == tables[alias] and fk.column.name == "id" for fk in column.foreign_keys)


# -- the WHERE clause of a query ----------------------------------------------------------------------

@dataclass(frozen=True)
class Where:
    refs: tuple[str, ...]  # the parts naming the outer query's aliases (search subqueries name their own)
    params: dict[str, Any]
    search: str = ""  # the search as subqueries of the base rows that match (empty: no search)
    dense: str | None = None  # the same search tested on each base row by its keys (None: no such form)
    groups: tuple[tuple[Join, str], ...] = ()  # (searched table, its terms): what a density sample tests

    @property
    def sql(self) -> str:
        """The condition, its search found through the searched tables' indexes (few matches)."""
        return self._with(self.search)

    @property
    def dense_sql(self) -> str:
        """The condition, its search tested row by row as the list's order is walked (many matches)."""
        return self._with(Dialect.unindexed(self.dense or "0"))

    def _with(self, search: str) -> str:
        return " AND ".join([self.refs[0], search, *self.refs[1:]] if search else self.refs)


def where(spec: ListSpec, q: Query) -> Where:
    """The list's own condition, the search term (by its shape) and the chosen filters."""
    frm = parse_from(spec.from_sql)
    refs = [f"({spec.where})"]
    params: dict[str, Any] = {}
    for i, (key, value) in enumerate(q.filters):
        if value is None or value == "":
            continue
        f = spec.filter(key)
        refs.append("(" + f.sql.replace(":v", f":f{i}") + ")")
        params[f"f{i}"] = value
    term = re.sub(r"\s+", "", to_halfwidth(q.search or ""))
    if not term:
        return Where(tuple(refs), params)
    alternatives, search_params = _search_terms(spec, term)
    params.update(search_params)
    groups = _by_table(frm, alternatives)
    return Where(tuple(refs), params, _search_sql(frm, groups, params), _dense_sql(frm, groups, params),
                 tuple((frm.join(next(iter(_aliases(frm, alts)))), " OR ".join(alts)) for _path, alts in groups
                       if len(_aliases(frm, alts)) == 1))


def _search_terms(spec: ListSpec, term: str) -> tuple[list[str], dict[str, Any]]:
    """Conditions, any of which makes a row match ``term``: name text, pinyin initials, phone digits, ID tail."""
    alts: list[str] = []
    params: dict[str, Any] = {}
    if term.isdigit():
        params["digits"] = f"%{term}%"
        params["tail"] = f"%{term}"
        alts += [f"{e} LIKE :digits" for e in spec.search_digits]
        alts += [f"{e} LIKE :tail" for e in spec.search_id_tail]
    elif re.fullmatch(r"[A-Za-z]+", term):
        params["ini"] = Dialect.prefix_pattern(term.lower())
        params["latin"] = Dialect.prefix_pattern(term)
        alts += [Dialect.prefix(e, "ini") for e in spec.search_initials]
        alts += [Dialect.prefix(e, "latin") for e in spec.search_name]
    else:
        params["name"] = f"%{term}%"
        alts += [f"{e} LIKE :name" for e in spec.search_name]
        if re.fullmatch(r"\d{4,17}[Xx]", term):
            params["tail"] = f"%{term.upper()}"
            alts += [f"{e} LIKE :tail" for e in spec.search_id_tail]
    return alts, params


_SEARCHED = re.compile(r"^(\w+)\.(\w+) (?:LIKE|GLOB) :(\w+)$")


def _indexed(frm: From, alts: list[str], params: dict[str, Any]) -> tuple[str, str] | None:
    """(person alias, SQL of the people who may match) when an index serves every one of ``alts``."""
    aliases, keys = set(), []
    for alt in alts:
        m = _SEARCHED.match(alt)
        if m is None:
            return None
        alias, column, param = m.groups()
        if frm.join(alias).table != "person":
            return None
        key = Dialect.person_key(column, param, params)
        if key is None:
            return None
        aliases.add(alias)
        keys.append(key)
    if len(aliases) != 1:
        return None
    return aliases.pop(), Dialect.person_candidates(keys, params)


def _aliases(frm: From, alts: list[str]) -> set[str]:
    return set().union(*(frm.aliases_in(a) for a in alts))


def _by_table(frm: From, alternatives: list[str]) -> list[tuple[frozenset[str], list[str]]]:
    """The alternatives by the joins they need back to the base (the base's own first)."""
    base = frozenset({frm.base.alias})
    by_path: dict[frozenset[str], list[str]] = {base: []}
    for alt in alternatives:
        by_path.setdefault(frozenset(frm.closure(frm.aliases_in(alt))), []).append(alt)
    return [(path, alts) for path, alts in by_path.items() if alts]


def _chain_from(chain: list[Join], toward: list[Join]) -> str:
    """FROM the searched table (``chain[0]``) along the joins to ``toward``'s tables, in that order (as many
    joins as ``toward`` has tables)."""
    from_sql = f"{chain[0].table} {chain[0].alias}"
    for j, t in zip(chain, toward, strict=False):
        from_sql += f" {Dialect.fixed_order_join} {t.table} {t.alias} ON {j.on}"
    return from_sql


def _search_sql(frm: From, groups: list[tuple[frozenset[str], list[str]]], params: dict[str, Any]) -> str:
    """``(a OR b …)`` with the terms on joined tables turned into subqueries of base row ids.

    Where the people search index serves every term on a person, the subquery starts at the people
    it names and tests the terms on those alone.
    """
    if not groups:
        return "(0)"
    base = frm.base
    parts: list[str] = []
    subqueries = []
    for path, alts in groups:
        if path == {base.alias}:
            indexed_base = _indexed(frm, alts, params)
            if indexed_base is not None:
                parts.append(f"({indexed_base[0]}.rowid IN ({indexed_base[1]}) AND ({' OR '.join(alts)}))")
            else:
                parts += alts
            continue
        chain = frm.chain_to_base(set(path))
        # start at the searched table and follow the joins back to the base
        from_sql = frm.sql(set(path)) if chain is None else _chain_from(chain, [*chain[1:], base])
        subqueries.append(f"SELECT {base.alias}.rowid FROM {from_sql} WHERE {_cond(frm, chain, alts, params)}")
    if subqueries:
        parts.append(f"{base.alias}.rowid IN ({' UNION ALL '.join(subqueries)})")
    return "(" + " OR ".join(parts) + ")"


def _cond(frm: From, chain: list[Join] | None, alts: list[str], params: dict[str, Any]) -> str:
    """The terms on a searched table, through the people search index where it serves them."""
    cond = " OR ".join(alts)
    indexed = _indexed(frm, alts, params) if chain is not None else None
    if indexed is not None and chain is not None and indexed[0] == chain[0].alias:
        cond = f"{indexed[0]}.rowid IN ({indexed[1]}) AND ({cond})"
    return cond


def _dense_sql(frm: From, groups: list[tuple[frozenset[str], list[str]]], params: dict[str, Any]) -> str | None:
    """The search as a test of each base row alone: its own columns, or its key among the keys that the
    searched rows lead to (``x.member_id IN (SELECT m.id …)``), so that walking a list joins nothing more.

    None when a searched table is not one chain of key joins away from the base.
    """
    base = frm.base
    parts: list[str] = []
    for path, alts in groups:
        if path == {base.alias}:
            parts += alts
            continue
        chain = frm.chain_to_base(set(path))
        link = _KEY_EQ.match(chain[-1].on) if chain else None
        if chain is None or link is None:
            return None
        a1, c1, a2, c2 = link.groups()
        if a1 == base.alias:
            a1, c1, a2, c2 = a2, c2, a1, c1
        if (a1, a2) != (chain[-1].alias, base.alias):
            return None
        from_sql = _chain_from(chain, chain[1:])  # every table but the base
        parts.append(f"{a2}.{c2} IN (SELECT {a1}.{c1} FROM {from_sql} WHERE {_cond(frm, chain, alts, params)})")
    return "(" + " OR ".join(parts) + ")" if parts else None


# -- whole statements -----------------------------------------------------------------------------------

# Below this many rows a window is found by sorting them all (a few milliseconds); above it, walking
# the sorted table's index and following the joins to the base finds it without visiting the rest.
WALK_ROWS = 10_000


@dataclass(frozen=True)
class Order:
    terms: tuple[tuple[str, bool], ...]  # (expression, descending), the last one a row id
    walk: tuple[Join, ...] = ()  # for a chosen column of a joined table: the joins from it back to the base

    def sql(self, names: tuple[str, ...] | None = None) -> str:
        exprs = names or tuple(e for e, _d in self.terms)
        return ", ".join(f"{e} {'DESC' if d else 'ASC'}" for e, (_x, d) in zip(exprs, self.terms, strict=True))

    def reversed(self) -> Order:
        return Order(tuple((e, not d) for e, d in self.terms), self.walk)


def order(spec: ListSpec, q: Query, *, reverse: bool = False) -> Order:
    """The list's order: a chosen column or the default, then row ids, so that every order is total.

    Ties on a joined table's column are broken by that table's row id, then by each row id back to the
    base, all in the column's direction: walking an index on the column and then the joins' foreign
    key indexes yields rows already in that order, and a window is found without sorting every row.
    Descending is then exactly ascending reversed, NULLs included.
    """
    frm = parse_from(spec.from_sql)
    if q.sort:
        col = spec.column(q.sort)
        chain = frm.chain_to_base(frm.closure(frm.aliases_in(col.order_sql))) or []
        keys = [col.order_sql, *(f"{j.alias}.rowid" for j in chain), spec.rowid]
        result = Order(tuple((k, q.descending) for k in keys), tuple(chain))
    else:
        terms = [_term(t) for t in _split_terms(spec.default_sort)] if spec.default_sort else []
        if spec.rowid not in (e for e, _d in terms):
            terms.append((spec.rowid, False))
        result = Order(tuple(terms))
    return result.reversed() if reverse else result


def _split_terms(sql: str) -> list[str]:
    """``a DESC, coalesce(b, c)`` → its terms (commas inside parentheses stay)."""
    terms, depth, start = [], 0, 0
    for i, ch in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            terms.append(sql[start:i].strip())
            start = i + 1
    terms.append(sql[start:].strip())
    return terms


def _term(term: str) -> tuple[str, bool]:
    m = re.fullmatch(r"(.+?)\s+(ASC|DESC)", term, re.I | re.S)
    return (m.group(1), m.group(2).upper() == "DESC") if m else (term, False)


def rowids_sql(spec: ListSpec, q: Query, *, offset: int = 0, limit: int | None = None, rows: int | None = None,
               reverse: bool = False, density: Density | None = None) -> tuple[str, dict[str, Any]]:
    """Row ids of the list in order, ``limit`` of them from ``offset`` (all when ``limit`` is None).

    ``rows`` is how many rows the query has, when the caller knows (a screen has counted them): a
    window of a long list sorted by a joined table's column is then found by walking that table.
    ``reverse`` gives the same rows in the opposite order. ``density`` is how many rows the search
    matches (see ``density_sql``): many, and a window near the start is found by walking the list in
    its order testing each row, instead of finding every match first.
    """
    frm = parse_from(spec.from_sql)
    w = where(spec, q)
    o = order(spec, q, reverse=reverse)
    window = Dialect.window(limit, offset)
    dense = walks_dense(spec, q, w, density, offset, limit)
    cond = w.dense_sql if dense else w.sql
    # a dense search is walked whatever the count: sorting every row it matches is what it avoids
    if o.walk and limit is not None and (dense or (rows is not None and rows > WALK_ROWS)):
        walked = _walk(frm, spec, w, cond, o, window)
        if walked is not None:
            return walked, w.params
    joins = frm.sql(frm.needed(*w.refs, *(e for e, _d in o.terms)))
    return f"SELECT {spec.rowid} FROM {joins} WHERE {cond} ORDER BY {o.sql()}{window}", w.params


# A search's window is found by walking the list in its order when the walk to the window's end is
# short (at most DENSE_WALK rows) and shorter than WALK_COST × the matches the indexes would find: a
# walked row costs about half of a match found first, joined back and sorted with the others.
DENSE_WALK = 30_000
WALK_COST = 2.0
SAMPLE_ROWS = 1000  # rows of each searched table a density sample tests


@dataclass(frozen=True)
class Density:
    share: float  # of the list's rows the search matches (estimated)
    rows: int  # rows the list's base table has (estimated)


def walks_dense(spec: ListSpec, q: Query, w: Where, density: Density | None, offset: int, limit: int | None) -> bool:
    """Whether a window is found by walking the list in its order rather than through the searched
    tables' indexes. Never when the list is sorted by a searched column: its matches lie together
    somewhere in that order, not spread along it as the sample supposes."""
    if w.dense is None or density is None or limit is None or density.share <= 0:
        return False
    searched = {f"{m.group(1)}.{m.group(2)}" for _j, cond in w.groups for m in _COLUMN.finditer(cond)}
    if any(e in searched for e, _d in order(spec, q).terms):
        return False
    walk = (offset + limit) / min(density.share, 1.0)
    return walk <= DENSE_WALK and walk <= WALK_COST * density.share * density.rows


_COLUMN = re.compile(r"\b(\w+)\.(\w+) (?:LIKE|GLOB) ")


def density_sql(spec: ListSpec, q: Query, *, offset: int = 0, limit: int | None = None) -> tuple[str, dict[str, Any]] | None:
    """The base table's size, then a sample of each searched table (rows sampled, rows matching): the
    ratios summed estimate the share of the list the search matches. None when no walk could serve."""
    w = where(spec, q)
    if w.dense is None or not w.groups or limit is None or offset + limit > DENSE_WALK:
        return None
    base = parse_from(spec.from_sql).base
    samples = [Dialect.sample(j.table, j.alias, cond, SAMPLE_ROWS) for j, cond in w.groups]
    size = f"SELECT coalesce(max({spec.rowid}), 0), 0 FROM {base.table} {base.alias}"
    return " UNION ALL ".join([size, *samples]), w.params


def _walk(frm: From, spec: ListSpec, w: Where, cond: str, o: Order, window: str) -> str | None:
    """The window, starting at the sorted table: through inner joins all the way, or (for a table
    joined to the base by a LEFT JOIN) as the rows that have one merged with the rows that have none."""
    base, chain = frm.base, list(o.walk)
    if any(j.kind == "CROSS JOIN" for j in chain):
        return None  # the spec fixed this order itself (the sorted table may hold many rows not listed)
    others = frm.needed(*w.refs, *(e for e, _d in o.terms)) - {base.alias} - {j.alias for j in chain}
    if any(frm.join(a).refers_to & {j.alias for j in chain} for a in others):
        return None  # another join hangs on the walked ones: leave the order to the planner
    walk_from = f"{chain[0].table} {chain[0].alias}"
    for j, toward in zip(chain, [*chain[1:], base], strict=True):
        walk_from += f" {Dialect.fixed_order_join} {toward.table} {toward.alias} ON {j.on}"
    for j in frm.joins:
        if j.alias in others:
            walk_from += f" {j.kind} {j.table} {j.alias} ON {j.on}"
    if all(j.kind != "LEFT JOIN" for j in chain):
        return f"SELECT {spec.rowid} FROM {walk_from} WHERE {cond} ORDER BY {o.sql()}{window}"
    link = _KEY_EQ.match(chain[0].on)
    if len(chain) != 1 or link is None:
        return None
    a1, c1, a2, c2 = link.groups()
    fk = f"{a2}.{c2}" if a1 == chain[0].alias else f"{a1}.{c1}"
    # Along an enforced foreign key a row has the joined row exactly when its key is not null.
    names = tuple(f"k{i}" for i in range(len(o.terms)))
    cols = ", ".join(f"{e} AS {n}" for (e, _d), n in zip(o.terms, names, strict=True))
    missing = frm.sql({base.alias, chain[0].alias} | others)
    return (f"SELECT k{len(names) - 1} FROM (SELECT {cols} FROM {walk_from} WHERE {cond} UNION ALL "
            f"SELECT {cols} FROM {missing} WHERE {cond} AND {fk} IS NULL ORDER BY {o.sql(names)}{window})")


def count_sql(spec: ListSpec, q: Query) -> tuple[str, dict[str, Any]]:
    """How many rows the list has with this search and these filters, joining only what they name."""
    frm = parse_from(spec.from_sql)
    w = where(spec, q)
    return f"SELECT count(*) FROM {frm.sql(frm.needed(*w.refs))} WHERE {w.sql}", w.params


def base_table(spec: ListSpec) -> tuple[str, str]:
    """The table and alias whose rows a list lists."""
    base = parse_from(spec.from_sql).base
    return base.table, base.alias
