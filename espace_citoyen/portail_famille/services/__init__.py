"""Writes of the Portail Famille migration, by sub-domain: families.py (households, parents'
accounts, children), runs.py (imports run in the background from the back office),
bookings.py (bookings made before the portal)."""
