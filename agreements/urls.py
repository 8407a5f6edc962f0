from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/<slug:slug>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("press-releases/", views.PressReleaseListView.as_view(), name="press_release_list"),
    path("press-releases/<slug:slug>/", views.PressReleaseDetailView.as_view(), name="press_release_detail"),
]
