import re
from itertools import islice

from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware import locale
from django.utils import translation
from django.utils.text import smart_split
from django.utils.translation import gettext as _

from .guards import holds_nul
from .views import without_language_prefix


class RejectNulCharactersMiddleware:
    """Answers 400 to a request whose address or query string holds a NUL character.

    PostgreSQL cannot store or compare text containing NUL, so such a value reaching a query
    (a search box, an autocomplete term) would otherwise end in a database error and a 500.
    Forms already refuse NUL in submitted fields (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if holds_nul(request.path) or any(
            holds_nul(key) or holds_nul(value) for key, value in self._query_items(request)
        ):
            message = _("The request contains a NUL character, which is not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    @staticmethod
    def _query_items(request):
        for key, values in request.GET.lists():
            for value in values:
                yield key, value


ADMIN_SEARCH_MAX_WORDS = 50
# A list's date drill-down (``date_hierarchy``): ``created_at__year=2026``. Django turns the value into a date with
# int(), and a number too large for a C long ends in OverflowError, which it does not catch (a 500).
DATE_PART = re.compile(r"__(year|month|day)$")
DATE_PART_DIGITS = 4


class LimitAdminSearchMiddleware:
    """Answers 400 to an admin search (a list's ``q``, an autocomplete's ``term``) of more than
    ``ADMIN_SEARCH_MAX_WORDS`` words, and to a list's date drill-down that is no year, month or day number.

    The admin adds a condition per word to its query, and SQLite refuses an expression more than 1000
    conditions deep: a long enough search would end in a 500 on every list, those of Django's and other
    packages' models included, which is why this is checked here rather than in each ``ModelAdmin``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if without_language_prefix(request.path).startswith("/admin/"):
            for name in ("q", "term"):
                words = islice(smart_split(request.GET.get(name, "")), ADMIN_SEARCH_MAX_WORDS + 1)
                if len(list(words)) > ADMIN_SEARCH_MAX_WORDS:
                    message = _("Search with at most %(count)d words.") % {"count": ADMIN_SEARCH_MAX_WORDS}
                    return HttpResponseBadRequest(message)
            for name, value in request.GET.items():
                if DATE_PART.search(name) and not (
                    value.isascii() and value.isdigit() and len(value) <= DATE_PART_DIGITS
                ):
                    return HttpResponseBadRequest(_("Choose a date from the list's dates."))
        return self.get_response(request)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, except for the API: its addresses have no language prefix (``/en/``), so Django would answer them
    in the default language whatever the client asks. They follow the language cookie, then ``Accept-Language``,
    then French; the response says which in ``Content-Language``."""

    def process_request(self, request):
        super().process_request(request)
        if request.path_info.startswith("/api/"):
            translation.activate(translation.get_language_from_request(request))
            request.LANGUAGE_CODE = translation.get_language()
