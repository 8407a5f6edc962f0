/* Cluster CRM pages: open the header's menu and the filter drawers on wide screens, fold them on phones.
   Both are <details> elements: without this script they still open and close with a click. */
(function () {
    "use strict";
    var wide = window.matchMedia("(min-width: 48rem)");

    function fit() {
        document.querySelectorAll("details[data-site-menu]").forEach(function (menu) {
            menu.open = wide.matches;
        });
        document.querySelectorAll("details[data-filters-drawer]").forEach(function (drawer) {
            // On a phone, a drawer the server opened (filters in use) stays open; on a wide screen all open.
            if (wide.matches) {
                drawer.open = true;
            }
        });
    }

    fit();
    wide.addEventListener("change", fit);
    // Escape folds the phone menu and gives the focus back to its toggle.
    document.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" || wide.matches) {
            return;
        }
        document.querySelectorAll("details[data-site-menu][open]").forEach(function (menu) {
            menu.open = false;
            menu.querySelector("summary").focus();
        });
    });
}());
