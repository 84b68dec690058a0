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

// Recommend updates in place. Without JavaScript (or if the request fails) the
// button submits the page's comment-actions form and comes back to the comment.
(function () {
  "use strict";
  var form = document.getElementById("comment-actions");
  if (!form || !window.fetch || !window.FormData) return;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-recommend]");
    if (!button || button.dataset.fallback) return;
    event.preventDefault();
    var data = new FormData(form);
    data.append("recommend", button.value);
    button.setAttribute("aria-busy", "true");
    fetch(button.getAttribute("formaction"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (result) {
        button.removeAttribute("aria-busy");
        button.value = result.pressed ? "off" : "on";
        button.setAttribute("aria-pressed", result.pressed ? "true" : "false");
        button.dataset.count = result.count;
        button.querySelector(".recommend__count").textContent = result.count;
      })
      .catch(function () {
        button.dataset.fallback = "1"; // let the form say what went wrong
        button.click();
      });
  });
})();

// "4,812 characters left" under the comment box; the limit itself is the server's.
(function () {
  "use strict";
  var counters = document.querySelectorAll("[data-counter-for]");
  Array.prototype.forEach.call(counters, function (counter) {
    var box = document.getElementById(counter.dataset.counterFor);
    if (!box) return;
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    function update() {
      var left = limit - box.value.length;
      counter.textContent =
        left.toLocaleString("en-GB") + (left === 1 ? " character left" : " characters left");
      counter.classList.toggle("comment-form__counter--low", left < limit / 10);
    }
    counter.hidden = false;
    box.addEventListener("input", update);
    update();
  });
})();

// Live threads: while the tab is visible, ask every few seconds whether comments
// have appeared (a 304 from the cache when nothing changed), offer "N new comments
// — show", and show them by loading this page's threads again in place.
// Without JavaScript nothing changes.
(function () {
  "use strict";
  var section = document.getElementById("comments");
  if (!section || !section.dataset.liveUrl || !window.fetch || !window.DOMParser) return;
  var etag = '"' + section.dataset.liveVersion + '"';
  var since = parseFloat(section.dataset.liveSince) - 5; // the page's data, read just before
  var viewer = section.dataset.viewer || "";
  var every = Math.max(1, parseInt(section.dataset.liveEvery, 10) || 20) * 1000;
  var fresh = [];
  var busy = false;

  var bar = document.createElement("div");
  bar.className = "live-bar";
  bar.setAttribute("role", "status");
  bar.hidden = true;
  var show = document.createElement("button");
  show.type = "button";
  show.className = "live-bar__show";
  bar.appendChild(show);
  var threads = section.querySelector(".comment-threads");
  section.insertBefore(bar, threads);

  function known(id) {
    return document.getElementById("comment-" + id) !== null;
  }

  function update(state) {
    fresh = state.comments.filter(function (c) {
      return c[2] > since && String(c[1]) !== viewer && !known(c[0]);
    });
    if (!fresh.length) {
      bar.hidden = true;
      return;
    }
    var n = fresh.length;
    show.textContent = n + (n === 1 ? " new comment" : " new comments") + " \u2014 show";
    bar.hidden = false;
  }

  function poll() {
    if (busy || document.visibilityState !== "visible") return;
    busy = true;
    fetch(section.dataset.liveUrl, {
      headers: { "If-None-Match": etag },
      cache: "no-store",
      credentials: "omit",
    })
      .then(function (response) {
        if (response.status === 304 || !response.ok) return null;
        etag = response.headers.get("ETag") || etag;
        return response.json();
      })
      .then(function (state) {
        if (state) update(state);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  }

  show.addEventListener("click", function () {
    var ids = fresh.map(function (c) { return c[0]; });
    var newest = Math.max.apply(null, fresh.map(function (c) { return c[2]; }));
    show.setAttribute("aria-busy", "true");
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var current = section.querySelector(".comment-threads");
        var loaded = page.querySelector("#comments .comment-threads");
        var heading = page.getElementById("comments-heading");
        if (!loaded) throw new Error("no threads");
        current.replaceWith(document.importNode(loaded, true));
        if (heading) document.getElementById("comments-heading").textContent = heading.textContent;
        fresh.forEach(function (c) {
          var comment = document.getElementById("comment-" + c[0]);
          if (comment) {
            comment.classList.add("comment--arrived");
            return;
          }
          // A reply that joined a collapsed thread: open that thread, as its link would.
          var more = section.querySelector('a[data-expand="' + c[3] + '"]');
          if (more) more.click();
        });
        since = Math.max(since, newest);
        fresh = [];
        bar.hidden = true;
        show.removeAttribute("aria-busy");
        var first = ids.length && document.getElementById("comment-" + ids[0]);
        if (first) first.scrollIntoView({ block: "center" });
      })
      .catch(function () {
        window.location.reload();
      });
  });

  setInterval(poll, every);
  document.addEventListener("visibilitychange", poll);
})();
