"""How many of the user's follow-ups are due today or overdue, for the header's badge."""

from django.utils import timezone

from .models import FollowUp


def follow_ups_due(request):
    """One query, through the index of open follow-ups (``follow_up_open_idx``: assignee, due date), and only on a
    page whose header shows the badge (the template calls it); none for a visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "follow_ups_due_count": lambda: (
            FollowUp.objects.open().assigned_to(user).filter(due_on__lte=timezone.localdate()).count()
        )
    }
