"""Queries compiled by the ORM once per process and run with each request's values.

On the hottest paths (the thread index, loading threads, the reader of each request,
the duplicate check on every post) building a QuerySet with its subqueries took longer
than PostgreSQL takes to run it. So such a query is built once with *stand-ins*, values
no row has and no clock shows, in place of the request's (`sql`); each request then
swaps its own values in for them (`bind`). The SQL stays the ORM's: which rows a query
reads is still said by the QuerySet methods.
"""

from collections.abc import Mapping


def _key(value):
    # By type too: True == 1 and 1 == 1.0, but a stand-in must match only itself.
    return (type(value), value)


def _find(keyed: dict, param, default):
    try:
        return keyed.get(_key(param), default)
    except TypeError:  # an unhashable parameter (a list) is never a stand-in
        return default


def sql(queryset, *stand_ins) -> tuple[str, tuple]:
    """The queryset's SQL and parameters, checked to hold each of `stand_ins` as itself:
    a QuerySet that changed how it compiles fails loudly rather than matching wrongly."""
    sql, params = queryset.query.sql_with_params()
    found = {_key(s): True for s in stand_ins}
    present = {_key(p) for p in params if _find(found, p, False)}
    if missing := [s for s in stand_ins if _key(s) not in present]:
        raise AssertionError(f"stand-ins {missing!r} not among the parameters {params!r}")
    return sql, tuple(params)


def bind(params, values: Mapping) -> list:
    """`params` with each stand-in (a key of `values`) replaced by its value."""
    keyed = {_key(stand_in): value for stand_in, value in values.items()}
    return [_find(keyed, p, p) for p in params]
