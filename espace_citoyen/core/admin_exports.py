"""Back-office listing exports (Wagtail ``ModelViewSet.list_export``) safe against CSV
formula injection.

Wagtail escapes formulas in XLSX exports (a cell openpyxl detects as a formula is written
as a string) but writes CSV cells as they are. :class:`SafeExportIndexView` quotes, in CSV
only, every cell that would start a formula (see ``core.csv_safe``). Set it as
``index_view_class`` of a viewset with ``list_export``, or subclass it.
"""

from wagtail.admin.views.generic.models import IndexView

from .csv_safe import csv_cell


class SafeCSVExportMixin:
    """Mixin of a view using Wagtail's ``SpreadsheetExportMixin`` (IndexView) whose CSV
    export neutralises formulas.

    The check runs on the value Wagtail is about to write, after its own preprocessing
    (``custom_field_preprocess`` / ``custom_value_preprocess`` / ``force_str``): plain
    strings, but also related objects whose ``__str__`` is citizen text (a child, a
    household), lists joined by ``list_to_str`` and TextChoices. Numbers, dates and None
    are left as they are (``force_str(strings_only=True)`` keeps them), and XLSX export is
    untouched (Wagtail already writes formula-looking XLSX cells as strings).
    """

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return csv_cell(value)
        return value


class SafeExportIndexView(SafeCSVExportMixin, IndexView):
    """Wagtail's generic IndexView with a formula-safe CSV export."""

