"""Titles of the back office's forms and lists that read naturally in French and in English.

Django builds them as "Change %s" with a bare ``verbose_name``, which French can only render as « Modification de
organisation ». French needs the article of each noun (« l'organisation », « une personne »), which no rule can
guess: each model's name is written here twice, with its definite and its indefinite article, as translatable
strings whose English reads as the bare noun ("Change organisation", "Add organisation").
"""

from django.utils.translation import gettext, pgettext_lazy

# Keyed by the model's label; a model not listed keeps Django's titles.
RECORD_NAMES = {
    "clusters.organisation": (
        pgettext_lazy("definite article", "organisation"),
        pgettext_lazy("indefinite article", "organisation"),
    ),
    "clusters.sector": (pgettext_lazy("definite article", "sector"), pgettext_lazy("indefinite article", "sector")),
    "clusters.organisationname": (
        pgettext_lazy("definite article", "other name"),
        pgettext_lazy("indefinite article", "other name"),
    ),
    "clusters.site": (pgettext_lazy("definite article", "site"), pgettext_lazy("indefinite article", "site")),
    "clusters.territory": (
        pgettext_lazy("definite article", "territory"),
        pgettext_lazy("indefinite article", "territory"),
    ),
    "clusters.keyfigure": (
        pgettext_lazy("definite article", "key figure"),
        pgettext_lazy("indefinite article", "key figure"),
    ),
    "clusters.membershiptype": (
        pgettext_lazy("definite article", "membership type"),
        pgettext_lazy("indefinite article", "membership type"),
    ),
    "clusters.membership": (
        pgettext_lazy("definite article", "membership"),
        pgettext_lazy("indefinite article", "membership"),
    ),
    "clusters.due": (pgettext_lazy("definite article", "due"), pgettext_lazy("indefinite article", "due")),
    "clusters.organisationrelation": (
        pgettext_lazy("definite article", "relation between organisations"),
        pgettext_lazy("indefinite article", "relation between organisations"),
    ),
    "contacts.person": (pgettext_lazy("definite article", "person"), pgettext_lazy("indefinite article", "person")),
    "contacts.position": (
        pgettext_lazy("definite article", "position"),
        pgettext_lazy("indefinite article", "position"),
    ),
    "contacts.contactpoint": (
        pgettext_lazy("definite article", "contact point"),
        pgettext_lazy("indefinite article", "contact point"),
    ),
    "contacts.presscontact": (
        pgettext_lazy("definite article", "press contact"),
        pgettext_lazy("indefinite article", "press contact"),
    ),
    "contacts.tag": (pgettext_lazy("definite article", "tag"), pgettext_lazy("indefinite article", "tag")),
    "contacts.contactlist": (
        pgettext_lazy("definite article", "contact list"),
        pgettext_lazy("indefinite article", "contact list"),
    ),
    "contacts.contactlistentry": (
        pgettext_lazy("definite article", "contact list entry"),
        pgettext_lazy("indefinite article", "contact list entry"),
    ),
    "contacts.exportlog": (
        pgettext_lazy("definite article", "contact export"),
        pgettext_lazy("indefinite article", "contact export"),
    ),
    "contacts.erasure": (
        pgettext_lazy("definite article", "erasure"),
        pgettext_lazy("indefinite article", "erasure"),
    ),
    "events.event": (pgettext_lazy("definite article", "event"), pgettext_lazy("indefinite article", "event")),
    "events.eventedition": (
        pgettext_lazy("definite article", "edition"),
        pgettext_lazy("indefinite article", "edition"),
    ),
    "agreements.topic": (pgettext_lazy("definite article", "topic"), pgettext_lazy("indefinite article", "topic")),
    "agreements.agreement": (
        pgettext_lazy("definite article", "agreement"),
        pgettext_lazy("indefinite article", "agreement"),
    ),
    "agreements.agreementparty": (
        pgettext_lazy("definite article", "party"),
        pgettext_lazy("indefinite article", "party"),
    ),
    "agreements.signatory": (
        pgettext_lazy("definite article", "signatory"),
        pgettext_lazy("indefinite article", "signatory"),
    ),
    "agreements.pressrelease": (
        pgettext_lazy("definite article", "press release"),
        pgettext_lazy("indefinite article", "press release"),
    ),
    "agreements.quote": (pgettext_lazy("definite article", "quote"), pgettext_lazy("indefinite article", "quote")),
    "agreements.provenance": (
        pgettext_lazy("definite article", "provenance"),
        pgettext_lazy("indefinite article", "provenance"),
    ),
    "interactions.interaction": (
        pgettext_lazy("definite article", "interaction"),
        pgettext_lazy("indefinite article", "interaction"),
    ),
    "interactions.followup": (
        pgettext_lazy("definite article", "follow-up"),
        pgettext_lazy("indefinite article", "follow-up"),
    ),
    "jobs.job": (pgettext_lazy("definite article", "job"), pgettext_lazy("indefinite article", "job")),
    "jobs.schedule": (
        pgettext_lazy("definite article", "periodic task"),
        pgettext_lazy("indefinite article", "periodic task"),
    ),
    "jobs.importmapping": (
        pgettext_lazy("definite article", "column mapping"),
        pgettext_lazy("indefinite article", "column mapping"),
    ),
    "webhooks.endpoint": (
        pgettext_lazy("definite article", "webhook endpoint"),
        pgettext_lazy("indefinite article", "webhook endpoint"),
    ),
    "webhooks.delivery": (
        pgettext_lazy("definite article", "webhook delivery"),
        pgettext_lazy("indefinite article", "webhook delivery"),
    ),
}


def form_title(label: str, *, add: bool, change: bool) -> str | None:
    """The title of a record's add, change or view form, or None for a model without its names here."""
    if label not in RECORD_NAMES:
        return None
    definite, indefinite = RECORD_NAMES[label]
    if add:
        return gettext("Add %(a_record)s") % {"a_record": indefinite}
    if change:
        return gettext("Change %(the_record)s") % {"the_record": definite}
    return gettext("View %(the_record)s") % {"the_record": definite}


def list_title(label: str, *, change: bool) -> str | None:
    """The title of a model's list, or None for a model without its names here."""
    if label not in RECORD_NAMES:
        return None
    indefinite = RECORD_NAMES[label][1]
    if change:
        return gettext("Select %(a_record)s to change") % {"a_record": indefinite}
    return gettext("Select %(a_record)s to view") % {"a_record": indefinite}


class NaturalTitles:
    """A ModelAdmin whose form and list titles come from ``RECORD_NAMES``: « Modifier l'organisation »,
    « Ajouter une personne », « Choisissez une convention à modifier »."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        title = form_title(self.opts.label_lower, add=add, change=not add and self.has_change_permission(request, obj))
        if title is not None:
            context["title"] = title
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        title = list_title(self.opts.label_lower, change=self.has_change_permission(request))
        if title is not None:
            add_title = form_title(self.opts.label_lower, add=True, change=False)
            extra_context = {"title": title, "add_title": add_title, **(extra_context or {})}
        return super().changelist_view(request, extra_context)
