"""What every staff page shares: permission checks, filtered and paginated lists, htmx partials."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django_filters.views import FilterView


class StaffPageMixin(PermissionRequiredMixin):
    """Anonymous visitors go to the login page; signed-in users without the permission get a 403."""


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
        return list(self.object_list.prefetch_related(None).values_list("pk", flat=True)[: self.count_limit + 1])

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
