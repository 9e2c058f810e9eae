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
