from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


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
