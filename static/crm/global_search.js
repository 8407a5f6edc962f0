/* The header's search box (templates/includes/global_search.html): "/" focuses it from anywhere but a field,
   Escape closes its results, the arrow keys move through them. htmx fetches the results as one types. */
(function () {
    "use strict";

    function typingInAField(target) {
        if (!target || !target.tagName) return false;
        var tag = target.tagName.toLowerCase();
        return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
    }

    function setUp(form) {
        var input = form.querySelector("input[name=q]");
        var results = form.querySelector(".global-search-results");
        if (!input || !results) return;

        function links() {
            return Array.prototype.slice.call(results.querySelectorAll("a.global-search-result"));
        }
        function open() {
            if (results.children.length) {
                results.hidden = false;
            }
        }
        function close() {
            results.hidden = true;
        }

        results.addEventListener("htmx:afterSwap", function () {
            if (results.children.length) open(); else close();
        });
        input.addEventListener("focus", open);
        // Tabbing away or clicking elsewhere closes the results. (Not every focus loss: Safari does not focus a
        // link one clicks, so the results must stay until the click on one of them has landed.)
        form.addEventListener("focusout", function (event) {
            if (event.relatedTarget && !form.contains(event.relatedTarget)) close();
        });
        document.addEventListener("click", function (event) {
            if (!form.contains(event.target)) close();
        });
        form.addEventListener("keydown", function (event) {
            var items = links();
            var index = items.indexOf(document.activeElement);
            if (event.key === "Escape") {
                if (!results.hidden) {
                    close();
                    input.focus();
                    event.preventDefault();
                } else if (document.activeElement === input) {
                    input.blur();
                }
            } else if (event.key === "ArrowDown" && items.length) {
                open();
                items[index < 0 ? 0 : Math.min(index + 1, items.length - 1)].focus();
                event.preventDefault();
            } else if (event.key === "ArrowUp" && index >= 0) {
                if (index === 0) input.focus(); else items[index - 1].focus();
                event.preventDefault();
            }
        });

        document.addEventListener("keydown", function (event) {
            if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
            if (typingInAField(event.target)) return;
            event.preventDefault();
            input.focus();
            input.select();
        });
    }

    function start() {
        var forms = document.querySelectorAll("form[data-global-search]");
        for (var i = 0; i < forms.length; i++) setUp(forms[i]);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
