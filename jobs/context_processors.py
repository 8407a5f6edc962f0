from .models import Job


def active_jobs(request):
    """How many of the user's jobs are queued or running, for the header's badge: one query, and only on a page
    that shows the header (the template calls it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"active_job_count": lambda: Job.objects.of(user).active().count()}
