"""What the scripts that drive real servers share (bench/load.py, tests/cluster/run_cluster.py):
the processes they start, stopped with their whole process group (gunicorn's workers too)
on exit, Ctrl-C or failure; and logging in through the citizen login form over HTTP.

Requests carry X-Forwarded-Proto: https, as the TLS-terminating proxy of production does
(the production settings redirect plain HTTP and send secure cookies)."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys

import requests

HEADERS = {"X-Forwarded-Proto": "https"}
PROCESSES: list[subprocess.Popen] = []


def stop_all(*_args) -> None:
    """Stops every process started here (their whole process group)."""
    while PROCESSES:
        process = PROCESSES.pop()
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)


def stop_all_on_exit() -> None:
    atexit.register(stop_all)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)


def started(process: subprocess.Popen) -> subprocess.Popen:
    """Keeps ``process`` (started with start_new_session=True) to be stopped at the end."""
    PROCESSES.append(process)
    return process


def cookie_name(kind: str) -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME if kind == "session" else settings.CSRF_COOKIE_NAME


def form_token(html: str) -> str:
    return html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def login_form(base: str, email: str, password: str) -> str:
    """Logs in through the citizen login form; returns the Cookie header of the session."""
    url = f"{base}/espace-citoyen/connexion/"
    response = requests.get(url, headers=HEADERS, allow_redirects=False)
    csrf = response.cookies[cookie_name("csrf")]
    response = requests.post(
        url, data={"csrfmiddlewaretoken": form_token(response.text), "username": email, "password": password},
        headers={**HEADERS, "Origin": base.replace("http://", "https://"), "Referer": url.replace("http://", "https://"),
                 "Cookie": f"{cookie_name('csrf')}={csrf}"},
        allow_redirects=False)
    session = response.cookies.get(cookie_name("session"))
    if response.status_code != 302 or not session:
        raise SystemExit(f"login failed for {email} on {base}: HTTP {response.status_code}")
    return f"{cookie_name('session')}={session}"
