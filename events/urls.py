from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.EventListView.as_view(), name="event_list"),
    path("<slug:slug>/", views.EventDetailView.as_view(), name="event_detail"),
    path("<slug:slug>/<int:pk>/", views.EditionDetailView.as_view(), name="edition_detail"),
    path("<slug:slug>/<int:pk>/invite-list/", views.InviteListView.as_view(), name="invite_list"),
    path("<slug:slug>/<int:pk>/invite-search/", views.InviteSearchView.as_view(), name="invite_search"),
    path("<slug:slug>/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
]
