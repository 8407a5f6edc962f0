/* The directory (/contacts/): addresses without the empty filters, the filters folded on phones, and the count of
   the people ticked. Without this script the page works the same, through plain forms and links. */
(function () {
    "use strict";

    // A search as one types sends every field of the form: leave the empty ones out of its address (the server
    // redirects a plain submit's address the same way).
    document.addEventListener("htmx:configRequest", function (event) {
        var form = document.getElementById("list-form");
        if (event.detail.verb !== "get" || event.detail.elt !== form) {
            return;
        }
        var data = event.detail.formData;
        var names = [];
        data.forEach(function (value, name) {
            if (value === "" && names.indexOf(name) < 0) {
                names.push(name);
            }
        });
        names.forEach(function (name) {
            var kept = data.getAll(name).filter(function (value) { return value !== ""; });
            data.delete(name);
            kept.forEach(function (value) { data.append(name, value); });
        });
    });

    // On a phone the results come first: the drawer of filters starts folded (its summary counts those in use).
    if (!window.matchMedia("(min-width: 48rem)").matches) {
        document.querySelectorAll(".directory [data-filters-drawer]").forEach(function (drawer) {
            drawer.open = false;
        });
    }

    // ``element`` carries the sentence in the page's language for one ({n}) and for several: the plural rules of
    // the language choose (in French, 0 and 1 take the singular).
    function selectionText(element, count) {
        var plural = new Intl.PluralRules(document.documentElement.lang || "en").select(count);
        var template = plural === "one" ? element.dataset.one : element.dataset.other;
        return (template || "{n}").replace("{n}", String(count));
    }

    function setUpSelection(form) {
        if (!form || form.dataset.selectionReady) {
            return;
        }
        form.dataset.selectionReady = "true";
        var page = form.querySelector("[data-select-page]");
        var counter = form.querySelector("[data-selection-count]");
        var boxes = function () { return form.querySelectorAll('input[type="checkbox"][name="person"]'); };

        function update() {
            var all = boxes();
            var ticked = Array.prototype.filter.call(all, function (box) { return box.checked; }).length;
            if (counter) {
                counter.textContent = selectionText(counter, ticked);
            }
            form.setAttribute("data-ticked", String(ticked));
            // The export leaves out the people who asked not to be contacted: say so before, not only after.
            var leftOut = form.querySelector("[data-selection-left-out]");
            if (leftOut) {
                var withheld = Array.prototype.filter.call(all, function (box) {
                    return box.checked && box.hasAttribute("data-do-not-contact");
                }).length;
                leftOut.textContent = selectionText(leftOut, withheld);
                leftOut.hidden = withheld === 0;
            }
            form.querySelectorAll("[data-needs-selection]").forEach(function (button) {
                button.disabled = ticked === 0;
            });
            if (page) {
                page.checked = ticked > 0 && ticked === all.length;
                page.indeterminate = ticked > 0 && ticked < all.length;
            }
        }

        if (page) {
            page.hidden = false;
        }
        form.addEventListener("change", function (event) {
            if (event.target === page) {
                boxes().forEach(function (box) { box.checked = page.checked; });
            }
            update();
        });
        update();
    }

    function setUpAll() {
        document.querySelectorAll("[data-selection-form]").forEach(setUpSelection);
    }

    setUpAll();
    // The results are replaced as one types.
    document.addEventListener("htmx:afterSettle", setUpAll);
}());
