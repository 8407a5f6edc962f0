"""Form widgets the site's pages share."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html


class SuggestedKeyInput(forms.TextInput):
    """A text box for a record's key (a slug) whose suggestions come from the server as the user types.

    A ``<select>`` would list every record in the page: twenty thousand organisations make a page of megabytes
    that takes seconds to render. This box sends what is typed to ``suggestions_url`` (htmx), which answers
    ``<option>`` elements for a ``<datalist>``; the browser offers them under the box. The datalist starts with
    the chosen record, so its name shows. ``choice_label`` names the chosen record from its key.
    """

    input_type = "search"

    def __init__(self, suggestions_url_name: str, choice_label=None, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.suggestions_url_name = suggestions_url_name
        self.choice_label = choice_label

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        datalist_id = f"{attrs.get('id') or name}-suggestions"
        attrs.update(
            {
                "list": datalist_id,
                "hx-get": reverse(self.suggestions_url_name),
                "hx-trigger": "input changed delay:200ms",
                "hx-target": f"#{datalist_id}",
                "hx-swap": "innerHTML",
                "hx-push-url": "false",  # the list's form pushes its own address; suggestions have none
                "hx-sync": "this:replace",  # a newer key press cancels the request of an older one
            }
        )
        box = super().render(name, value, attrs, renderer)
        label = self.choice_label(value) if value and self.choice_label else None
        chosen = format_html('<option value="{}">{}</option>', value, label) if label else ""
        return format_html('{}<datalist id="{}">{}</datalist>', box, datalist_id, chosen)
