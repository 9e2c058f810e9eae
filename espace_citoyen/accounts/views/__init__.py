"""Citizen-facing views of the accounts, by sub-domain (login, passwords, activation, two_factor,
signup, contact); the staff's second-factor pages are in admin/two_factor.py."""
