from django.conf import settings
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
