"""A child's booking history ("Historique des réservations"): every past and present
reservation, including those imported from the Portail Famille, whatever the school year
and whether or not the child has a dossier that year. Filters by school year and activity,
25 rows a page, and the same rows as a CSV download (``?format=csv``).

Read-only, so pending accounts may read it (like the agenda). The child comes through
``family.selectors.child_for`` (another household's child is a 404), cached with its
activities (views/cached.py); every read goes through ``selectors.history``. The number
of queries does not depend on the number of rows."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from espace_citoyen.core.csv_safe import safe_row
from ..selectors import history as selectors
from .cached import child_with

PAGE_SIZE = 25
COLUMNS = [_lazy("Date"), _lazy("Activité"), _lazy("État"), _lazy("Origine"), _lazy("Présence")]


def _filters(request, child, all_activities):
    """The valid filters from the query string; bad values are ignored with a notice.
    `all_activities`: the activities with a reservation of the child (all years, each with
    its school year), whose school years are the years to choose from."""
    notices = []
    years = sorted({activity.school_year for activity in all_activities},
                   key=lambda candidate: candidate.starts_on, reverse=True)
    raw_year = request.GET.get("annee", "").strip()
    year = None
    if raw_year:
        year = next((candidate for candidate in years if candidate.label == raw_year), None)
        if year is None:
            # A real school year without any reservation of the child: shown (empty), not refused.
            year = selectors.history_school_year_for(label=raw_year)
            if year is not None:
                years = sorted([*years, year], key=lambda candidate: candidate.starts_on, reverse=True)
        if year is None:
            notices.append(_("L'année scolaire « %(year)s » n'apparaît pas dans l'historique de %(child)s : "
                             "toutes les années sont affichées.") % {"year": raw_year[:20], "child": child.first_name})
    activities = [activity for activity in all_activities if year is None or activity.school_year_id == year.pk]
    raw_activity = request.GET.get("activite", "").strip()
    activity = None
    if raw_activity:
        activity = next((candidate for candidate in activities if str(candidate.pk) == raw_activity), None)
        if activity is None:
            notices.append(_("L'activité demandée n'apparaît pas dans cet historique : toutes les activités "
                             "sont affichées."))
    return {"years": years, "year": year, "activities": activities, "activity": activity, "notices": notices}


def _csv(child, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="historique-{slugify(child.first_name) or "enfant"}-{child.pk}.csv"')
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(safe_row(COLUMNS))
    for row in rows:
        # Defence in depth: the origin carries an agent's free-text reason.
        writer.writerow(safe_row(row.as_csv()))
    return response


@login_required
def history(request, child_id: int):
    child, all_activities = child_with(request.user, child_id, "history-child",
                                       lambda child: list(selectors.history_activities_for(child=child)))
    filters = _filters(request, child, all_activities)
    queryset = selectors.history_for(child=child, school_year=filters["year"], activity=filters["activity"])
    if request.GET.get("format") == "csv":
        return _csv(child, selectors.history_rows(queryset, stream=True))
    items_page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    extra = request.GET.copy()
    for key in ("page", "format"):
        extra.pop(key, None)
    csv_query = extra.copy()
    csv_query["format"] = "csv"
    show_year = filters["year"] is None
    caption = _("Réservations de %(child)s") % {"child": child.first_name}
    if filters["year"]:
        caption += f", année scolaire {filters['year'].label}"
    if filters["activity"]:
        caption += f", {filters['activity'].name}"
    caption += ", la plus récente en premier"
    if items_page.paginator.num_pages > 1:
        caption += f" (page {items_page.number} sur {items_page.paginator.num_pages})"
    return render(request, "activities/history.html", {
        "child": child,
        **filters,
        "caption": caption,
        "show_year": show_year,
        "items_page": items_page,
        "rows": list(selectors.history_rows(items_page.object_list)),
        "extra_query": extra.urlencode(),
        "csv_query": csv_query.urlencode(),
        "filtered": filters["year"] is not None or filters["activity"] is not None,
        "activity_choices": [
            (activity.pk, f"{activity.name} ({activity.school_year.label})" if show_year else activity.name)
            for activity in filters["activities"]
        ],
    })
