"""Wagtail's own panels of the admin home, left out when they would show nothing
(portal/admin/wagtail_panels.py): an agent who edits no page gets the admin home without
the four moderation and editing queries; whoever has something in them still sees each
panel with its page."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.admin.views.home import (
    LockedPagesPanel,
    RecentEditsPanel,
    UserObjectsInWorkflowModerationPanel,
    WorkflowObjectsToModeratePanel,
)
from wagtail.log_actions import log
from wagtail.models import GroupApprovalTask, TaskState, WorkflowState

from espace_citoyen.accounts.groups import ensure_relations_population_group
from espace_citoyen.accounts.models import AccountStatus
from espace_citoyen.portal.admin import wagtail_panels as wagtail_panels_module
from espace_citoyen.portal.admin.panels import ToProcessPanel
from espace_citoyen.portal.admin.wagtail_panels import leave_out_empty_wagtail_panels

pytestmark = pytest.mark.django_db

User = get_user_model()
ADMIN_HOME = "/admin/"
# Awaiting your review, your pages in a workflow, your most recent edits, your locked pages.
PANEL_IDS = ("awaiting-review", "objects-in-workflow", "recent-edits", "locked-pages")
WAGTAIL_PANEL_TABLES = ("wagtailcore_taskstate", "wagtailcore_workflowstate", "wagtailcore_pagelogentry")


@pytest.fixture
def population_agent(db):
    user = User.objects.create_user("agent.panneaux.wagtail@ville-villennes-sur-seine.fr", "Panneaux-Wagtail-2026",
                                    first_name="Agent", last_name="Panneaux", is_staff=True,
                                    status=AccountStatus.ACTIVE)
    user.groups.add(ensure_relations_population_group())
    return user


def admin_home(user, otp_login) -> str:
    client = Client()
    otp_login(client, user)
    response = client.get(ADMIN_HOME)
    assert response.status_code == 200
    return response.content.decode()


def shown_panels(content: str) -> set[str]:
    return {panel for panel in PANEL_IDS if f'id="{panel}-section"' in content}


def panel_text(content: str, panel: str) -> str:
    return BeautifulSoup(content, "html.parser").find(id=f"{panel}-section").get_text(" ")


def test_an_agent_who_edits_no_page_gets_the_home_without_wagtails_panels_in_one_query(population_agent, otp_login):
    assert not TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS).exists()
    assert not WorkflowState.objects.active().exists()

    client = Client()
    otp_login(client, population_agent)
    client.get(ADMIN_HOME)  # the first visit compiles the query
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ADMIN_HOME)

    assert response.status_code == 200
    content = response.content.decode()
    assert shown_panels(content) == set()
    assert "À traiter" in content  # the citizen space's own panel stays
    wagtail_panel_queries = [query["sql"] for query in queries
                             if any(table in query["sql"] for table in WAGTAIL_PANEL_TABLES)
                             or '"locked_by_id" =' in query["sql"]]
    # One query asks the four questions; without it, each panel runs its own.
    assert len(wagtail_panel_queries) == 1, wagtail_panel_queries


def test_each_panel_shows_its_page_to_whom_it_concerns(editor, superuser, population_agent, page_by_path,
                                                      otp_login):
    assert shown_panels(admin_home(editor, otp_login)) == set()

    # The editor locks a page, edits another and submits a third to moderation.
    locked = page_by_path("/actualites/")
    locked.locked, locked.locked_by, locked.locked_at = True, editor, timezone.now()
    locked.save(update_fields=["locked", "locked_by", "locked_at"])
    edited = page_by_path("/espace-citoyen-mode-d-emploi/")
    log(instance=edited, action="wagtail.edit", user=editor)
    submitted = page_by_path("/actualites/marche-de-noel/")
    submitted.save_revision(user=editor)
    workflow_state = submitted.get_workflow().start(submitted, editor)

    editor_home = admin_home(editor, otp_login)
    # The editor belongs to the Communication group, the page's reviewers.
    assert shown_panels(editor_home) == set(PANEL_IDS)
    assert locked.title in panel_text(editor_home, "locked-pages")
    assert edited.title in panel_text(editor_home, "recent-edits")
    assert submitted.title in panel_text(editor_home, "awaiting-review")
    assert submitted.title in panel_text(editor_home, "objects-in-workflow")

    # The superuser may review it, and has neither edited nor locked anything.
    superuser_home = admin_home(superuser, otp_login)
    assert shown_panels(superuser_home) == {"awaiting-review"}
    assert submitted.title in panel_text(superuser_home, "awaiting-review")

    # The agent of the Relations population reviews no page: Wagtail's panel runs and shows nothing.
    assert shown_panels(admin_home(population_agent, otp_login)) == set()

    # The superuser asks for changes: nothing left to review, the page is still in its workflow.
    task_state = workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, superuser, "reject")
    workflow_state.refresh_from_db()
    assert workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert shown_panels(admin_home(editor, otp_login)) == {"objects-in-workflow", "recent-edits", "locked-pages"}

    # The lock is released and the workflow cancelled: these panels go.
    locked.locked = False
    locked.save(update_fields=["locked"])
    workflow_state.cancel(user=editor)
    assert shown_panels(admin_home(editor, otp_login)) == {"recent-edits"}


def test_the_review_panel_is_kept_while_a_task_of_another_kind_is_installed(population_agent, monkeypatch):
    request = RequestFactory().get(ADMIN_HOME)
    request.user = population_agent
    wagtail_panels = [WorkflowObjectsToModeratePanel(), UserObjectsInWorkflowModerationPanel(), RecentEditsPanel(),
                      LockedPagesPanel()]
    ours = ToProcessPanel()

    panels = [*wagtail_panels, ours]
    leave_out_empty_wagtail_panels(request, panels)
    assert panels == [ours]  # nothing in progress, nothing edited nor locked

    # A task type of the town's own, which may put any task state before a reviewer (a stand-in:
    # a Task subclass defined here would stay registered for the other tests).
    review_by_the_mayor = type("ReviewByTheMayorTask", (), {})
    monkeypatch.setattr(wagtail_panels_module, "get_task_types", lambda: [GroupApprovalTask, review_by_the_mayor])
    panels = [*wagtail_panels, ours]
    leave_out_empty_wagtail_panels(request, panels)
    assert panels == [wagtail_panels[0], ours]
