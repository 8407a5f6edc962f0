"""The webhooks' work on the job queue's workers (``manage.py worker``)."""

from django_tasks import task

from . import services


@task()
def deliver(delivery_pk: int, attempt: int) -> str:
    return services.attempt_delivery(delivery_pk, attempt)
