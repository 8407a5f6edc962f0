"""The roles again, now that there are interactions and follow-ups: a Lecteur reads them, an Éditeur logs and
changes them, an Administrateur also deletes them (accounts.roles.sync_roles)."""

from importlib import import_module

from django.db import migrations

create_roles = import_module("accounts.migrations.0001_roles").create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_roles_cover_jobs"),
        ("interactions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
