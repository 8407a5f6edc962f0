"""The four roles staff are given, as Django groups: what each may do in the CRM's apps.

- Lecteur: look at everything (every ``view_`` permission).
- Éditeur: look, add and change (``view_``, ``add_``, ``change_``): edit records, import, build lists.
- Exports: look, and export contacts (``contacts.export_contacts``).
- Administrateur: everything in the CRM's apps, deleting and merging included, and every job of the queue
  (``jobs``: seeing, retrying and cancelling anyone's), and the webhooks (``webhooks``: endpoints, deliveries).
  Everyone sees their own jobs without a permission.

``sync_roles`` sets each group's permissions from these rules; the data migration that creates the groups
calls it, and a later migration that adds a model calls it again so the roles cover the new model.
"""

from django.apps import apps as global_apps

CRM_APPS = ("clusters", "contacts", "events", "agreements", "interactions")
# Apps whose permissions only administrators get.
ADMINISTRATOR_APPS = ("jobs", "webhooks")

ROLES = {
    "Lecteur": lambda codename: codename.startswith("view_"),
    "Éditeur": lambda codename: codename.startswith(("view_", "add_", "change_")),
    "Exports": lambda codename: codename.startswith("view_") or codename == "export_contacts",
    "Administrateur": lambda codename: True,
}


def sync_roles(apps=global_apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label__in=CRM_APPS))
    administration = list(Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS))
    for name, allows in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        chosen = [permission for permission in permissions if allows(permission.codename)]
        if name == "Administrateur":
            chosen += administration
        group.permissions.set(chosen)
