"""The interactions' periodic task: the daily digest of follow-ups (``interactions.digest``), listed in the
JOBS_PERIODIC_TASKS setting for the job queue's scheduler (``jobs.schedule``)."""

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import digest


@task()
def send_follow_up_digests() -> int:
    """Runs every hour; sends the day's digests from FOLLOW_UP_DIGEST_HOUR (local time), once a day to each person:
    they arrive in the morning whenever the workers were started, and a worker down at that hour sends them when it
    is back."""
    if timezone.localtime().hour < settings.FOLLOW_UP_DIGEST_HOUR:
        return 0
    return digest.send_follow_up_digests()
