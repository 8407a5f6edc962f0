"""The interactions' pages: the timeline and its quick-add, the follow-ups, emails read from files, the review of
people kept without a reason. Each section's views live in their own module."""

from django.urls import path  # noqa: F401 (each section below adds its paths)

app_name = "interactions"

urlpatterns = [
    # Interactions and the timelines (interactions/views.py)
    # Follow-ups (interactions/follow_up_views.py)
    # Emails read from .eml files (interactions/email_views.py)
    # Retention review (interactions/retention_views.py)
]
