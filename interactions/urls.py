"""The interactions' pages: the timeline and its quick-add, the follow-ups, emails read from files, the review of
people kept without a reason. Each section's views live in their own module."""

from django.urls import path

from . import email_views, follow_up_views, retention_views
from . import views as interaction_views

app_name = "interactions"

urlpatterns = [
    # Interactions and the timelines (interactions/views.py)
    path("", interaction_views.InteractionListView.as_view(), name="interaction_list"),
    path("<int:pk>/", interaction_views.InteractionDetailView.as_view(), name="interaction_detail"),
    path("<int:pk>/edit/", interaction_views.InteractionEditView.as_view(), name="interaction_edit"),
    path("<int:pk>/delete/", interaction_views.InteractionDeleteView.as_view(), name="interaction_delete"),
    path(
        "timeline/person/<slug:slug>/",
        interaction_views.TimelineView.as_view(record_type="person"),
        name="person_timeline",
    ),
    path(
        "timeline/organisation/<slug:slug>/",
        interaction_views.TimelineView.as_view(record_type="organisation"),
        name="organisation_timeline",
    ),
    path("log/person/<slug:slug>/", interaction_views.QuickAddView.as_view(record_type="person"), name="person_log"),
    path(
        "log/organisation/<slug:slug>/",
        interaction_views.QuickAddView.as_view(record_type="organisation"),
        name="organisation_log",
    ),
    # Follow-ups (interactions/follow_up_views.py)
    path("follow-ups/", follow_up_views.FollowUpListView.as_view(), name="follow_up_list"),
    path("follow-ups/new/", follow_up_views.FollowUpCreateView.as_view(), name="follow_up_create"),
    path("follow-ups/suggestions/people/", follow_up_views.PersonSuggestionsView.as_view(), name="person_suggestions"),
    path("follow-ups/<int:pk>/", follow_up_views.FollowUpDetailView.as_view(), name="follow_up_detail"),
    path("follow-ups/<int:pk>/edit/", follow_up_views.FollowUpUpdateView.as_view(), name="follow_up_update"),
    path("follow-ups/<int:pk>/done/", follow_up_views.FollowUpCompleteView.as_view(), name="follow_up_complete"),
    path("follow-ups/<int:pk>/reopen/", follow_up_views.FollowUpReopenView.as_view(), name="follow_up_reopen"),
    # Emails read from .eml files (interactions/email_views.py)
    path("emails/import/", email_views.EmailImportView.as_view(), name="email_import"),
    path("emails/import/result/", email_views.EmailImportResultView.as_view(), name="email_import_result"),
    path("emails/<int:pk>/new-person/", email_views.EmailPersonCreateView.as_view(), name="email_create_person"),
    # Retention review (interactions/retention_views.py)
    path("retention/", retention_views.RetentionReviewView.as_view(), name="retention_review"),
]
