"""The daily digest of follow-ups: one email to each member of staff who has follow-ups overdue or due today, with
those of the next days, in their language, sent through Django's email backend (EMAIL_* settings).

At most one digest a day to each person: a ``DigestSent`` row, unique by person and day, is written in the same
transaction as the sending, so that a second run the same day (or a second worker) sends nothing, and a failed
sending is tried again at the next run.
"""

import logging
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jobs.models import Job

from .models import DigestSent, FollowUp

logger = logging.getLogger(__name__)

# The digest also lists what is due in the next days, so that nobody is surprised tomorrow.
UPCOMING_DAYS = 7


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def reader_language(user) -> str:
    """The language the person last used the CRM in, as far as it knows (their latest job records it), else the
    site's own."""
    known = {code for code, _name in settings.LANGUAGES}
    language = getattr(user, "digest_language", None) or ""
    return language if language in known else settings.LANGUAGE_CODE


def recipients(user_ids):
    """The users to write to, each with ``digest_language``: one query."""
    latest_language = (
        Job.objects.filter(owner=OuterRef("pk")).exclude(language="").order_by("-created_at").values("language")[:1]
    )
    return get_user_model().objects.filter(pk__in=user_ids).annotate(digest_language=Subquery(latest_language))


def follow_ups_by_assignee(today: date) -> dict[int, list[FollowUp]]:
    """The follow-ups still to do up to ``UPCOMING_DAYS`` ahead, of active users with an email address who have at
    least one overdue or due today and no digest yet today, by assignee, the most overdue first."""
    due = (
        FollowUp.objects.open()
        .filter(
            due_on__lte=today + timedelta(days=UPCOMING_DAYS),
            assigned_to__is_active=True,
        )
        .exclude(assigned_to__email="")
        .exclude(assigned_to__follow_up_digests__sent_on=today)
        .prefetch_related("people", "organisations")
        .order_by("assigned_to_id", "due_on", "pk")
    )
    by_assignee = defaultdict(list)
    for follow_up in due:
        by_assignee[follow_up.assigned_to_id].append(follow_up)
    return {user_id: items for user_id, items in by_assignee.items() if items[0].due_on <= today}


def digest_message(user, follow_ups: list[FollowUp], today: date) -> EmailMultiAlternatives:
    """The email for ``user``, in the language active when it is called."""
    overdue = [follow_up for follow_up in follow_ups if follow_up.due_on < today]
    due_today = [follow_up for follow_up in follow_ups if follow_up.due_on == today]
    upcoming = [follow_up for follow_up in follow_ups if follow_up.due_on > today]
    for follow_up in follow_ups:
        follow_up.url = absolute_url(follow_up.get_absolute_url())
        follow_up.days_late = (today - follow_up.due_on).days
    count = len(overdue) + len(due_today)
    subject = ngettext("%(count)d follow-up to do", "%(count)d follow-ups to do", count) % {"count": count}
    if overdue:
        subject += " " + ngettext("(%(count)d overdue)", "(%(count)d overdue)", len(overdue)) % {"count": len(overdue)}
    context = {
        "user": user,
        "name": user.get_short_name() or user.get_full_name() or user.get_username(),
        "today": today,
        "overdue": overdue,
        "due_today": due_today,
        "upcoming": upcoming,
        "upcoming_days": UPCOMING_DAYS,
        "list_url": absolute_url(reverse("interactions:follow_up_list")),
        "site_name": _("Cluster CRM"),
    }
    message = EmailMultiAlternatives(
        subject=f"{_('Cluster CRM')} · {subject}",
        body=render_to_string("interactions/emails_digest/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(render_to_string("interactions/emails_digest/digest.html", context), "text/html")
    return message


def send_follow_up_digests(*, today: date | None = None) -> int:
    """Send today's digest to each member of staff who has something overdue or due today and was not sent it
    yet; how many were sent."""
    today = today or timezone.localdate()
    by_assignee = follow_ups_by_assignee(today)
    sent = 0
    for user in recipients(by_assignee):
        follow_ups = by_assignee[user.pk]
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, sent_on=today, follow_up_count=len(follow_ups))
                with translation.override(reader_language(user)):
                    digest_message(user, follow_ups, today).send()
        except IntegrityError:
            continue  # another worker sent it meanwhile
        except OSError:
            # The mail server refused or could not be reached: nothing recorded, the next run tries again.
            logger.exception("The follow-up digest of user %s could not be sent", user.pk)
            continue
        sent += 1
    return sent
