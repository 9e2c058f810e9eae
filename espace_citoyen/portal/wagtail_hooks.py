"""Back office of the portal: the "À traiter" panel of the admin home (admin_panels.py)."""

from wagtail import hooks

from .admin_panels import ToProcessPanel


@hooks.register("construct_homepage_panels")
def add_to_process_panel(request, panels):
    panels.append(ToProcessPanel())
