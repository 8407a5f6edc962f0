// Emails dropped on an upload form of .eml files (templates/interactions/emails/): the files dropped are put in the
// form's file input and the form is sent, as if they had been chosen and the button pressed. Without JavaScript
// the form works as it is.
(function () {
  "use strict";

  function setUp(form) {
    var input = form.querySelector("input[type=file]");
    if (!input || form.dataset.emailDropReady) {
      return;
    }
    form.dataset.emailDropReady = "true";
    var depth = 0;

    function carriesFiles(event) {
      var types = event.dataTransfer && event.dataTransfer.types;
      return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
    }

    form.addEventListener("dragenter", function (event) {
      if (!carriesFiles(event)) {
        return;
      }
      event.preventDefault();
      depth += 1;
      form.classList.add("is-dragged-over");
    });
    form.addEventListener("dragover", function (event) {
      if (carriesFiles(event)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }
    });
    form.addEventListener("dragleave", function () {
      depth = Math.max(0, depth - 1);
      if (!depth) {
        form.classList.remove("is-dragged-over");
      }
    });
    form.addEventListener("drop", function (event) {
      if (!carriesFiles(event)) {
        return;
      }
      event.preventDefault();
      depth = 0;
      form.classList.remove("is-dragged-over");
      input.files = event.dataTransfer.files;
      if (input.files.length) {
        form.classList.add("is-sending");
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      }
    });
  }

  function setUpAll() {
    document.querySelectorAll("form[data-email-drop]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAll);
  } else {
    setUpAll();
  }
})();
