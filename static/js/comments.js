// Progressive enhancement: "Reply" opens the comment form inline under the
// comment instead of going to the reply page. Without JavaScript the link
// still works (it leads to a page with the form and the parent comment).
(function () {
  "use strict";
  var form = document.getElementById("comment-form");
  if (!form) return;
  var home = form.parentNode;
  var homeNext = form.nextSibling;
  var parentInput = form.querySelector("input[name=parent]");
  var label = form.querySelector("label[for=id_body]");
  var textarea = form.querySelector("textarea");
  var defaultLabel = label ? label.textContent : "";

  var cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "link-button comment-form__cancel";
  cancel.textContent = "Cancel reply";
  cancel.hidden = true;
  form.appendChild(cancel);

  function reset() {
    parentInput.value = "";
    if (label) label.textContent = defaultLabel;
    cancel.hidden = true;
    home.insertBefore(form, homeNext);
  }

  cancel.addEventListener("click", reset);

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (!link) return;
    event.preventDefault();
    var comment = document.getElementById("comment-" + link.dataset.replyTo);
    parentInput.value = link.dataset.replyTo;
    if (label) label.textContent = "Reply to " + link.dataset.replyName;
    cancel.hidden = false;
    comment.insertAdjacentElement("afterend", form);
    textarea.focus();
  });
})();

// "Show N more replies" loads the thread whole in place. Without JavaScript (or if
// the request fails) the link leads to the same page with that thread expanded.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-expand]");
    if (!link || !window.fetch || !window.DOMParser) return;
    var thread = document.getElementById("thread-" + link.dataset.expand);
    if (!thread) return;
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var whole = page.getElementById(thread.id);
        if (!whole) throw new Error("thread not found");
        thread.replaceWith(document.importNode(whole, true));
      })
      .catch(function () {
        window.location.href = link.href;
      });
  });
})();
