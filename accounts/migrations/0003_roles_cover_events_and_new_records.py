"""The roles again, now that events have an app of their own and every record has a history and a version: each
group gets the permissions of the new and moved models (accounts.roles.sync_roles)."""

from importlib import import_module

from django.db import migrations

create_roles = import_module("accounts.migrations.0001_roles").create_roles


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens_hashed"),
        ("events", "0001_events_in_their_own_app"),
        ("contacts", "0011_events_in_their_own_app"),
        ("clusters", "0006_versions_and_histories_everywhere"),
        ("agreements", "0004_versions_and_histories_everywhere"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
