from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    # Placeholder: greets the user and links to the account pages. The real dashboard
    # (children, bookings, invoices, messages) belongs to its own issue.
    return render(request, "portal/dashboard.html")
