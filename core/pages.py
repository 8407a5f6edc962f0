"""What every staff page shares: permission checks, filtered and paginated lists, htmx partials."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F, OrderBy, Window
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import RowNumber
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django_filters.views import FilterView


class StaffPageMixin(PermissionRequiredMixin):
    """Anonymous visitors go to the login page; signed-in users without the permission get a 403."""


def first_keys(queryset, limit: int) -> list:
    """The primary keys of the first ``limit`` rows of ``queryset``, in its order.

    A list sorted first by a column of a related row that may be missing, with the rows that lack it last (the
    directory by last contact: people never contacted last, whichever way), is read on PostgreSQL in two parts of
    one statement: up to ``limit`` rows that have the related row, in the column's order, then, only as many as
    the first part left, rows that lack it, in the rest of the order. Asked as a plain query, ``ORDER BY …
    NULLS LAST`` over the outer join cannot follow the column's index: PostgreSQL reads and sorts every row (385 ms
    at a million people); the first part walks the column's index and the second is an anti-join along the rest
    of the order, each stopping at its limit (docs/benchmarks.md). Any other order, and SQLite, read the keys as
    they are."""
    keys = queryset.values_list("pk", flat=True)
    split = _split_on_missing(queryset)
    if split is None or connections[queryset.db].vendor != "postgresql":
        return list(keys[:limit])
    relation, first, rest = split
    ranked = [
        part.annotate(_rank=Window(RowNumber(), order_by=ordering)).order_by(*ordering).values_list("pk", "_rank")
        for part, ordering in (
            (queryset.filter(**{f"{relation}__isnull": False}), [first, *rest]),
            (queryset.filter(**{f"{relation}__isnull": True}), list(rest)),
        )
    ]
    having_sql, having_params = ranked[0][:limit].query.sql_with_params()
    lacking_sql, lacking_params = ranked[1].query.sql_with_params()
    sql = (
        f"WITH having_it AS MATERIALIZED ({having_sql}) "  # noqa: S608 (the SQL of two querysets, their values as parameters)
        "SELECT pk FROM ("
        "SELECT pk, 0 AS part, rank FROM having_it AS having_it(pk, rank) "
        "UNION ALL (SELECT pk, 1, rank FROM ("
        f"{lacking_sql}) AS lacking(pk, rank) LIMIT (SELECT %s - count(*) FROM having_it))"
        ") AS parts ORDER BY part, rank"
    )
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, (*having_params, *lacking_params, limit))
        return [row[0] for row in cursor.fetchall()]


def _split_on_missing(queryset):
    """``(relation, first, rest)`` if ``queryset`` is ordered first by a column that is never null in its own
    table but reached through a relation that may be missing, with the missing ones last: the relation's path,
    the first order without its ``NULLS LAST`` (an index's own order) and the rest of the order; else None."""
    ordering = queryset.query.order_by
    first = ordering[0] if ordering else None
    if not (
        isinstance(first, OrderBy)
        and first.nulls_last
        and isinstance(first.expression, F)
        and first.expression.name not in queryset.query.annotations
    ):
        return None
    *path, column = first.expression.name.split(LOOKUP_SEP)
    model = queryset.model
    try:
        for name in path:
            model = model._meta.get_field(name).related_model
        if model is None or model._meta.get_field(column).null or not path:
            return None
    except FieldDoesNotExist:
        return None
    expression = F(first.expression.name)
    return LOOKUP_SEP.join(path), expression.desc() if first.descending else expression.asc(), ordering[1:]


class CappedPaginator(Paginator):
    """A paginator that counts at most ``count_limit`` results.

    Counting every match of a broad filter over a million people reads them all, on every page load; beyond
    a thousand, "more than 1 000" says as much and the count stops there (``COUNT(*)`` over a subquery with a
    LIMIT): 40 pages of 25 are more than anyone turns, and a thousand matches cost a tenth of ten thousand.
    Pages go as far as the count: past them, narrow the search. Exports are not paginated and hold every
    match.

    Given ``rows``, a queryset to read a page's objects from, the count and the page share one read: the keys
    of the first ``count_limit + 1`` matches, in order, which is the count; the page's objects are then read by
    their key from ``rows``. A search through a trigram index then runs once per request instead of twice
    (once to count, once for the page), which is half its cost at a million people.
    """

    count_limit = 1_000

    def __init__(self, object_list, per_page, *args, rows=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows = rows

    @cached_property
    def keys(self) -> list:
        """The primary keys of the first ``count_limit + 1`` results, in order."""
        return first_keys(self.object_list.prefetch_related(None), self.count_limit + 1)

    @cached_property
    def counted(self) -> int:
        """How many results there are, or ``count_limit + 1`` if there are more than ``count_limit``."""
        if self.rows is not None:
            return len(self.keys)
        return self.object_list.order_by()[: self.count_limit + 1].count()

    @property
    def count(self) -> int:
        return min(self.counted, self.count_limit)

    @property
    def is_capped(self) -> bool:
        return self.counted > self.count_limit

    def page(self, number):
        if self.rows is None:
            return super().page(number)
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        keys = self.keys[start : min(start + self.per_page, self.count)]
        found = self.rows.in_bulk(keys)
        # A row deleted since its key was read is left out rather than failing the page.
        return self._get_page([found[key] for key in keys if key in found], number, self)


class FilteredListView(StaffPageMixin, FilterView):
    """A list driven by one FilterSet, whose state lives in the query string.

    htmx requests (the search box updating as you type) get only the results fragment; the same
    address without JavaScript renders the whole page, so every search can be bookmarked.
    """

    paginate_by = 25
    results_template_name: str

    def answers_results_only(self) -> bool:
        """An htmx request from the search box gets the results alone. A history restore (the back button
        after the cache was emptied) needs the whole page."""
        htmx = self.request.htmx
        return bool(htmx and not htmx.boosted and not htmx.history_restore_request)

    def get_template_names(self):
        if self.answers_results_only():
            return [self.results_template_name]
        return super().get_template_names()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        # The same address answers a fragment or a whole page: caches must keep them apart.
        patch_vary_headers(response, ["HX-Request"])
        return response

    def paginate_queryset(self, queryset, page_size):
        # An out-of-range or mistyped page number shows the nearest page instead of a 404.
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ordering"] = self.request.GET.get("o", "")
        return context
