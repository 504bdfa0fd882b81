// jobrisk studio: the little behaviour htmx does not cover. Loaded with <script src defer>
// after htmx.min.js; no eval, no inline handlers, no element.style (CSP: script-src 'self',
// style-src 'self'). The ids, classes and data attributes it reads are listed in
// crates/studio/VENDORED.md ("studio.js contract").
"use strict";

(() => {
  const URLENCODED = { "Content-Type": "application/x-www-form-urlencoded" };

  /** POSTs `body` (URLSearchParams) to `url` on our own origin, with the session cookie. */
  const post = (url, body) =>
    fetch(url, { method: "POST", credentials: "same-origin", headers: URLENCODED, body });

  /** The form's fields, urlencoded (file inputs have no place in these forms). */
  const formBody = (form) => new URLSearchParams(new FormData(form));

  /** Tells listeners (the leave-page guard, htmx's live preview) that `form` changed. */
  const announceChange = (form) => {
    if (!form) return;
    form.dispatchEvent(new Event("input", { bubbles: true }));
    // htmx's `changed` modifier ignores a repeated event from the same target whose value did
    // not change (a form has none): the preview also listens for this one.
    form.dispatchEvent(new CustomEvent("studio:change", { bubbles: true }));
  };

  // --- CSRF header on htmx requests, from <meta name="csrf-token" content="...">. ---
  document.addEventListener("htmx:config:request", (event) => {
    const token = document.querySelector('meta[name="csrf-token"]')?.content;
    const headers = event.detail?.ctx?.request?.headers;
    if (token && headers) headers["X-CSRF-Token"] = token;
  });

  // --- Leave-page guard: a changed, unsubmitted form[data-guard] asks before leaving. ---
  const dirtyForms = new Set();
  const markDirty = (event) => {
    const form = event.target instanceof Element ? event.target.closest("form[data-guard]") : null;
    if (form) dirtyForms.add(form);
  };
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);
  document.addEventListener("submit", (event) => dirtyForms.delete(event.target), true);
  window.addEventListener("beforeunload", (event) => {
    if ([...dirtyForms].some((form) => form.isConnected)) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to show the prompt
    }
  });

  const roleForm = document.querySelector("form#role-form");

  // --- Ctrl+S / Cmd+S inside the role form saves it through #save. ---
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.key.toLowerCase() !== "s") return;
    if (!roleForm || !(event.target instanceof Node) || !roleForm.contains(event.target)) return;
    event.preventDefault();
    const save = document.getElementById("save");
    if (save) save.click();
    else roleForm.requestSubmit();
  });

  // --- Row lists (tasks, tool links, paths, questions, sources): move, add, remove. ---
  // A list is `[data-rows="KEY"]`; its rows are direct children `[data-row]`; new rows come
  // from `template[data-row-template="KEY"]` through `button[data-add="KEY"]`.
  const listOf = (el) => el?.closest("[data-rows]") ?? null;
  const rowsOf = (list) => (list ? [...list.children].filter((el) => el.matches("[data-row]")) : []);
  const noun = (list) => list.dataset.noun || "Row";

  /** Rewrites KEY[N] / KEY-N- in names, ids and references so N follows the row order. */
  const renumber = (list) => {
    const key = list.dataset.rows;
    const name = new RegExp(`^${key}\\[\\d+\\]`);
    const id = new RegExp(`\\b${key}-\\d+-`, "g");
    const all = rowsOf(list);
    all.forEach((row, index) => {
      for (const el of [row, ...row.querySelectorAll("*")]) {
        if (el.name) el.name = el.name.replace(name, `${key}[${index}]`);
        for (const attr of ["id", "for", "aria-describedby", "aria-labelledby", "aria-controls"]) {
          const value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(id, `${key}-${index}-`));
        }
        if (el.hasAttribute("data-row-number")) el.textContent = String(index + 1);
      }
    });
    return all.length;
  };

  /** Says what happened in #KEY-status (an aria-live region), when the page has one. */
  const status = (list, text) => {
    const region = document.getElementById(`${list.dataset.rows}-status`);
    if (region) region.textContent = text;
  };

  const moveRow = (list, button) => {
    const row = button.closest("[data-row]");
    const all = rowsOf(list);
    const from = all.indexOf(row);
    const to = button.dataset.move === "up" ? from - 1 : from + 1;
    if (from < 0 || to < 0 || to >= all.length) return;
    // Moving the other row keeps focus where it is when moving down; moving this one does not.
    if (to < from) list.insertBefore(row, all[to]);
    else list.insertBefore(all[to], row);
    const count = renumber(list);
    button.focus();
    status(list, `${noun(list)} moved to position ${to + 1} of ${count}.`);
    announceChange(list.closest("form"));
  };

  const addRow = (button) => {
    const key = button.dataset.add;
    const list = document.querySelector(`[data-rows="${key}"]`);
    const template = document.querySelector(`template[data-row-template="${key}"]`);
    if (!list || !(template instanceof HTMLTemplateElement)) return;
    const index = String(rowsOf(list).length);
    const fragment = template.content.cloneNode(true);
    for (const el of fragment.querySelectorAll("*")) {
      for (const attr of [...el.attributes]) {
        if (attr.value.includes("__INDEX__")) attr.value = attr.value.replaceAll("__INDEX__", index);
      }
    }
    const row = fragment.querySelector("[data-row]");
    list.append(fragment);
    const count = renumber(list);
    window.htmx?.process(row ?? list);
    row?.querySelector("input, select, textarea")?.focus();
    status(list, `${noun(list)} ${count} added.`);
    announceChange(list.closest("form"));
  };

  const removeRow = (list, button) => {
    const row = button.closest("[data-row]");
    if (!row) return;
    const form = list.closest("form");
    const next = row.nextElementSibling?.matches("[data-row]") ? row.nextElementSibling : null;
    const previous = row.previousElementSibling?.matches("[data-row]") ? row.previousElementSibling : null;
    row.remove();
    renumber(list);
    // Focus stays close: the next row's remove button, else the previous row's, else Add.
    const target = (next ?? previous)?.querySelector("button[data-remove]")
      ?? document.querySelector(`button[data-add="${list.dataset.rows}"]`);
    target?.focus();
    status(list, `${noun(list)} removed.`);
    announceChange(form);
  };

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    const button = event.target.closest("button[data-move], button[data-remove], button[data-add]");
    if (!button) return;
    if (button.hasAttribute("data-add")) {
      event.preventDefault();
      addRow(button);
      return;
    }
    const list = listOf(button);
    if (!list) return;
    event.preventDefault();
    if (button.hasAttribute("data-remove")) removeRow(list, button);
    else moveRow(list, button);
  });

  // --- Type-ahead from the server: input[data-pick="URL"] fills its <datalist> with the
  // answer of GET URL?q=... (escaped <option>s), the latest request replacing any older one. ---
  const picks = new WeakMap();
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.pick) return;
    const state = picks.get(input) ?? {};
    picks.set(input, state);
    clearTimeout(state.timer);
    state.timer = setTimeout(async () => {
      state.abort?.abort();
      state.abort = new AbortController();
      const url = `${input.dataset.pick}?q=${encodeURIComponent(input.value.trim())}`;
      try {
        const answer = await fetch(url, { credentials: "same-origin", signal: state.abort.signal });
        if (answer.ok && input.list) input.list.innerHTML = await answer.text();
        else if (answer.status === 401) showLogin();
      } catch {
        // Replaced by a newer request, or offline for a moment: the next keystroke asks again.
      }
    }, 200);
  });

  // --- Tabs: [role=tablist] > [role=tab][aria-controls]; arrows move between them. ---
  const selectTab = (tab) => {
    const tablist = tab.closest('[role="tablist"]');
    for (const other of tablist.querySelectorAll('[role="tab"]')) {
      const chosen = other === tab;
      other.setAttribute("aria-selected", String(chosen));
      other.tabIndex = chosen ? 0 : -1;
      const panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !chosen;
    }
  };
  document.addEventListener("click", (event) => {
    const tab = event.target instanceof Element ? event.target.closest('[role="tab"]') : null;
    if (tab) selectTab(tab);
  });
  document.addEventListener("keydown", (event) => {
    const tab = event.target instanceof Element ? event.target.closest('[role="tab"]') : null;
    if (!tab || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const tabs = [...tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]')];
    const at = tabs.indexOf(tab);
    const next = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[event.key];
    const target = tabs[(next + tabs.length) % tabs.length];
    event.preventDefault();
    selectTab(target);
    target.focus();
  });

  // --- Log in again without leaving the page: dialog#login-dialog. ---
  const loginDialog = document.getElementById("login-dialog");
  const showLogin = () => {
    if (!(loginDialog instanceof HTMLDialogElement) || loginDialog.open) return;
    loginDialog.querySelector("[data-login-error]")?.setAttribute("hidden", "");
    loginDialog.showModal();
    loginDialog.querySelector('input[name="login"]')?.focus();
  };
  const loginForm = loginDialog?.querySelector("form");
  loginForm?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = loginDialog.querySelector("[data-login-error]");
    let answer = null;
    try {
      answer = await post(loginForm.action, formBody(loginForm));
    } catch {
      answer = null;
    }
    if (answer?.status === 200) {
      // A new session may come with a new CSRF token: every form and htmx use it from now on.
      const token = answer.headers.get("X-CSRF-Token");
      if (token) {
        for (const input of document.querySelectorAll('input[name="csrf"]')) input.value = token;
        document.querySelector('meta[name="csrf-token"]')?.setAttribute("content", token);
      }
      const password = loginForm.elements.namedItem("password");
      if (password) password.value = "";
      error?.setAttribute("hidden", "");
      loginDialog.close();
      return;
    }
    error?.removeAttribute("hidden");
    loginForm.elements.namedItem("password")?.focus();
  });

  if (!roleForm) return;
  const interval = (name, fallback) => Number(roleForm.dataset[name]) || fallback;

  // --- Edit buffer: every 5 s while changed since the last save, POST the form's data. ---
  const bufferUrl = roleForm.dataset.bufferUrl;
  if (bufferUrl) {
    let changed = false;
    let busy = false;
    const mark = () => { changed = true; };
    roleForm.addEventListener("input", mark);
    roleForm.addEventListener("change", mark);
    roleForm.addEventListener("submit", () => { changed = false; });
    setInterval(async () => {
      if (!changed || busy || loginDialog?.open) return;
      changed = false;
      busy = true;
      try {
        // The answer never changes the form: the editor's typing wins.
        const answer = await post(bufferUrl, formBody(roleForm));
        if (!answer.ok) changed = true; // try again on the next tick
        if (answer.status === 401) showLogin();
      } catch {
        changed = true;
      } finally {
        busy = false;
      }
    }, interval("bufferInterval", 5000));
  }

  // --- Heartbeat: every 30 s, say we are here; the answer is #presence's HTML. ---
  const heartbeatUrl = roleForm.dataset.heartbeatUrl;
  if (heartbeatUrl) {
    setInterval(async () => {
      const body = new URLSearchParams();
      for (const name of ["csrf", "expectedVersion"]) {
        const field = roleForm.elements.namedItem(name);
        if (field && "value" in field) body.set(name, field.value);
      }
      try {
        const answer = await post(heartbeatUrl, body);
        const presence = document.getElementById("presence");
        // Server-rendered, escaped HTML from our own origin.
        if (answer.ok && presence) presence.innerHTML = await answer.text();
        else if (answer.status === 401) showLogin();
      } catch {
        // Offline for a moment: the next beat tries again.
      }
    }, interval("heartbeatInterval", 30000));
  }
})();
