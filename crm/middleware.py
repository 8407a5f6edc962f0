from itertools import islice

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.text import smart_split
from django.utils.translation import gettext as _

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
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in self._query_items(request)):
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


class LimitAdminSearchMiddleware:
    """Answers 400 to an admin search (a list's ``q``, an autocomplete's ``term``) of more than
    ``ADMIN_SEARCH_MAX_WORDS`` words.

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
        return self.get_response(request)
