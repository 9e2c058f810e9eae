"""Reads of the billing domain, split by audience: ``billable`` (what a monthly run bills,
set-based), ``citizen`` (a household's invoices, scoped: another household's id is a 404),
``staff`` (the Régie's lists and exports). Import from the submodules."""
