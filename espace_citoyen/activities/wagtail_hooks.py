"""Back office of the activities: the viewsets are registered in the "Espace citoyen"
menu group (accounts/wagtail_hooks.py); nothing else to hook here yet."""
