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


def change_form_data(page):
    """What the admin change page ``page`` posts if nothing is touched: its form and inline rows as loaded."""
    form = page.context["adminform"].form
    forms = [form]
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        forms += formset.forms
    for each in forms:
        for name in each.fields:
            value = each[name].value()
            if value is None or value is False:
                continue
            key = each.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)
    return data
