"""The rows of the agenda's month grid: ``{% load agenda_grid %}{% agenda_month_rows weeks month_param %}``.

Written in Python rather than in the template: the 35 to 42 cells and their marks were
some 700 variable look-ups, two fifths of the agenda page's template time (issue 14). The
markup is the one the template wrote: each day a link to its own page (site.js shows its
activities without reloading), its number, its name and each activity's state in words
for screen readers, each state's icon and short word for the eye."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


def _marks(cells) -> str:
    marks = []
    for index, cell in enumerate(cells):
        tone = cell.tone
        marks.append(
            f'<span class="agenda-mark agenda-mark--{tone}"><svg class="agenda-icon" aria-hidden="true" '
            f'focusable="false"><use href="#agenda-icon-{cell.icon}"></use></svg><span class="agenda-mark__text">'
            f'<span class="visually-hidden">{" ; " if index else " : "}</span>{escape(cell.activity.name)}'
            f'<span class="agenda-mark__state"><span class="visually-hidden">, {escape(cell.label)}</span>'
            f'<span aria-hidden="true">{escape(cell.short_label)}</span></span></span></span>'
        )
    return f'<span class="agenda-grid__marks">{"".join(marks)}</span>'


def _day(day, month_param: str) -> str:
    number = day.date.day
    if not day.in_month:
        return f'<td class="agenda-grid__day is-other"><span class="agenda-grid__number" aria-hidden="true">{number}</span></td>'
    classes = "agenda-grid__day" + (" is-selected" if day.is_selected else "") + (
        " is-today" if day.is_today else "") + ("" if day.cells else " is-empty")
    iso = day.iso
    current = ' aria-current="date"' if day.is_today else ""
    today_mark = '<span class="agenda-grid__today"> auj.</span>' if day.is_today else ""
    spoken = escape(day.label) + (", aujourd'hui" if day.is_today else "") + ("" if day.cells else " : aucune activité")
    return (
        f'<td class="{classes}"><a class="agenda-grid__link" href="?mois={escape(month_param)}&amp;jour={iso}" '
        f'data-day="{iso}"{current}>'
        f'<span class="agenda-grid__number" aria-hidden="true">{number}{today_mark}</span>'
        f'<span class="visually-hidden">{spoken}</span>{_marks(day.cells) if day.cells else ""}</a></td>'
    )


@register.simple_tag
def agenda_month_rows(weeks, month_param: str) -> str:
    """<tr> rows of the month (Monday first) of selectors.agenda.month_for's Days."""
    return mark_safe("".join(  # noqa: S308 - every value from data is escaped above
        "<tr>" + "".join(_day(day, month_param) for day in week) + "</tr>" for week in weeks))
