from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, field, label):
    """A column header cell that sorts by ``field``, and reverses the order when clicked again.

    The other filters stay in the address; the page number goes, since the rows change.
    """
    request = context["request"]
    current = request.GET.get("o", "")
    query = request.GET.copy()
    query.pop("page", None)
    if current == field:
        query["o"] = f"-{field}"
        state, arrow = "ascending", " ▲"
    elif current == f"-{field}":
        query["o"] = field
        state, arrow = "descending", " ▼"
    else:
        query["o"] = field
        state, arrow = "none", ""
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="?{}" class="sort-link">{}{}</a></th>',
        state,
        query.urlencode(),
        label,
        arrow,
    )


@register.filter
def duration(value: timedelta) -> str:
    """A length of time in words, in the page's language, as Django's ``timesince`` writes it: "1 hour", "1 heure"."""
    now = timezone.now()
    return timesince(now - value, now)


@register.filter
def filters_in_use(form, left_out: str = "q,o") -> int:
    """How many of a filter form's fields hold a value, the search box and the sort order (``left_out``) aside:
    the filters drawer opens on a phone only when some filter narrows the list."""
    skipped = left_out.split(",")
    if not form.is_bound:
        return 0
    return sum(1 for name in form.changed_data if name not in skipped)
