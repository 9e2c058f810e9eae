"""A locale format module (FORMAT_MODULE_PATH) whose attribute's name reads as a date format:
Django's `date` filter uses the attribute's value (tests/espace_citoyen/core/test_date_filter.py)."""

jFY = "d/m/Y"
