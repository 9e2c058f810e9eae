"""Every URL pattern of the project, resolved from the URLconf, with its path converters
filled from the demo data: the walks of tests/test_crafted_input.py (no 5xx on crafted
query values) and tests/test_private_no_store.py (Cache-Control on every private page)
use it, so that a new view is walked the day it is added.

``walk_patterns()`` lists (route, name, pattern) for every pattern; ``DemoIds.load()`` reads
plausible ids from the demo content (the Bernard household of camille.bernard@example.org,
the news pages, Wagtail's images and documents...); ``fill(route, pattern, ids)`` builds a
concrete path."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

PARENT_EMAIL = "camille.bernard@example.org"
_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def walk_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(route, name, URLPattern) for every pattern of the URLconf, resolvers flattened."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from walk_patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def _first_pk(model, **filters):
    if model is None:
        return None
    try:
        return model._default_manager.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    except Exception:  # abstract or unusual managers: fall back to a plain id
        return None


@dataclass
class DemoIds:
    """Ids read once from the demo content."""

    by_name: dict = field(default_factory=dict)
    page_paths: list = field(default_factory=list)
    snippet: tuple = ("news", "newscategory", 1)
    citizen_document: int = 1
    demarche_number: str = "x"
    message_page: int = 1
    school_year_label: str = "2026-2027"

    @classmethod
    def load(cls) -> DemoIds:
        from django.contrib.auth import get_user_model
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Collection, Page, Revision, Task, TaskState, Workflow, WorkflowState
        from wagtail.snippets.models import get_snippet_models

        from espace_citoyen.activities.models import Occurrence, SchoolYear, WaitingListEntry
        from espace_citoyen.demarches.models import Demarche
        from espace_citoyen.documents.models import Document
        from espace_citoyen.family.models import Child, Invitation
        from news.models import NewsPage, ServiceMessagePage

        parent = get_user_model().objects.get(email=PARENT_EMAIL)
        child = Child.objects.filter(household__memberships__user=parent).order_by("pk").first()
        news_page = NewsPage.objects.live().order_by("pk").first()
        revision = Revision.page_revisions.filter(object_id=str(news_page.pk)).order_by("-pk").first()
        occurrence = Occurrence.objects.filter(activity__dossiers__child=child).order_by("date").first() \
            or Occurrence.objects.order_by("pk").first()
        ids = cls()
        ids.by_name = {
            "page_id": news_page.pk, "parent_page_id": news_page.get_parent().pk, "page_pk": news_page.pk,
            "page_to_move_id": news_page.pk, "destination_id": news_page.get_parent().pk,
            "image_id": _first_pk(get_image_model()), "document_id": _first_pk(get_document_model()),
            "doc_id": _first_pk(get_document_model()), "doc_pk": _first_pk(get_document_model()),
            "collection_id": _first_pk(Collection), "revision_id": revision.pk if revision else 1,
            "revision_id_a": "earliest", "revision_id_b": "latest",
            "task_id": _first_pk(Task), "workflow_pk": _first_pk(Workflow), "task_state_id": _first_pk(TaskState),
            "workflow_state_id": _first_pk(WorkflowState), "child_id": child.pk,
            "occurrence_id": occurrence.pk if occurrence else 1,
            "entry_id": _first_pk(WaitingListEntry, child=child),
            "invitation_id": _first_pk(Invitation, household__memberships__user=parent),
            "demarche_pk": _first_pk(Demarche, user=parent), "restriction_id": 1,
            "page_view_restriction_id": 1, "uploaded_file_id": 1, "session_id": 1,
            "filter_spec": "original", "action_name": "delete", "action": "delete",
            "uidb64": "MQ", "token": "jeton-invalide", "object_id": 1,
        }
        for model in get_snippet_models():
            pk = _first_pk(model)
            if pk is not None:
                ids.snippet = (model._meta.app_label, model._meta.model_name, pk)
                break
        ids.citizen_document = _first_pk(Document, owner=parent) or 1
        demarche = Demarche.objects.filter(user=parent).order_by("pk").first()
        ids.demarche_number = demarche.number if demarche else "x"
        ids.message_page = _first_pk(ServiceMessagePage) or 1
        year = SchoolYear.objects.order_by("-starts_on").first()
        ids.school_year_label = year.label if year else "2026-2027"
        # One live page of each page type (Wagtail's catch-all serve pattern).
        seen = set()
        for page in Page.objects.live().filter(depth__gt=1).specific().order_by("path"):
            if type(page) not in seen:
                seen.add(type(page))
                ids.page_paths.append(page.url_path[len(page.get_site().root_page.url_path) - 1:])
        return ids

    def value(self, name: str, kind: str, route: str, pattern) -> str:
        if name == "pk" and route.startswith("espace-citoyen/documents/"):
            return str(self.citizen_document)
        if name == "number":
            return self.demarche_number
        if name == "page_id" and route.startswith("espace-citoyen/messages/"):
            return str(self.message_page)
        if name == "school_year_label":
            return self.school_year_label
        if name == "day":  # an agenda day (absence report): today
            from django.utils import timezone

            return timezone.localdate().isoformat()
        if name in {"app_label", "app_name", "content_type_app_name"}:
            return self.snippet[0]
        if name in {"model_name", "content_type_model_name"}:
            return self.snippet[1]
        if name in {"pk", "object_id"}:
            callback = pattern.callback
            model = getattr(callback, "view_initkwargs", {}).get("model") \
                or getattr(getattr(callback, "view_class", None), "model", None)
            if "snippets/" in route:
                return str(self.snippet[2])
            if "pages/" in route and model is None:
                return str(self.by_name["page_id"])
            return str(_first_pk(model) or 1)
        value = self.by_name.get(name)
        if value is None:
            return "1" if kind in {"int", ""} else "x"
        return str(value)


def fill(route: str, pattern, ids: DemoIds) -> list[str]:
    """Concrete paths for a route: converters filled; Wagtail's catch-all page pattern gives one
    path per page type; other regex routes get their named groups filled."""
    if route.startswith("^((?:"):
        return list(ids.page_paths)
    path = _CONVERTER.sub(lambda m: ids.value(m["name"], m["kind"] or "str", route, pattern), route)
    if "(" in path or "^" in path:
        path = _REGEX_GROUP.sub(lambda m: ids.value(m["name"], "int", route, pattern), path)
        path = path.replace("(.*)", "fichier.pdf").replace(r"(\d+)", "1")
        path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
    return ["/" + path]
