"""Back office of the vault. The "Documents transmis" viewset (admin_views.TransmissionViewSet,
URL namespace "documents_admin") is registered inside the "Espace citoyen" menu group of
accounts/wagtail_hooks.py, which also registers its URLs."""
