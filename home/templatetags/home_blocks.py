from django import template

from home.blocks import link_href as _link_href

register = template.Library()


@register.simple_tag
def link_href(link_value):
    return _link_href(link_value)


@register.simple_tag
def table_rows(table_value):
    """Split a TableBlock value into header row and body rows (cells as plain text)."""
    data = [[cell if cell is not None else "" for cell in row] for row in (table_value or {}).get("data", [])]
    first_row_is_header = bool((table_value or {}).get("first_row_is_table_header"))
    return {
        "header": data[0] if first_row_is_header and data else [],
        "rows": data[1:] if first_row_is_header else data,
        "first_col_is_header": bool((table_value or {}).get("first_col_is_header")),
    }
