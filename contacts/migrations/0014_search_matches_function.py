"""On PostgreSQL, crm_search_matches(): the directory's matches read through the trigram index alone (core.search)."""

from django.db import migrations

from core.search import create_search_function, drop_search_function


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0013_search_text_other_names"),
    ]

    operations = [
        migrations.RunPython(create_search_function, drop_search_function, elidable=False),
    ]
