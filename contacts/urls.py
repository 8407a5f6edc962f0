from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("", views.PersonListView.as_view(), name="person_list"),
    path("export/", views.PersonExportView.as_view(), name="export"),
    path("export/left-out/", views.LeftOutOfExportView.as_view(), name="export_left_out"),
    path("lists/", views.ContactListIndexView.as_view(), name="list_index"),
    path("lists/new/", views.ContactListCreateView.as_view(), name="list_create"),
    path("lists/add/", views.ContactListAddView.as_view(), name="list_add"),
    path("lists/<slug:slug>/", views.ContactListDetailView.as_view(), name="list_detail"),
    path("lists/<slug:slug>/remove/", views.ContactListRemoveView.as_view(), name="list_remove"),
    path("lists/<slug:slug>/export/", views.ContactListExportView.as_view(), name="list_export"),
    path("<slug:slug>/consent/", views.ConsentCreateView.as_view(), name="consent_create"),
    path("<slug:slug>/", views.PersonDetailView.as_view(), name="person_detail"),
]
