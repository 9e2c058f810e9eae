// Progressive enhancement only: every page works without JavaScript.
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js");

// Forms sent back with errors: move the focus to the error summary so that it is read first.
document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("resume-erreurs");
    if (summary) { summary.focus(); }
});

// Main menu: on small screens, folded behind a "Menu" button (aria-expanded tells its state).
document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".main-nav__toggle");
    var list = document.getElementById("menu-principal");
    if (!toggle || !list || !window.matchMedia) { return; }
    var small = window.matchMedia("(max-width: 40em)");
    function apply() {
        var fold = small.matches;
        toggle.hidden = !fold;
        toggle.setAttribute("aria-expanded", "false");
        list.classList.toggle("is-folded", fold);
    }
    toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        list.classList.toggle("is-folded", !open);
    });
    if (small.addEventListener) { small.addEventListener("change", apply); }
    apply();
});

// Child's agenda, month view: the page holds the chosen day's activities only; a tap on
// another day fetches that day's page and shows its activities below the grid without
// reloading (without JavaScript, or if the fetch fails, the link loads that page).
document.addEventListener("DOMContentLoaded", function () {
    var grid = document.querySelector("[data-agenda-grid]");
    var panels = document.querySelector(".agenda-panels");
    if (!grid || !panels) { return; }
    var latest = 0;
    function show(panel, link) {
        document.querySelectorAll("[data-agenda-panel]").forEach(function (other) { other.hidden = other !== panel; });
        grid.querySelectorAll(".agenda-grid__day").forEach(function (cell) {
            cell.classList.toggle("is-selected", cell.contains(link));
        });
        if (window.history && history.replaceState) { history.replaceState(null, "", link.href); }
        var heading = panel.querySelector(".agenda-day__title");
        if (heading) { heading.focus(); }
    }
    grid.addEventListener("click", function (event) {
        var link = event.target.closest ? event.target.closest("a[data-day]") : null;
        if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
        var id = "jour-" + link.getAttribute("data-day");
        var panel = document.getElementById(id);
        if (panel) {
            event.preventDefault();
            latest++;
            panels.removeAttribute("aria-busy");
            show(panel, link);
            return;
        }
        if (!window.fetch || !window.DOMParser) { return; }  // the link loads the day's page
        event.preventDefault();
        var asked = ++latest;  // a later tap wins over an earlier answer still on its way
        panels.setAttribute("aria-busy", "true");
        fetch(link.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
            .then(function (response) {
                if (!response.ok) { throw new Error(response.status); }
                return response.text();
            })
            .then(function (text) {
                var found = new DOMParser().parseFromString(text, "text/html").getElementById(id);
                if (!found) { throw new Error("no panel"); }
                if (!document.getElementById(id)) {
                    var panel = document.importNode(found, true);
                    panel.hidden = true;  // shown by show() if this is still the last tap
                    panels.appendChild(panel);
                }
                if (asked !== latest) { return; }
                panels.removeAttribute("aria-busy");
                show(document.getElementById(id), link);
            })
            .catch(function () { if (asked === latest) { window.location.href = link.href; } });
    });
});

// "Copier le lien": copies a read-only field (private calendar link); says so in a status line.
document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
        var input = document.getElementById(button.getAttribute("data-copy-target"));
        var status = document.getElementById(button.getAttribute("data-copy-status"));
        if (!input) { return; }
        button.hidden = false;
        function say(ok) {
            if (status) { status.textContent = ok ? "Lien copié : collez-le dans votre application de calendrier." : "La copie n'a pas fonctionné : sélectionnez le lien puis copiez-le."; }
        }
        function fallback() {
            input.focus();
            input.select();
            try { say(document.execCommand("copy")); } catch (e) { say(false); }
        }
        button.addEventListener("click", function () {
            if (navigator.clipboard && window.isSecureContext) {
                navigator.clipboard.writeText(input.value).then(function () { say(true); }, fallback);
            } else {
                fallback();
            }
        });
    });
});

// A page waiting for something done elsewhere (the online payment's return page while the
// payment service confirms it): an element with data-poll-seconds is fetched again every
// N seconds; once the fresh page no longer has it (the wait is over), the page is reloaded
// once. Without JavaScript the page has its own "Actualiser la page" link (no <meta refresh>,
// which takes the page away from a screen reader user without warning: WCAG 2.2.1).
document.addEventListener("DOMContentLoaded", function () {
    var waiting = document.querySelector("[data-poll-seconds][id]");
    if (!waiting || !window.fetch || !window.DOMParser) { return; }
    var seconds = Math.max(2, parseInt(waiting.getAttribute("data-poll-seconds"), 10) || 5);
    var timer = window.setInterval(function () {
        fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
            .then(function (response) { return response.ok ? response.text() : null; })
            .then(function (html) {
                if (html === null) { return; }
                var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(waiting.id);
                if (fresh && fresh.hasAttribute("data-poll-seconds")) { return; }
                window.clearInterval(timer);
                window.location.reload();
            })
            .catch(function () {});
    }, seconds * 1000);
});
