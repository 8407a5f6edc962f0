/* The back office's small behaviours, loaded with defer by templates/admin/base_site.html (no inline script: the
   content security policy refuses them).

   The changelist's filters become a drawer: the "Filter" heading turns into a button that opens and closes them.
   They start open on a wide screen, where they sit beside the list, and closed on a narrow one, where they sit
   above it. Without JavaScript they stay as Django draws them. Also: names for the fields that Django and select2
   leave unnamed (below), and the column headings each cell of a table shows when its rows become cards. */
(function () {
    "use strict";

    var NARROW = "(max-width: 64rem)";

    function makeDrawer(filter) {
        var heading = document.getElementById("changelist-filter-header");
        if (!heading || filter.querySelector(".filter-toggle")) {
            return;
        }
        var body = document.createElement("div");
        body.id = "changelist-filter-body";
        while (heading.nextSibling) {
            body.appendChild(heading.nextSibling);
        }
        filter.appendChild(body);

        var button = document.createElement("button");
        button.type = "button";
        button.className = "filter-toggle";
        button.setAttribute("aria-controls", body.id);
        button.textContent = heading.textContent.trim();
        heading.textContent = "";
        heading.appendChild(button);

        function show(open) {
            button.setAttribute("aria-expanded", open ? "true" : "false");
            filter.classList.toggle("is-closed", !open);
        }
        button.addEventListener("click", function () {
            show(button.getAttribute("aria-expanded") !== "true");
        });
        var narrow = window.matchMedia(NARROW);
        show(!narrow.matches);
        narrow.addEventListener("change", function (event) {
            show(!event.matches);
        });
    }

    /* A tabular inline names its fields by its column headings only, which assistive technology does not read as
       their labels: each field gets its column's heading as its name. */
    function labelTabularFields(root) {
        root.querySelectorAll(".inline-group .tabular table").forEach(function (table) {
            var headings = {};
            var last = table.querySelector("thead th:last-child");
            headings.DELETE = last ? last.textContent.trim() : "";
            table.querySelectorAll("thead th").forEach(function (th) {
                var match = th.className.match(/(?:^|\s)column-(\S+)/);
                if (match) {
                    headings[match[1]] = th.textContent.trim();
                }
            });
            table.querySelectorAll("tbody td").forEach(function (td) {
                var match = td.className.match(/(?:^|\s)field-(\S+)/);
                var name = td.classList.contains("delete") ? headings.DELETE : match && headings[match[1]];
                if (!name) {
                    return;
                }
                td.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
                    if ((!field.labels || field.labels.length === 0) && !field.hasAttribute("aria-label")) {
                        field.setAttribute("aria-label", name);
                    }
                });
            });
        });
    }

    /* On a phone, the rows of a list and of a tabular inline become cards (admin.css): each cell shows its column's
       heading above its value, taken from the table's header row into a data-label. */
    function labelCells(root) {
        root.querySelectorAll("#result_list, .inline-group .tabular table").forEach(function (table) {
            var headings = [];
            table.querySelectorAll("thead tr:first-child > th").forEach(function (th) {
                var text = th.textContent.replace(/\s+/g, " ").trim();
                for (var span = th.colSpan || 1; span > 0; span -= 1) {
                    headings.push(text);
                }
            });
            table.querySelectorAll("tbody tr").forEach(function (row) {
                var column = 0;
                Array.prototype.forEach.call(row.children, function (cell) {
                    var heading = headings[column];
                    if (heading && !cell.hasAttribute("data-label")) {
                        cell.setAttribute("data-label", heading);
                    }
                    column += cell.colSpan || 1;
                });
            });
            table.classList.add("labelled-cells");
        });
    }

    /* The autocomplete boxes (select2) leave their search field unnamed and put their "clear" cross, a span, inside
       their list of choices: the field takes the name of the select it stands for, the cross (also reachable with
       the keyboard's backspace) is hidden from assistive technology. */
    function nameOf(select) {
        if (select.labels && select.labels.length) {
            return select.labels[0].textContent.replace(/\s*:\s*$/, "").trim();
        }
        return select.getAttribute("aria-label");
    }

    function fixAutocompletes(root) {
        root.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (field) {
            var container = field.closest(".select2");
            var select = container && container.previousElementSibling;
            var name = select && select.tagName === "SELECT" && nameOf(select);
            if (name) {
                field.setAttribute("aria-label", name);
            }
        });
        // The box names itself by its current choice only, which is empty before one is made: prefix its label.
        root.querySelectorAll(".select2-selection[role=combobox]:not([data-named])").forEach(function (box) {
            var container = box.closest(".select2");
            var select = container && container.previousElementSibling;
            if (!select || select.tagName !== "SELECT") {
                return;
            }
            var label = select.labels && select.labels[0];
            var shown = box.querySelector(".select2-selection__rendered[role=textbox]");
            if (label) {
                label.id = label.id || select.id + "-label";
                box.setAttribute("aria-labelledby", (label.id + " " + (box.getAttribute("aria-labelledby") || "")).trim());
                if (shown) {
                    shown.setAttribute("aria-labelledby", label.id);
                }
            } else if (nameOf(select)) {
                box.setAttribute("aria-label", nameOf(select));
                if (shown) {
                    shown.setAttribute("aria-label", nameOf(select));
                }
            }
            box.setAttribute("data-named", "");
        });
        root.querySelectorAll(".select2-selection__rendered > .select2-selection__clear").forEach(function (cross) {
            cross.setAttribute("aria-hidden", "true");
        });
        // A date and time field is two boxes after the words "Date:" and "Time:", neither of them its label.
        root.querySelectorAll("p.datetime input:not([type=hidden]):not([aria-label])").forEach(function (box) {
            if (box.labels && box.labels.length) {
                return;
            }
            var part = box.previousSibling;
            while (part && part.nodeType !== Node.TEXT_NODE) {
                part = part.previousSibling;
            }
            var row = box.closest(".form-row, .fieldBox");
            var label = row && row.querySelector("label");
            var names = [label && label.textContent, part && part.textContent].map(function (text) {
                return (text || "").replace(/\s*:\s*$/, "").trim();
            }).filter(Boolean);
            if (names.length) {
                box.setAttribute("aria-label", names.join(" — "));
            }
        });
        // Django's two-list selector names its search icons with aria-label on a bare span: make them images.
        root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
            icon.setAttribute("role", "img");
        });
    }

    document.addEventListener("DOMContentLoaded", function () {
        var filter = document.getElementById("changelist-filter");
        if (filter) {
            makeDrawer(filter);
        }
        labelTabularFields(document);
        labelCells(document);
        fixAutocompletes(document);
        // A read-only inline wider than the screen scrolls, and must be reachable with the keyboard to be scrolled.
        document.querySelectorAll(".inline-group .tabular fieldset.module").forEach(function (box) {
            var focusable = box.querySelector("a[href], button, input:not([type=hidden]), select, textarea, summary");
            if (box.scrollWidth > box.clientWidth && !focusable) {
                box.setAttribute("tabindex", "0");
            }
        });
        // The search box's label is an icon: name the box after its button ("Search") as well.
        var searchbar = document.getElementById("searchbar");
        var search = searchbar && searchbar.form && searchbar.form.querySelector("input[type=submit]");
        if (search && !searchbar.hasAttribute("aria-label")) {
            searchbar.setAttribute("aria-label", search.value);
        }
        if (document.querySelector(".inline-group, .admin-autocomplete, .selectfilter, .selectfilterstacked")) {
            // Rows added with "Add another", autocomplete boxes redrawn as choices change, selectors drawn on load.
            new MutationObserver(function () {
                labelTabularFields(document);
                labelCells(document);
                fixAutocompletes(document);
            }).observe(document.getElementById("content") || document.body, {childList: true, subtree: true});
        }
    });
})();
