"""Row locks in one short hand-written statement, for the hot paths (order confirmation).

`select_for_update().get()` builds a whole model query to lock a row whose data the caller
often has already; `lock_row` only takes the lock. SQLite has no row locks (a writer holds the
whole database), so there it does nothing, as Django's `select_for_update` does.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, ParamSpec, TypeVar

from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)


def lock_row(model: type[models.Model], pk: int) -> bool:
    """Lock the row `pk` of `model` until the transaction ends; False if there is no such row
    (on SQLite: whether it exists)."""
    table = connection.ops.quote_name(model._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        execute_hot(cursor, f"SELECT 1 FROM {table} WHERE id = %s{lock}", [pk])  # noqa: S608
        return cursor.fetchone() is not None


def atomic_step(func: Callable[P, R]) -> Callable[P, R]:
    """A service that is also a step of bigger acts (credit and stock reservations, run by
    order confirmation): alone, it runs in its own transaction; inside a caller's, it is part
    of it, without a savepoint of its own (two round trips fewer on every confirmation).

    Only for services that refuse before they write: a refusal then leaves the caller's
    transaction as it was, and anything failing after a write fails the caller's act."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        with transaction.atomic():
            return func(*args, **kwargs)

    return run


@dataclass(frozen=True)
class Statement:
    """One SQL statement and its parameters (positional `%s`), to run now or together."""

    sql: str
    params: list[object] = field(default_factory=list)


def insert_statement(
    model: type[models.Model], rows: Sequence[Mapping[str, object]], *, returning: str = ""
) -> Statement:
    """INSERT of `rows` (field name → value, the same fields in each), the values prepared as
    the model's fields prepare them for this database (money, times, JSON)."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in rows[0]]
    columns = ", ".join(quote(f.column) for f in fields)  # type: ignore[union-attr]
    one = "(" + ", ".join("%s" for _f in fields) + ")"
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    sql += ", ".join(one for _row in rows)
    if returning:
        sql += f" RETURNING {quote(returning)}"
    params = [
        f.get_db_prep_save(row[f.name], connection)  # type: ignore[union-attr]
        for row in rows
        for f in fields
    ]
    return Statement(sql, params)


def update_statement(instance: models.Model, names: Sequence[str]) -> Statement:
    """UPDATE of the fields `names` of `instance`'s row to the instance's values."""
    quote = connection.ops.quote_name
    fields = [instance._meta.get_field(name) for name in names]
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)  # type: ignore[union-attr]
    params = [
        f.get_db_prep_save(getattr(instance, f.attname), connection)  # type: ignore[union-attr]
        for f in fields
    ]
    table = quote(instance._meta.db_table)
    return Statement(f"UPDATE {table} SET {sets} WHERE id = %s", [*params, instance.pk])  # noqa: S608


def run_together(statements: Sequence[Statement]) -> list[tuple[object, ...]]:
    """Run writes that do not read each other's effects, at one point of a transaction, and
    return the rows of the last one (its RETURNING).

    On PostgreSQL they go as one statement, one round trip: all but the last become
    data-modifying CTEs, each of which runs once and to completion on the same snapshot. On
    other databases they run one after another."""
    *first, last = statements
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ctes = ", ".join(f"w{n} AS ({s.sql})" for n, s in enumerate(first))
            params = [value for s in first for value in s.params]
            sql = f"WITH {ctes} {last.sql}" if first else last.sql
            execute_hot(cursor, sql, [*params, *last.params])
        else:
            for statement in [*first, last]:
                cursor.execute(statement.sql, statement.params)
        return list(cursor.fetchall()) if cursor.description else []


_NAMED: Final = re.compile(r"%\((\w+)\)s")
_POSITIONAL: Final = re.compile(r"%s")
MAX_PREPARED: Final = 200  # per session: the hot paths' statement shapes are few
_prepared: weakref.WeakKeyDictionary[object, dict[str, str]] = weakref.WeakKeyDictionary()


def execute_hot(
    cursor: CursorWrapper, sql: str, params: Sequence[object] | Mapping[str, object] = ()
) -> None:
    """Run one statement of a hot path (order confirmation) on `cursor`; on PostgreSQL as a
    prepared statement, planned once per connection rather than on every call.

    Planning is most of what such statements cost (the credit figures: nine small subqueries,
    about 4 ms to plan and 0.2 ms to run). A prepared statement belongs to the session,
    whatever becomes of the transaction that prepared it. Parameters are all named
    (`%(x)s`) or all positional (`%s`)."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    session = connection.connection
    known = _prepared.setdefault(session, {})
    name = known.get(sql)
    if name is None:
        if len(known) >= MAX_PREPARED:
            cursor.execute(sql, params)
            return
        name = f"qudao_hot_{len(known) + 1}"
        if isinstance(params, Mapping):
            order = list(dict.fromkeys(_NAMED.findall(sql)))
            numbered = _NAMED.sub(lambda m: f"${order.index(m.group(1)) + 1}", sql)
        else:
            counter = iter(range(1, len(params) + 1))
            numbered = _POSITIONAL.sub(lambda _m: f"${next(counter)}", sql)
        # straight to the driver: preparing is not a query of the caller's (query counts and
        # the debug log see the same statements whether or not this session prepared it)
        with connection.wrap_database_errors:
            cursor.cursor.execute(f"PREPARE {name} AS {numbered}")
        known[sql] = name
    if isinstance(params, Mapping):
        names = list(dict.fromkeys(_NAMED.findall(sql)))
        arguments = ", ".join(f"%({n})s" for n in names)
    else:
        arguments = ", ".join("%s" for _p in params)
    cursor.execute(f"EXECUTE {name} ({arguments})" if arguments else f"EXECUTE {name}", params)


Converters = list[tuple[int, object, list[Callable[..., object]]]]
_readers: dict[type[models.Model], tuple[list[str], list[str], Converters]] = {}


def _reader(model: type[models.Model]) -> tuple[list[str], list[str], Converters]:
    """The model's columns, attribute names and per-column converters (what the ORM applies to
    what the database returns: SQLite's dates and decimals, JSON), worked out once."""
    if model not in _readers:
        fields = list(model._meta.concrete_fields)
        converters: Converters = []
        for index, f in enumerate(fields):
            column = f.get_col(model._meta.db_table)
            found = [*connection.ops.get_db_converters(column), *f.get_db_converters(connection)]
            if found:
                converters.append((index, column, found))
        _readers[model] = ([f.column for f in fields], [f.attname for f in fields], converters)
    return _readers[model]


def _instance(model: type[M], row: Sequence[object]) -> M:
    _columns, names, converters = _reader(model)
    values = list(row)
    for index, column, found in converters:
        for convert in found:
            values[index] = convert(values[index], column, connection)
    return model.from_db(connection.alias, names, values)


def fetch(
    model: type[M],
    where: str,
    params: Sequence[object],
    *,
    related: str = "",
    lock: bool = False,
    source: str = "",
) -> list[M]:
    """Instances of `model` whose rows (alias `t`) match `where`, read by one hand-written,
    prepared statement instead of a built query; with `related`, a foreign key whose row is
    joined and cached on each instance, as `select_related` does; with `lock`, the rows of
    `model` (only) are locked; with `source`, the rows come from that expression (a function
    returning the model's rows, its parameters first in `params`) instead of the table. The
    caller scopes `where` to its organization."""
    quote = connection.ops.quote_name
    columns, _names, _converters = _reader(model)
    selected = [f"t.{quote(c)}" for c in columns]
    joined = ""
    target: type[models.Model] | None = None
    if related:
        key = model._meta.get_field(related)
        target = key.related_model  # type: ignore[assignment]
        assert target is not None
        selected += [f"r.{quote(c)}" for c in _reader(target)[0]]
        joined = f" JOIN {quote(target._meta.db_table)} r ON r.id = t.{quote(key.column)}"  # type: ignore[union-attr]
    table = source or quote(model._meta.db_table)
    sql = f"SELECT {', '.join(selected)} FROM {table} t{joined}"  # noqa: S608
    sql += f" WHERE {where}"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF t" if connection.features.has_select_for_update_of else " FOR UPDATE"
    with connection.cursor() as cursor:
        execute_hot(cursor, sql, params)
        rows = cursor.fetchall()
    width = len(columns)
    found = []
    for row in rows:
        instance = _instance(model, row[:width])
        if target is not None:
            model._meta.get_field(related).set_cached_value(  # type: ignore[union-attr]
                instance, _instance(target, row[width:])
            )
        found.append(instance)
    return found
