"""The citizen inbox: /espace-citoyen/messages/ and one message.

Login required; a pending account reads its messages too (not a family feature)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import inbox_for, latest_news, message_for
from .services import message_mark_read

MESSAGES_PER_PAGE = 10


@login_required
def inbox(request):
    messages_page = Paginator(inbox_for(user=request.user), MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "messaging/inbox.html", {
        "messages_page": messages_page,
        "latest_news": latest_news(),
    })


@login_required
def detail(request, page_id: int):
    message = message_for(user=request.user, page_id=page_id)
    message_mark_read(user=request.user, page=message)
    return render(request, "messaging/detail.html", {"message": message})
