"""The roles again, now that there is a job queue: administrators see, retry and cancel every job
(accounts.roles.sync_roles); everyone else sees only their own, without a permission."""

from importlib import import_module

from django.db import migrations

create_roles = import_module("accounts.migrations.0001_roles").create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles_cover_events_and_new_records"),
        ("jobs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
