"""What every page shares: the language switch, a 404 that answers JSON under /api/, the page that says why a
request was refused."""

from django.conf import settings
from django.core.validators import slug_re
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views import defaults
from django.views.generic import RedirectView
from django.views.i18n import set_language as django_set_language


def without_language_prefix(path: str) -> str:
    """``/en/admin/`` → ``/admin/``: the address in the default language, which has no prefix."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def set_language(request):
    """Django's language switch, able to switch back from an English address.

    The switch's own address has no language prefix, so Django reads the ``next`` address in the
    default language (French), where ``/en/…`` does not resolve and would be returned unchanged:
    the user would stay in English. Reading it without its prefix lets Django translate it.
    """
    if request.method == "POST" and "next" in request.POST:
        data = request.POST.copy()
        data["next"] = without_language_prefix(data["next"])
        request.POST = data
    return django_set_language(request)


def page_not_found(request, exception):
    """Django's 404 page, except under /api/, where clients expect JSON."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def see_other(url: str) -> HttpResponseRedirect:
    """``303 See Other``: what a request that started a job answers, pointing at the job."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def bad_request(request, message: str, back_url: str):
    return render(request, "core/bad_request.html", {"message": message, "back_url": back_url}, status=400)


def posted_slug(request, name: str) -> str:
    """The value posted under ``name`` if it can be a slug, else "": no record is named by anything else, and
    PostgreSQL refuses to compare text holding a NUL character."""
    value = request.POST.get(name, "")
    return value if slug_re.match(value) else ""


def posted_slugs(request, name: str) -> list[str]:
    """Every value posted under ``name`` that can be a slug (see ``posted_slug``)."""
    return [value for value in request.POST.getlist(name) if slug_re.match(value)]


class MovedView(RedirectView):
    """An address that moved: the same address with ``old`` replaced by ``new`` (query string kept), for good."""

    permanent = True
    query_string = True
    old = new = ""

    def get_redirect_url(self, *args, **kwargs):
        url = self.request.path.replace(self.old, self.new, 1)
        query = self.request.META.get("QUERY_STRING", "")
        return f"{url}?{query}" if query else url
