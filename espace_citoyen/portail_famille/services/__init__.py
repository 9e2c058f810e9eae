"""Writes of the Portail Famille migration, by sub-domain: families.py (households, parents'
accounts, children), uploads.py and runs.py (imports queued from the back office and run in
the background), bookings.py (bookings made before the portal)."""
