"""Emails read from .eml files: the upload (from a person's page or its own page), the result of an upload, and a new
person made from an address an email named. The back office's upload of several files is ``admin_emails``.

The result of an upload is kept in the uploader's session (the last few), so that the result page can be reloaded
and returned to after creating a person, while the files themselves are never kept."""

import secrets
import time
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import slug_re
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from contacts.models import Person
from contacts.normalisation import normalise_email
from core.pages import StaffPageMixin
from core.views import see_other

from .email_forms import EmailUploadForm, NewPersonForm
from .emails import Address, EmailImport, import_email, link_person_by_address, names_of, people_by_address, size_error
from .models import Interaction

# The longest an upload reads files for: a hostile 10 MB email takes up to 2.5 s to read.
UPLOAD_SECONDS = 15
SESSION_KEY = "email_imports"
MAX_UNKNOWN_LISTED = 100  # of a mailing's recipients, the first ones are listed
KEPT_BATCHES = 5
_TOKEN_LENGTH = 16


def import_uploads(uploads, *, user, person: Person | None = None) -> list[EmailImport]:
    """Each uploaded file logged as an interaction (or refused, saying why), in the order chosen. Files left when
    the request has taken ``UPLOAD_SECONDS`` are not read (the server ends a request at 30 s): they are to be sent
    again."""
    results = []
    deadline = time.monotonic() + UPLOAD_SECONDS
    for upload in uploads:
        name = PurePath((upload.name or "").replace("\\", "/")).name.replace("\x00", "")[:200] or _("unnamed file")
        if time.monotonic() > deadline:
            results.append(EmailImport(file_name=name, error=_("Not read: the upload took too long. Send it again.")))
            continue
        error = size_error(upload.size)
        if error:
            results.append(EmailImport(file_name=name, error=error))
            continue
        data = b"".join(upload.chunks())
        results.append(import_email(data=data, file_name=name, user=user, person=person))
    return results


def remember(request, results: list[EmailImport], *, person: Person | None = None) -> str:
    """Keep ``results`` in the session (plain values, no file) and return the token the result page reads them by."""
    token = secrets.token_hex(_TOKEN_LENGTH // 2)
    batch = {
        "person": person.pk if person else None,
        "files": [
            {
                "name": result.file_name,
                "interaction": result.interaction.pk if result.interaction else None,
                "already_logged": result.already_logged.pk if result.already_logged else None,
                "error": result.error,
                "unknown": [[address.email, address.name] for address in result.unknown[:MAX_UNKNOWN_LISTED]],
                "unknown_more": max(0, len(result.unknown) - MAX_UNKNOWN_LISTED),
                "attachments": result.attachments,
                "date_from_upload": result.date_from_upload,
                "text_cut": result.text_cut,
            }
            for result in results
        ],
    }
    batches = dict(request.session.get(SESSION_KEY) or {})
    batches[token] = batch
    request.session[SESSION_KEY] = dict(list(batches.items())[-KEPT_BATCHES:])
    return token


def recall(request, token: str) -> dict | None:
    batches = request.session.get(SESSION_KEY) or {}
    if not token and batches:
        token = list(batches)[-1]
    return batches.get(token)


def posted_token(value: str) -> str:
    """A batch's token as the query string gives it, or "" if it cannot be one."""
    return value if len(value) == _TOKEN_LENGTH and all(char in "0123456789abcdef" for char in value) else ""


def interaction_url(interaction: Interaction) -> str:
    """The interaction's page, or its back-office form where the site has no page for it."""
    try:
        return interaction.get_absolute_url()
    except NoReverseMatch:
        return reverse("admin:interactions_interaction_change", args=[interaction.pk])


def describe(batch: dict, *, token: str, user) -> list[dict]:
    """The files of a batch as the result page shows them: the interactions read again (with whoever was linked
    since), each unknown address with the person who has it now, if any."""
    keys = {entry["interaction"] or entry["already_logged"] for entry in batch["files"]} - {None}
    interactions = Interaction.objects.with_people().in_bulk(keys)
    addresses = {address for entry in batch["files"] for address, _name in entry["unknown"]}
    owners = people_by_address(sorted(addresses)) if addresses else {}
    may_create = user.has_perm("contacts.add_person")
    rows = []
    for entry in batch["files"]:
        interaction = interactions.get(entry["interaction"] or entry["already_logged"])
        linked = {person.pk for person in interaction.people.all()} if interaction else set()
        unknown = []
        for address, name in entry["unknown"] if interaction else []:
            owner = next(iter(owners.get(address, [])), None)
            link = ""
            if may_create and (owner is None or owner.pk not in linked):
                query = urlencode({"email": address, "name": name, "batch": token})
                link = f"{reverse('interactions:email_create_person', args=[interaction.pk])}?{query}"
            unknown.append(
                {
                    "address": Address(email=address, name=name),
                    "owner": owner,
                    "linked": owner is not None and owner.pk in linked,
                    "url": link,
                }
            )
        rows.append(
            {
                **entry,
                "interaction": interaction if entry["interaction"] else None,
                "already_logged": interaction if entry["already_logged"] else None,
                "url": interaction_url(interaction) if interaction else "",
                "unknown": unknown,
            }
        )
    return rows


class EmailImportView(StaffPageMixin, FormView):
    """Upload one or several .eml files; from a person's page (``?person=<slug>``), that person is linked to each
    email, whether or not their address is in it."""

    permission_required = "interactions.add_interaction"
    form_class = EmailUploadForm
    template_name = "interactions/emails/import.html"

    @cached_property
    def person(self) -> Person | None:
        slug = self.request.GET.get("person", "")
        if not slug:
            return None
        if not slug_re.match(slug):
            raise Http404
        return get_object_or_404(Person, slug=slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person,
            max_files=settings.EMAIL_IMPORT_MAX_FILES,
            max_bytes=settings.EMAIL_IMPORT_MAX_BYTES,
            **kwargs,
        )

    def form_valid(self, form):
        results = import_uploads(form.cleaned_data["files"], user=self.request.user, person=self.person)
        token = remember(self.request, results, person=self.person)
        return see_other(f"{reverse('interactions:email_import_result')}?{urlencode({'batch': token})}")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class EmailImportResultView(StaffPageMixin, TemplateView):
    """What became of each file of an upload: the interaction logged and whom it links, the addresses of no one
    (to create the person), the attachments not kept, the files refused."""

    permission_required = "interactions.add_interaction"
    template_name = "interactions/emails/result.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = posted_token(self.request.GET.get("batch", ""))
        batch = recall(self.request, token)
        if batch is not None and not token:
            token = list(self.request.session[SESSION_KEY])[-1]
        person = Person.objects.filter(pk=batch["person"]).first() if batch and batch["person"] else None
        context.update(
            batch=batch,
            person=person,
            rows=describe(batch, token=token, user=self.request.user) if batch else [],
        )
        return context


class EmailPersonCreateView(StaffPageMixin, FormView):
    """A person made from an address an email named, linked to that email's interaction; if someone has the address
    by now, that person is linked instead."""

    permission_required = ("contacts.add_person", "interactions.add_interaction")
    model = Interaction  # the browser gate (tools/pages.py) fills <pk> from the first interaction
    form_class = NewPersonForm
    template_name = "interactions/emails/new_person.html"

    def has_permission(self):
        return super().has_permission() and self.interaction.may_be_changed_by(self.request.user)

    @cached_property
    def interaction(self) -> Interaction:
        return get_object_or_404(Interaction, pk=self.kwargs["pk"])

    @cached_property
    def token(self) -> str:
        return posted_token(self.request.GET.get("batch", ""))

    def get_initial(self):
        address = Address(
            email=normalise_email(self.request.GET.get("email", "").replace("\x00", ""))[:254],
            name=" ".join(self.request.GET.get("name", "").replace("\x00", "").split())[:240],
        )
        given_name, family_name = names_of(address)
        return {"email": address.email, "given_name": given_name[:120], "family_name": family_name[:120]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        email = normalise_email(str(form["email"].value() or ""))
        owners = people_by_address([email]).get(email) if email else None
        context.update(
            interaction=self.interaction,
            interaction_url=interaction_url(self.interaction),
            owner=owners[0] if owners else None,
            back_url=self.back_url(),
        )
        return context

    def back_url(self) -> str:
        if self.token and recall(self.request, self.token) is not None:
            return f"{reverse('interactions:email_import_result')}?{urlencode({'batch': self.token})}"
        return interaction_url(self.interaction)

    def form_valid(self, form):
        try:
            person, created = link_person_by_address(
                interaction=self.interaction,
                email=form.cleaned_data["email"],
                given_name=form.cleaned_data["given_name"],
                family_name=form.cleaned_data["family_name"],
            )
        except ValidationError as error:
            add_model_errors(form, error)
            return self.form_invalid(form)
        if created:
            message = _("%(person)s was created and linked to this email.")
        else:
            message = _("%(person)s already had this address: they are now linked to this email.")
        messages.success(self.request, message % {"person": person})
        return HttpResponseRedirect(self.back_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def add_model_errors(form, error: ValidationError) -> None:
    """A model's validation errors on the form: on their field when the form has it, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else NON_FIELD_ERRORS, errors)
