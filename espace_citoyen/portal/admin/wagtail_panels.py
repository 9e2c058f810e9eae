"""Wagtail's own panels of the admin home, left out when they would show nothing (issue 14).

Wagtail puts four panels on the admin home: pages awaiting the agent's review, the agent's
pages in a workflow, their most recent edits and their locked pages. Each one queries and
renders its template at every visit, and renders nothing when its list is empty
(`{% if states %}` and the like). The agents of the services edit no page: the four cost
them 10.8 ms of the admin home's 22 ms of CPU, to show nothing (10,000-household dataset,
4 December 2026).

One query, compiled once per database connection (core.compiled_query), asks four questions,
each true whenever its panel has something to show:
- "Awaiting your review": a task in progress, anywhere. Wagtail's tasks (GroupApprovalTask,
  and Task that gives nobody anything to review) put only tasks in progress before a
  reviewer. A task type of another kind may choose otherwise: while one is installed, this
  panel is always kept.
- "Your pages and snippets in a workflow": a workflow in progress or sent back for changes,
  anywhere (Wagtail's `WorkflowState.objects.active()`).
- "Your most recent edits": an edit of a page by this agent in the pages' log.
- "Your locked pages": a page locked by this agent.

A panel whose question answers no is left out; otherwise Wagtail's panel runs unchanged and
decides what it shows. Panels of other types (ours, or a subclass of Wagtail's) are kept."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from wagtail.admin.views.home import (
    LockedPagesPanel,
    RecentEditsPanel,
    UserObjectsInWorkflowModerationPanel,
    WorkflowObjectsToModeratePanel,
)
from wagtail.models import GroupApprovalTask, Page, PageLogEntry, TaskState, WorkflowState
from wagtail.workflows import get_task_types

from espace_citoyen.core.compiled_query import CompiledQuery

# Each of Wagtail's panels and the annotation that says it may have something to show.
QUESTION_OF_PANEL = {
    WorkflowObjectsToModeratePanel: "wagtail_task_in_progress",
    UserObjectsInWorkflowModerationPanel: "wagtail_workflow_in_progress",
    RecentEditsPanel: "wagtail_page_edited",
    LockedPagesPanel: "wagtail_page_locked",
}


def _questions(user_pk):
    return get_user_model().objects.filter(pk=user_pk).only("pk").annotate(
        wagtail_task_in_progress=Exists(TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)),
        wagtail_workflow_in_progress=Exists(WorkflowState.objects.active()),
        wagtail_page_edited=Exists(PageLogEntry.objects.filter(user=OuterRef("pk"), action="wagtail.edit")),
        wagtail_page_locked=Exists(Page.objects.filter(locked=True, locked_by=OuterRef("pk"))),
    )


_QUESTIONS = CompiledQuery(_questions)


def leave_out_empty_wagtail_panels(request, panels: list) -> None:
    """A `construct_homepage_panels` hook: removes from `panels` Wagtail's panels that would
    show nothing to `request.user`."""
    answers = _QUESTIONS.objects(request.user.pk)
    if not answers:
        return
    questions = dict(QUESTION_OF_PANEL)
    if any(task_type is not GroupApprovalTask for task_type in get_task_types()):
        del questions[WorkflowObjectsToModeratePanel]  # a task of another kind decides what it shows
    panels[:] = [panel for panel in panels
                 if type(panel) not in questions or getattr(answers[0], questions[type(panel)])]
