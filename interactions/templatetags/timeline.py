"""``{% timeline person %}``: a person's or an organisation's timeline, in the pages of apps that may not import this
one (contacts, clusters). The whole page renders the first page of it; htmx then turns the pages and swaps it after a
quick-add."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def timeline(context, record):
    from interactions.views import timeline_html  # the views import the models, loaded once the apps are ready

    request = context.get("request")
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return ""
    return timeline_html(request, record)
