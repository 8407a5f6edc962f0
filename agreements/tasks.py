"""Press-release ingestion on the job queue's workers: reading a release against every organisation and person
takes seconds at a million people (10 s for a seed release, 150 s for 200 000 characters, docs/benchmarks.md),
far too long for a web request."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import JobFailed, JobOutcome, job_task, start_job

from .ingestion import review_release, save_release


@job_task
def review_release_text(job, progress):
    """What the release states and how it matches the records, as the ingestion page shows it; writes nothing."""
    review = review_release(job.params["text"])
    preview = render_to_string("admin/agreements/pressrelease/includes/review.html", {"review": review})
    return JobOutcome(
        rows=len(review.contacts),
        result={
            "preview": preview,
            "can_save": review.can_save,
            "links": [
                {
                    "url": reverse("admin:agreements_pressrelease_ingest") + f"?job={job.pk}",
                    "label": _("Review and confirm"),
                }
            ],
        },
    )


@job_task
def store_release_text(job, progress):
    """The release read again (the records may have changed since the review) and stored with what it adds."""
    review = review_release(job.params["text"])
    if not review.can_save:
        raise JobFailed(" ".join(str(problem) for problem in review.problems) or _("The release cannot be stored."))
    release = save_release(review, user=job.owner, confirmed=job.params.get("confirmed", []))
    return JobOutcome(
        rows=len(review.contacts),
        result={
            "summary": _("The release “%(release)s” was stored with what it adds.") % {"release": release},
            "links": [
                {
                    "url": reverse("admin:agreements_pressrelease_change", args=[release.pk]),
                    "label": _("Open the release"),
                }
            ],
        },
    )


def start_ingestion(text: str, user, *, store: bool, confirmed=()) -> Job:
    """Read ``text`` (a review), or store it with what the reviewer ``confirmed`` (keys of its confirmations)."""
    return start_job(
        task_function=store_release_text if store else review_release_text,
        kind=Job.Kind.IMPORT,
        title=_("Press release: storing") if store else _("Press release: reading"),
        owner=user,
        params={"text": text, "confirmed": list(confirmed)},
        total=None,
    )
