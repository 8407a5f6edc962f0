from django.urls import path

from .views import DuplicatesView, MergeView

urlpatterns = [
    path("", DuplicatesView.as_view(), name="duplicates"),
    path("merge/", MergeView.as_view(), name="merge"),
]
