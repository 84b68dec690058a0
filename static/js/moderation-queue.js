// The moderation queue, by keyboard: j/k move, a approve, h + digit hide for a reason,
// r restore, d dismiss reports, b ban the author, o open in the thread, ? the list.
// A decision is the same POST the row's buttons send, to the same URL, so the same
// workflow decides and records it; the page only asks for a JSON answer instead of a
// redirect, and moves on to the next undecided row. Without this script the buttons
// work as they always did.
(function () {
  "use strict";

  const form = document.getElementById("changelist-form");
  if (!form) return;
  const rows = Array.from(document.querySelectorAll("#result_list tbody tr")).filter(
    (row) => row.querySelector(".mod-decide")
  );
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  const help = document.getElementById("mod-keys");
  const REASON_KEY = "newsroom.moderation.lastHideReason";
  const CLAIM_EVERY_MS = 60 * 1000;
  let current = -1;
  let hiding = null; // the row waiting for a reason after "h"
  let busy = false;
  const claimed = new Map();

  const panel = (row) => row.querySelector(".mod-decide");
  const undecided = (row) => !row.classList.contains("mod-row--decided");
  const reasonSelect = (row) => row.querySelector(".mod-hide select");
  const reasons = () => {
    const any = document.querySelector(".mod-hide select");
    return any ? Array.from(any.options).filter((o) => o.value).map((o) => o.value) : [];
  };

  function say(row, text, isError) {
    const status = panel(row).querySelector(".mod-decided");
    status.textContent = text;
    status.classList.toggle("mod-decided--error", Boolean(isError));
  }

  // The row's status badge, as the excerpt column draws it: none while visible.
  function showState(row, state, label) {
    let badge = row.querySelector(".mod-status");
    if (state === "visible") {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      row.querySelector(".mod-excerpt").after(badge);
    }
    badge.className = `mod-status mod-status--${state}`;
    badge.textContent = label;
  }

  function claim(row) {
    // A soft note that this moderator has the row open; others see "being reviewed".
    const url = panel(row).dataset.claimUrl;
    const last = claimed.get(url) || 0;
    if (Date.now() - last < CLAIM_EVERY_MS) return;
    claimed.set(url, Date.now());
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf.value);
    fetch(url, { method: "POST", body, credentials: "same-origin" }).catch(() => {});
  }

  function focusRow(index) {
    if (index < 0 || index >= rows.length) return;
    if (current >= 0) rows[current].classList.remove("mod-row--current");
    current = index;
    const row = rows[current];
    row.classList.add("mod-row--current");
    row.tabIndex = -1;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    claim(row);
  }

  function move(step) {
    for (let i = current + step; i >= 0 && i < rows.length; i += step) {
      if (undecided(rows[i])) return focusRow(i);
    }
  }

  function nextUndecided() {
    const after = rows.slice(current + 1).findIndex(undecided);
    if (after >= 0) return focusRow(current + 1 + after);
    const before = rows.findIndex(undecided);
    if (before >= 0) return focusRow(before);
    // This page is done: the queue's next comments are a reload away.
    document.body.classList.add("mod-page-done");
    window.location.reload();
  }

  function button(row, decision) {
    return panel(row).querySelector(`button[name=decision][value=${decision}]`);
  }

  async function decide(row, decision, reason) {
    if (busy || !button(row, decision)) return;
    const id = panel(row).dataset.comment;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf.value);
    body.append("decision", decision);
    const seen = row.querySelector(`input[name=seen_text_${id}]`);
    if (seen) body.append(seen.name, seen.value);
    if (decision === "hide") {
      body.append(`hide_reason_${id}`, reason);
      const note = row.querySelector(`input[name=hide_note_${id}]`);
      if (note) body.append(note.name, note.value);
    }
    busy = true;
    say(row, "Saving…");
    try {
      const response = await fetch(panel(row).dataset.decideUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      const answer = await response.json();
      if (!answer.ok) {
        say(row, answer.message, true);
        return;
      }
      row.classList.add("mod-row--decided");
      panel(row).querySelectorAll("button, select, input[type=text], .mod-btn--ban").forEach(
        (control) => control.remove()
      );
      showState(row, answer.state, answer.status);
      say(row, `${answer.message} Now: ${answer.status}.`);
      nextUndecided();
    } catch (error) {
      say(row, "Not saved: the server did not answer. Try again.", true);
    } finally {
      busy = false;
    }
  }

  function startHide(row) {
    if (!button(row, "hide")) return;
    hiding = row;
    const last = localStorage.getItem(REASON_KEY);
    const select = reasonSelect(row);
    const lastLabel = last && select.querySelector(`option[value="${last}"]`);
    say(
      row,
      "Hide: press a number for the reason" +
        (lastLabel ? `, h or Enter for ${lastLabel.textContent.replace(/^\d+\. /, "")}` : "") +
        ", Esc to cancel."
    );
  }

  function finishHide(key) {
    const row = hiding;
    hiding = null;
    let reason = null;
    if (/^[1-9]$/.test(key)) reason = reasons()[Number(key) - 1];
    else if (key === "h" || key === "Enter") reason = localStorage.getItem(REASON_KEY);
    if (!reason) {
      say(row, "");
      return;
    }
    localStorage.setItem(REASON_KEY, reason);
    reasonSelect(row).value = reason;
    decide(row, "hide", reason);
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (help && help.open) {
      if (event.key === "?") help.close();
      return; // Esc closes it by itself
    }
    const row = rows[current];
    if (hiding) {
      event.preventDefault();
      finishHide(event.key);
      return;
    }
    const actions = {
      j: () => move(1),
      k: () => move(-1),
      a: () => row && decide(row, "approve"),
      r: () => row && decide(row, "restore"),
      d: () => row && decide(row, "dismiss"),
      h: () => row && startHide(row),
      b: () => row && panel(row).dataset.banUrl && (window.location = panel(row).dataset.banUrl),
      o: () => row && window.open(panel(row).dataset.threadUrl, "_blank", "noopener"),
      "?": () => help && help.showModal(),
    };
    const action = actions[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  // The row's Hide button needs a reason: say so beside it rather than after a reload.
  form.addEventListener("click", (event) => {
    const hide = event.target.closest("button[name=decision][value=hide]");
    if (!hide) return;
    const row = hide.closest("tr") || hide.closest(".mod-decide");
    const select = row.querySelector(".mod-hide select");
    const error = row.querySelector(".mod-hide__error");
    if (select && !select.value) {
      event.preventDefault();
      error.textContent = "Choose a reason to hide this comment.";
      select.focus();
    } else if (error) {
      error.textContent = "";
    }
  });

  rows.forEach((row, index) =>
    row.addEventListener("click", (event) => {
      if (!event.target.closest("a, button, select, input")) focusRow(index);
    })
  );
  if (rows.length) focusRow(0);
})();
