"""Staff groups of the town website, created idempotently (seed_demo, setup_groups)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

COMMUNICATION_GROUP = "Communication"
COMMUNICATION_WORKFLOW = "Relecture Communication"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}
MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("news", "add_newscategory"),
    ("news", "change_newscategory"),
    ("news", "delete_newscategory"),
]


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def ensure_communication_group(*, home_page: Page) -> Group:
    """Communication staff: every page of the site, images, documents, news categories and
    a review workflow. No access to users, groups or site settings."""
    group, _created = Group.objects.get_or_create(name=COMMUNICATION_GROUP)
    for app_label, codename in MODEL_PERMISSIONS:
        group.permissions.add(_permission(app_label, codename))
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=home_page, permission=_permission("wagtailcore", codename)
        )
    root_collection = Collection.get_first_root_node()
    for app_label, codenames in COLLECTION_PERMISSIONS.items():
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=_permission(app_label, codename)
            )

    task = GroupApprovalTask.objects.filter(name="Validation par la Communication").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Validation par la Communication")
    task.groups.add(group)
    workflow, _created = Workflow.objects.get_or_create(name=COMMUNICATION_WORKFLOW)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=home_page, defaults={"workflow": workflow})
    return group
