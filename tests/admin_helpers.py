"""Helpers the admin tests share."""

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext


def shown(message, **params):
    """``message`` as the French admin prints it in a page (translated, HTML-escaped)."""
    with translation.override("fr"):
        return escape(gettext(message) % params if params else gettext(message))


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def management_form(prefix, total=0, initial=0):
    """The hidden fields of an inline formset with ``total`` rows, ``initial`` of them existing."""
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}
