// Progressive enhancement only: every page works without JavaScript.
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js");
