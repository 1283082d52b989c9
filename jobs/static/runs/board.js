// The scheduler dashboard: the board refreshes itself every 30 s without reloading the page, and
// Run now asks for a confirmation, then starts the entry through the scheduler API (the admin's
// session and its CSRF token) and follows the run it names until it has finished.
// Without JavaScript (or <dialog>) the Run now buttons open a confirmation page instead.
(function () {
  "use strict";

  const board = document.getElementById("board");
  const dialog = document.getElementById("run-now-dialog");
  const status = document.getElementById("board-status");
  if (!board || !dialog || typeof dialog.showModal !== "function") return;

  const every = Number(board.dataset.every) * 1000;
  const FOLLOW_EVERY = 2000; // while a run started here has not finished
  const FOLLOW_AT_MOST = 10 * 60 * 1000;
  let timer = null;
  let followed = null;
  let followUntil = 0;

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("tone-bad-text", Boolean(isError));
  }

  function csrfToken() {
    return document.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  function followedRow() {
    return board.querySelector('#latest-runs tr[data-name="' + CSS.escape(followed) + '"]');
  }

  function following() {
    if (!followed || Date.now() > followUntil) return false;
    const row = followedRow();
    const badge = row && row.querySelector(".badge");
    return !badge || badge.textContent.trim() === "running";
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(refresh, following() ? FOLLOW_EVERY : every);
  }

  // Logged out meanwhile (elsewhere, or the session expired): the fragment answers 403 with a
  // "staff only" page, never injected into the board. Say so, link to the login page, and stop
  // refreshing: nothing will change until someone logs in again.
  function sessionEnded() {
    const link = document.createElement("a");
    link.href = board.dataset.loginUrl;
    link.textContent = "Log in again";
    say("Your session has ended: the board is no longer refreshed. ", true);
    status.append(link, ".");
    clearTimeout(timer);
  }

  async function refresh() {
    try {
      const response = await fetch(board.dataset.url, { credentials: "same-origin" });
      if (response.status === 403 || response.redirected) {
        sessionEnded();
        return;
      }
      if (!response.ok) throw new Error("the server answered " + response.status);
      board.innerHTML = await response.text();
      if (followed && !following()) {
        const row = followedRow();
        const badge = row && row.querySelector(".badge");
        if (badge) say("The run " + followed + " " + badge.textContent.trim() + ".");
        followed = null;
      }
    } catch (error) {
      say("Could not refresh the board: " + error.message + ". Trying again.", true);
    }
    later();
  }

  async function runNow(entry) {
    say("Starting " + entry + "...");
    let response;
    let answer;
    try {
      response = await fetch(board.dataset.triggerUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ entry: entry }),
      });
      answer = await response.json();
    } catch (error) {
      say("Could not start " + entry + ": " + error.message, true);
      return;
    }
    if (!response.ok) {
      say(answer.error || "Could not start " + entry + " (" + response.status + ").", true);
      return;
    }
    say(answer.started + " Following it here.");
    followed = answer.run;
    followUntil = Date.now() + FOLLOW_AT_MOST;
    refresh();
  }

  board.addEventListener("click", function (event) {
    const button = event.target.closest("button.run-now");
    if (!button) return;
    event.preventDefault();
    dialog.querySelector("[data-field=entry]").textContent = button.dataset.entry;
    dialog.querySelector("[data-field=command]").textContent = button.dataset.command;
    dialog.dataset.entry = button.dataset.entry;
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  });

  dialog.addEventListener("close", function () {
    if (dialog.returnValue === "run") runNow(dialog.dataset.entry);
  });

  later();
})();
