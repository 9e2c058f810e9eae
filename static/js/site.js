// Progressive enhancement only: every page works without JavaScript.
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js");

// Forms sent back with errors: move the focus to the error summary so that it is read first.
document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("resume-erreurs");
    if (summary) { summary.focus(); }
});
