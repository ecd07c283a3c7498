// Nekpijn-assistent, the therapist's screen. Plain JavaScript, no build step, no external code.
// The live page follows the server's event stream (/events) and draws what the dialog does;
// every click or typed answer is POSTed as an utterance, with the page's CSRF token.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  const GONE = "De assistent is gestopt of opnieuw gestart. Open de link die bij het starten werd getoond.";

  // The server has stopped or restarted (its stream fails, or it refuses this page's token):
  // one clear line, and nothing left to click that could only fail.
  function gone() {
    if (document.body.classList.contains("gone")) return;
    document.body.classList.add("gone");
    let line = $("gone");
    if (!line) {
      line = el("p", {id: "gone", class: "gone-line", role: "alert"});
      document.querySelector("main").prepend(line);
    }
    line.textContent = GONE;
    for (const node of document.querySelectorAll("main button, main input, main select")) {
      node.disabled = true;
    }
  }

  // A POST with the page's CSRF token; the response as it is. Unreachable, or refused by
  // the guard (the token of an earlier start): the page says the assistant has gone.
  async function postRaw(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify(body || {}),
      });
    } catch (e) {
      gone();
      throw new Error(GONE);
    }
    if (response.status === 403) { gone(); throw new Error(GONE); }
    return response;
  }

  // An action that answered 400/409/…: its one Dutch line as an Error.
  async function refusal(response) {
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    const error = new Error(data.error || "Dat lukte niet (" + response.status + ").");
    error.status = response.status;
    error.stored = data.stored || null;  // an intake stored already: the patient's page
    return error;
  }

  async function post(path, body) {
    const response = await postRaw(path, body);
    if (!response.ok) throw await refusal(response);
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    return data;
  }

  function showError(node, error) {
    if (!node) return;
    node.textContent = error.message;
    if (error.stored) {
      node.append(" ", el("a", {href: error.stored, id: "stored-link"},
                          "Bekijk de opgeslagen intake"));
    }
    node.hidden = false;
  }

  // --- start page -----------------------------------------------------------------------------

  function startPage() {
    const error = $("start-error");
    $("new-intake").addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = $("start-intake");
      button.disabled = true;
      try {
        await post("/api/intake", {patient: $("patient").value.trim(), resume: false});
        location.assign("/intake");
      } catch (e) {
        showError(error, e);
        if (!document.body.classList.contains("gone")) button.disabled = false;
      }
    });
    storedButtons();
    voiceForm();
    for (const button of document.querySelectorAll("button.resume")) {
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await post("/api/intake", {patient: button.dataset.patient, resume: true});
          location.assign("/intake");
        } catch (e) {
          showError(error, e);
          if (!document.body.classList.contains("gone")) button.disabled = false;
        }
      });
    }
  }

  // A button that waited for its work: usable again, and the focus back on it when it had
  // the focus (a disabled button loses it), so the keyboard goes on from where it was.
  function enableAgain(button, focused) {
    button.disabled = false;
    if (focused && (document.activeElement === document.body || !document.activeElement)) {
      button.focus();
    }
  }

  // A form whose button waits for its work on the server: pressed again meanwhile, nothing
  // happens (one job, not two); afterwards usable again with the focus back (enableAgain).
  function busyForm(formId, buttonId, work) {
    const form = $(formId);
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = $(buttonId);
      if (button.disabled) return;
      const focused = document.activeElement === button;
      button.disabled = true;
      try {
        await work(form);
      } finally {
        if (!document.body.classList.contains("gone")) enableAgain(button, focused);
      }
    });
  }

  // The screen's voice: loaded on the server (a Piper voice takes a moment), then said.
  function voiceForm() {
    busyForm("voice-form", "set-voice", async () => {
      $("voice-error").hidden = true;
      $("voice-line").textContent = "De stem wordt geladen…";
      try {
        const data = await post("/api/voice", {voice: $("voice").value});
        $("voice-line").textContent = data.line;
      } catch (e) {
        $("voice-line").textContent = "";
        showError($("voice-error"), e);
      }
    });
  }

  // An interrupted intake that was stored already: asked to resume it, the screen sets its
  // journal aside (nothing to ask again); then the patient's page shows the stored intake.
  function storedButtons() {
    for (const button of document.querySelectorAll("button.stored")) {
      button.addEventListener("click", async () => {
        button.disabled = true;
        let target = button.dataset.href;
        try {
          await post("/api/intake", {patient: button.dataset.patient, resume: true});
          target = "/intake";  // not stored after all: it was resumed
        } catch (e) {
          if (e.stored) target = e.stored;
        }
        if (!document.body.classList.contains("gone")) location.assign(target);
      });
    }
  }

  // --- patient page ---------------------------------------------------------------------------

  // Advice with one of these actions says it is going worse: it stands out (amber).
  const WORSE_ACTIONS = ["reassess", "stop_and_contact_gp", "refer_back_gp"];

  // After a measurement is stored: the table and the chart again, from the page itself.
  async function refreshHistory() {
    try {
      const response = await fetch(location.pathname, {credentials: "same-origin"});
      if (!response.ok) return;
      const html = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = html.getElementById("history-card");
      if (!fresh) return;
      const chart = fresh.querySelector("img.chart");
      if (chart) {  // the new chart (not the cached one), loaded before it is shown
        const url = chart.getAttribute("src") + "?v=" + Date.now();
        const loading = new Image();
        loading.src = url;
        await loading.decode().catch(() => null);
        chart.src = url;
      }
      const card = document.adoptNode(fresh);
      for (const id of ["patient-session", "home-audio", "home-audio-status", "home-audio-error"]) {
        const kept = $(id);  // the ones with their handlers, and what they said
        const slot = card.querySelector("#" + id);
        if (kept && slot) slot.replaceWith(kept);
      }
      $("history-card").replaceWith(card);
    } catch (e) { /* the advice stands; "Toon het verloop" shows the history */ }
  }

  function patientPage() {
    const form = $("followup");
    const session = $("patient-session");
    if (session) {
      session.addEventListener("click", async () => {
        try {
          await post("/api/session", {handle: session.dataset.handle});
          location.assign("/intake");
        } catch (e) { showError($("followup-error"), e); }
      });
    }
    homeAudio();
    if (!form) return;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const save = $("save-followup");
      if (save.disabled) return;  // sent already: one measurement, not two
      save.disabled = true;
      const psk = [...form.querySelectorAll('input[name="psk"]')].map((i) => i.value);
      const activities = [...form.querySelectorAll('input[name="activity"]')].map((i) => i.value);
      const neuro = $("neuro");
      const sameDay = $("again");
      try {
        const data = await post("/api/followup", {
          handle: form.dataset.handle, nonce: form.dataset.nonce, nprs: $("nprs").value, psk: psk,
          activities: activities, neuro_worse: neuro ? neuro.checked : false,
          again: sameDay ? sameDay.checked : false,
        });
        $("followup-error").hidden = true;
        const box = $("followup-result");
        box.replaceChildren(el("h3", {}, "Advies"));
        const worse = data.actions.some((a) => WORSE_ACTIONS.includes(a)) ||
          data.advice.some((line) => line.startsWith("Het gaat slechter"));
        const advice = el("ul", {class: worse ? "plain warning worse" : "plain"});
        for (const line of data.advice) advice.append(el("li", {}, line));
        box.append(advice, el("h3", {}, "Waarom"));
        const reasons = el("ul", {class: "plain quiet"});
        for (const line of data.reasons) reasons.append(el("li", {}, line));
        box.append(reasons);
        const again = el("a", {href: location.pathname, class: "button"}, "Toon het verloop");
        box.append(again);
        box.hidden = false;
        form.hidden = true;
        refreshHistory();
      } catch (e) {
        showError($("followup-error"), e);
        if (e.status !== 409 && !document.body.classList.contains("gone")) save.disabled = false;
      }
    });
  }

  // The guided session as an audio file to take home: made on the server (seconds), then
  // saved by the browser as a download. The button waits meanwhile; the line says what
  // happens, and why it failed.
  function homeAudio() {
    busyForm("home-audio", "make-home-audio", async (form) => {  // one recording, not two
      const status = $("home-audio-status"), error = $("home-audio-error");
      error.hidden = true;
      status.textContent = "De opname wordt gemaakt. Dat duurt enkele seconden…";
      try {
        const response = await postRaw("/api/home-audio",
                                       {handle: form.dataset.handle, format: $("home-format").value});
        if (!response.ok) throw await refusal(response);
        const blob = await response.blob();
        const given = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
        const name = given ? given[1] : "oefensessie";
        const url = URL.createObjectURL(blob);
        const link = el("a", {href: url, download: name, hidden: ""});
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        const seconds = Math.round(Number(response.headers.get("X-Audio-Seconds")) || 0);
        const length = seconds ? ` (${Math.floor(seconds / 60)} min ${seconds % 60} s)` : "";
        status.textContent = `Opname klaar: ${name}${length}. Het bestand staat bij de downloads.`;
      } catch (e) {
        status.textContent = "";
        showError(error, e);
      }
    });
  }

  // --- the live page --------------------------------------------------------------------------

  const live = {
    answers: [],        // {question, label, shown, note}
    activity: "idle",
    running: false,
    result: false,
    chosen: [],
    saidFresh: false,
    names: {},          // exercise code → plain name, from the menu   // something was said since the last answer (a section's intro)
    times: {},          // seq → {t: published (server clock, ms), shown: Date.now()}
    prompt: null,       // the seq of the prompt the dialog waits on; null: none to answer now
    shown: null,        // the seq of the question (ask, confirm, reprompt) on screen
    open: false,        // the answer controls may be used (nothing sent for this one yet)
    pending: null,      // a click held until the dialog listens: {path, body, shown}
    reprompted: null,   // the question a reprompt was given for since it was last asked
    exercise: null,     // a session: the number of the exercise under way
    commandTimer: null, // a session: re-enables the commands if nothing comes back
    part: null,         // the number of the intake's part asked now (views.parts); null: none
    checklistFor: null, // the checklist drawn: its question and signs (kept through a re-ask)
  };
  window.uiTimes = live.times;

  // Every answer carries the prompt it answers; once sent, the answer controls wait for the
  // next question, so a double click or Enter twice cannot answer a question not yet shown.
  // A click on the question on screen before the dialog listens is held until it does (and
  // dropped if another question comes first).
  function setAnswering(open) {
    live.open = open;
    for (const node of document.querySelectorAll(
      "#buttons button, #answer-text, #answer-form button, #question-panel .commands button," +
      " #choose, #choose-none, #answers button, #checklist button")) {
      node.disabled = !open || (node.classList.contains("answer-item") && live.result);
    }
    $("stop-intake").disabled = !live.running;  // stopping answers nothing: always possible
    document.body.classList.toggle("waiting", !open);
  }

  function send(path, body) {
    if (!live.open || !live.running) return Promise.resolve();  // sent already, or ended
    setAnswering(false);
    if (live.prompt === null) {  // shown, not yet listened for: held for its prompt
      live.pending = {path: path, body: body, shown: live.shown};
      return Promise.resolve();
    }
    const given = live.prompt;
    live.prompt = null;
    return post(path, {...body, prompt: given}).catch((e) => {
      notice(e.message, "error");
      if (e.status === 400 && live.prompt === null && live.running) {  // not taken: still open
        live.prompt = given;
        setAnswering(true);
      }
    });
  }

  function opened(seq) {  // the dialog listens: a prompt message
    live.prompt = seq;
    const held = live.pending;
    live.pending = null;
    setAnswering(true);
    if (held && held.shown === live.shown) send(held.path, held.body);
  }

  function say(text) {
    if (live.activity === "session" && text !== "stop") {
      commandsWait(true);  // until the session answers: a double click sends one command
      return post("/api/say", {text: text, exercise: live.exercise}).catch((e) => {
        notice(e.message, "error");
        commandsWait(false);
      });
    }
    if (text === "stop") {
      return post("/api/say", {text: text}).catch((e) => notice(e.message, "error"));
    }
    return send("/api/say", {text: text});
  }

  // The session's commands (not Stop) wait for the next session event after a click; should
  // nothing come (a command that changes nothing on screen), they open again after 3 s.
  function commandsWait(waiting) {
    clearTimeout(live.commandTimer);
    live.commandTimer = waiting ? setTimeout(() => commandsWait(false), 3000) : null;
    for (const node of document.querySelectorAll('#session-panel .commands button:not(.stop)')) {
      node.disabled = waiting;
    }
  }

  // The current question or confirmation in view, when it is not: smoothly, or at once for
  // whoever asked the system for less motion (WCAG 2.3.3).
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");
  function reveal(panel) {
    const question = $("question").getBoundingClientRect();
    if (question.top >= 0 && question.bottom <= window.innerHeight) return;
    const fits = panel.getBoundingClientRect().height < window.innerHeight;
    panel.scrollIntoView({behavior: calm.matches ? "auto" : "smooth",
                          block: fits ? "center" : "start"});
  }

  // Said to a screen reader: an error or a reason asked again at once (assertive), anything
  // else when it is free (polite). Emptied first, so the same line twice is said twice.
  function announce(text, assertive) {
    const region = $(assertive ? "announce-alert" : "announce-polite");
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);
  }

  function notice(text, level) {
    const card = $("notices-card");
    const item = el("li", {class: level === "error" ? "error" : ""}, text);
    $("notices").prepend(item);
    card.hidden = false;
    announce(text, level === "error");
  }

  function clearAll() {
    live.answers = [];
    live.result = false;
    live.chosen = [];
    live.reprompted = null;
    live.exercise = null;
    commandsWait(false);
    $("result-provisional").hidden = true;
    $("exercise-purpose").hidden = true;
    for (const id of ["question-panel", "said-panel", "menu-panel", "result-panel", "plan-panel",
                      "session-panel", "idle-panel", "notices-card"]) $(id).hidden = true;
    $("answers").replaceChildren();
    $("notices").replaceChildren();
    $("report-link").hidden = true;
    $("start-session").hidden = true;
    $("chosen").hidden = true;
    $("session-note").textContent = "";
    $("answers-card").hidden = false;
    $("answers-card").classList.remove("concluded");
    $("answers-card").querySelector(".hint").textContent = "Kies een antwoord om het te veranderen.";
    live.part = null;
    live.checklistFor = null;
    $("parts-card").hidden = true;
    markParts();
  }

  // The intake's parts: done (answered), not needed (passed without a question), now (with
  // aria-current), or to come.
  function markParts() {
    const answered = new Set(live.answers.map((a) => a.part).filter(Boolean));
    for (const item of $("parts").children) {
      const number = Number(item.dataset.part);
      const passed = live.part !== null ? number < live.part : live.result;
      const state = number === live.part ? "now" : passed
        ? (answered.has(number) ? "done" : "skipped") : "coming";
      item.className = "part " + state;
      // passed without a question: "niet nodig" once the result is there; before it a part
      // may still come (the psychosocial factors after the examination)
      item.querySelector(".part-state").textContent =
        state === "skipped" && !live.result ? "niet gevraagd" : PART_STATES[state];
      if (state === "now") item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    }
  }

  const PART_STATES = {now: "nu", done: "gedaan", skipped: "niet nodig", coming: "nog te doen"};

  function setButtons(buttons) {
    const box = $("buttons");
    box.replaceChildren();
    for (const text of buttons || []) {
      const button = el("button", {type: "button", class: "answer"}, text);
      button.addEventListener("click", () => say(text));
      box.append(button);
    }
  }

  function drawAnswers() {
    const list = $("answers");
    list.replaceChildren();
    for (const answer of live.answers) {
      // after the result the answers stand: plain text, fully readable, nothing to click
      const button = live.result ? el("div", {class: "answer-item standing"})
        : el("button", {type: "button", class: "answer-item"});
      button.append(el("span", {class: "label"}, answer.label),
                    el("span", {class: "value"}, answer.shown));
      if (answer.note) button.append(el("span", {class: "note"}, answer.note));
      if (!live.result) {
        button.disabled = !live.open;
        button.addEventListener("click", () => {
          if (!live.running || live.result) return;
          send("/api/change", {question: answer.question});
        });
      }
      const item = el("li");
      item.append(button);
      list.append(item);
    }
    list.scrollTop = list.scrollHeight;  // the latest answer in view, the page not moved
  }

  // A checklist: every sign, each with Ja / Nee / Weet niet (none chosen); kept as it is when
  // the same checklist is asked again (after a reason), drawn anew otherwise.
  function drawChecklist(event) {
    const key = event.question + ":" + event.signs.map((s) => s.id).join(",");
    if (live.checklistFor === key) return;
    live.checklistFor = key;
    $("checklist-note").hidden = true;
    $("checklist-error").hidden = true;
    const list = $("signs");
    list.replaceChildren();
    for (const sign of event.signs) {
      const set = el("fieldset", {class: "sign", "data-sign": sign.id});
      set.append(el("legend", {}, sign.label));
      const choices = el("div", {class: "choices"});
      for (const [value, text] of SIGN_CHOICES) {
        const label = el("label", {class: "choice"});
        const input = el("input", {type: "radio", name: "sign-" + sign.id, value: value});
        input.addEventListener("change", () => {
          set.classList.remove("open", "by-rest");
          set.removeAttribute("aria-invalid");
        });
        label.append(input, el("span", {}, text));
        choices.append(label);
      }
      set.append(choices);
      const item = el("li");
      item.append(set);
      list.append(item);
    }
  }

  const SIGN_CHOICES = [["yes", "Ja"], ["no", "Nee"], ["unknown", "Weet niet"]];
  const SIGN_VALUES = {yes: true, no: false, unknown: "unknown"};

  function signSets() { return [...$("signs").querySelectorAll("fieldset.sign")]; }
  function signLabel(set) { return set.querySelector("legend").textContent; }

  // "Geen van de overige": every sign without a choice is set to Nee, visibly and said.
  function restToNo() {
    const set = [];
    for (const sign of signSets()) {
      if (sign.querySelector("input:checked")) continue;
      sign.querySelector('input[value="no"]').checked = true;
      sign.classList.remove("open");
      sign.removeAttribute("aria-invalid");
      sign.classList.add("by-rest");
      set.push(signLabel(sign));
    }
    const note = $("checklist-note");
    note.textContent = set.length ? "Op nee gezet: " + set.join(", ") + "."
      : "Bij elk teken was al iets gekozen; er is niets veranderd.";
    note.hidden = false;
    $("checklist-error").hidden = true;
    announce(note.textContent, false);
  }

  // "Klaar": refused (and said) until every sign has a choice; then the choices are sent.
  function checklistDone() {
    const open = signSets().filter((sign) => !sign.querySelector("input:checked"));
    const error = $("checklist-error");
    if (open.length) {
      for (const sign of open) {
        sign.classList.add("open");
        sign.setAttribute("aria-invalid", "true");
      }
      error.textContent = "Nog niet klaar: kies bij elk teken ja, nee of weet niet. Nog open: " +
        open.map(signLabel).join(", ") + ".";
      error.hidden = false;
      announce(error.textContent, true);
      open[0].querySelector("input").focus();
      return;
    }
    error.hidden = true;
    const values = {};
    for (const sign of signSets()) {
      values[sign.dataset.sign] = SIGN_VALUES[sign.querySelector("input:checked").value];
    }
    send("/api/say", {checklist: values});
  }

  function ask(event, view, confirming, seq) {
    if (!live.saidFresh) $("said-panel").hidden = true;  // an older intro: out of date now
    const panel = $("question-panel");
    panel.hidden = false;
    panel.classList.toggle("confirming", confirming);
    if (!confirming && view.part) {  // where the intake is: this part, of how many
      live.part = view.part;
      $("parts-card").hidden = false;
      markParts();
    }
    $("section").textContent = confirming ? "Klopt dat?" : !view.section ? ""
      : view.part ? view.section + " — deel " + view.part + " van " + view.parts : view.section;
    $("question").textContent = view.text || event.text;
    // asked again right after a reprompt: why (and what was heard) stays on screen
    const again = !confirming && live.reprompted !== null && live.reprompted === event.question;
    live.reprompted = null;
    if (!again) {
      $("reprompt").hidden = true;
      $("heard").hidden = true;
    }
    setButtons(view.buttons);
    const checklist = !confirming && view.checklist === true;
    if (checklist) drawChecklist(event);
    else live.checklistFor = null;
    $("checklist").hidden = !checklist;
    live.shown = seq;  // a new question on screen: clicks answer it once the dialog listens
    panel.dataset.shown = String(seq);  // (which question is on screen: for the tests)
    live.prompt = null;
    live.pending = null;
    setAnswering(live.running);
    panel.classList.toggle("choosing", event.question === "exercise_choice");
    const input = $("answer-text");
    input.value = "";
    input.placeholder = view.duration ? "Typ de duur, bijvoorbeeld: drie weken"
      : /^activity\d$/.test(event.question) ? "Typ de activiteit, bijvoorbeeld: traplopen"
      : checklist ? "Of typ: geen, of de nummers die gelden"
      : "Typ een antwoord";
    const typing = (view.buttons || []).length === 0 && event.question !== "exercise_choice"
      && !checklist;
    // focus on the new question: the box to type in (named by the question) when there is
    // nothing to choose, else the question itself; a moment later, and only the last of the
    // questions a change walks back through gets it (no screen reader reads each of them)
    clearTimeout(live.focusTimer);
    live.focusTimer = setTimeout(() => {
      if (!confirming && typing) input.focus();
      else $("question").focus({preventScroll: true});
    }, 40);
    if (!confirming && event.question && live.answers.some((a) => a.question === event.question)) {
      const at = live.answers.findIndex((a) => a.question === event.question);
      live.answers.splice(at);  // 'terug': this answer and those after it are taken back
      drawAnswers();
    }
    reveal(panel);
  }

  // How often: the default first, then the other phrases the choice understands.
  function oftenSelect(item, frequencies) {
    const select = el("select", {id: "often-" + item.code, class: "often",
                                 "aria-label": "Hoe vaak " + item.code});
    for (const phrase of [item.frequency, ...frequencies.filter((f) => f !== item.frequency)]) {
      if (phrase) select.append(el("option", {value: phrase}, phrase));
    }
    return select;
  }

  function menuItem(item, list, frequencies) {
    live.names[item.code] = item.name;
    const id = "pick-" + item.code;
    const row = el("li");
    const box = el("input", {type: "checkbox", id: id, value: item.code});
    const label = el("label", {for: id});
    label.append(el("strong", {}, item.code + " "), el("span", {}, item.name),
                 el("span", {class: "technical"}, item.technical_name));
    row.append(box, label);
    if (item.frequency) row.append(oftenSelect(item, frequencies));
    list.append(row);
  }

  function menu(event) {
    $("menu-panel").hidden = false;
    $("menu").replaceChildren();
    $("menu-later").replaceChildren();
    const frequencies = event.frequencies || [];
    for (const item of event.exercises) menuItem(item, $("menu"), frequencies);
    const later = event.if_insufficient || [];
    for (const item of later) menuItem(item, $("menu-later"), frequencies);
    $("menu-later-title").hidden = later.length === 0;
    const warnings = [...(event.warning ? ["Let op: " + event.warning] : []),
                      ...(event.cautions || [])];
    $("menu-warning").hidden = warnings.length === 0;
    $("menu-warning").replaceChildren(...warnings.map((w) => el("span", {class: "line"}, w)));
  }

  function listBlock(title, items) {
    if (!items || items.length === 0) return null;
    const block = el("div", {class: "block"});
    block.append(el("h3", {}, title));
    const list = el("ul", {class: "plain"});
    for (const item of items) list.append(el("li", {}, item));
    block.append(list);
    return block;
  }

  function result(view) {
    live.result = true;
    live.part = null;
    markParts();
    drawAnswers();  // they stand now: plain text
    $("answers-card").classList.add("concluded");
    $("answers-card").querySelector(".hint").textContent = "De uitkomst staat; de antwoorden liggen vast.";
    $("result-panel").hidden = false;
    $("question-panel").hidden = true;
    const headline = $("result-headline");
    const provisional = !view.referral && view.provisional;
    headline.className = "headline " + (view.referral ? "referral" : "profile") +
      (provisional ? " provisional" : "");
    const banner = $("result-provisional");
    banner.textContent = provisional
      ? "Voorlopig plan: eerst uitsluiten: " + view.unresolved.join(", ") : "";
    banner.hidden = !provisional;
    const emergency = $("result-emergency");
    emergency.textContent = view.emergency
      ? "SPOED: bel 112 of stuur de patiënt nu naar de spoedeisende hulp." : "";
    emergency.hidden = !view.emergency;
    if (view.emergency) {  // the red banner above says 112
      headline.textContent = "Spoedgeval. Geen fysiotherapeutische behandeling.";
    } else if (view.referral) {
      headline.textContent = "Verwijzing naar de huisarts of een specialist: " + view.urgency;
    } else {
      headline.textContent = view.profile;
    }
    const facts = $("result-facts");
    facts.replaceChildren();
    const add = (name, value) => {
      if (!value) return;
      facts.append(el("dt", {}, name), el("dd", {}, value));
    };
    add("Graad", view.grade);
    add("Beloop", view.course);
    if (view.red_flags.length) add("Alarmsignalen", view.red_flags.join(", "));
    if (view.unresolved.length && !provisional) {  // provisional: the banner says it
      add(view.referral ? "Niet uitgesloten" : "Voorlopig: eerst uitsluiten",
          view.unresolved.join(", "));
    }
    const lists = $("result-lists");
    lists.replaceChildren();
    for (const block of [listBlock("Let op", view.cautions), listBlock("Redenen", view.reasons)]) {
      if (block) lists.append(block);
    }
    const plan = $("plan-lists");
    plan.replaceChildren();
    for (const block of [
      listBlock("Acties", view.actions),
      listBlock("Informatie en advies", view.advice),
      listBlock("Werkgerelateerde nekpijn", view.work_advice),
      listBlock("Aanbevolen therapie", view.recommended),
      listBlock("Te overwegen, als de aanbevolen therapie onvoldoende helpt", view.consider),
      listBlock("Afgeraden", view.discouraged),
    ]) if (block) plan.append(block);
    $("plan-panel").hidden = plan.childElementCount === 0;
  }

  function sessionEvent(event, view) {
    const panel = $("session-panel");
    panel.hidden = false;
    $("question-panel").hidden = true;
    $("answers-card").hidden = true;
    $("parts-card").hidden = true;
    switch (event.event) {
      case "exercise":
        $("exercise-name").textContent = event.code + " · " + event.name;
        $("exercise-number").textContent = "Oefening " + event.number + " van " + event.total +
          (view.video ? " · video " + view.video : "");
        $("exercise-purpose").textContent = view.purpose || "";
        $("exercise-purpose").hidden = !view.purpose;
        $("step").textContent = view.start ? "Beginhouding: " + view.start : "";
        $("count").textContent = "";
        live.exercise = event.number;
        break;
      case "step":
        $("step").textContent = "Stap " + event.index + ": " + event.text;
        $("count").textContent = "";
        break;
      case "rep": {
        $("step").textContent = "";  // counting now: the count replaces the step
        let text = "Herhaling " + event.rep + " van " + event.of;
        if (event.sets > 1) text += " · serie " + event.set + " van " + event.sets;
        if (event.side) text += " · " + (event.side === "left" ? "links" : "rechts");
        $("count").textContent = text;
        break;
      }
      case "hold":
        $("count").textContent = $("count").textContent.split(" · vasthouden")[0] +
          " · vasthouden " + event.seconds + " s";
        break;
      case "done":
        $("exercise-name").textContent = event.stopped ? "Sessie gestopt" : "Sessie klaar";
        $("exercise-number").textContent = event.completed.length + " gedaan, " +
          event.skipped.length + " overgeslagen";
        $("exercise-purpose").hidden = true;
        $("step").textContent = "";
        $("count").textContent = "";
        break;
    }
  }

  function handle(message) {
    if (message.type === "reset") { clearAll(); return; }
    if (message.type === "prompt") {
      opened(message.seq);
      return;
    }
    if (message.type === "status") {
      live.activity = message.activity;
      live.running = message.running;
      if (!message.running) { live.prompt = null; live.pending = null; setAnswering(false); }
      document.body.classList.toggle("running", message.running);
      if (!message.running) {  // the dialog has ended: no question waits any more
        if ($("stop-dialog").open) $("stop-dialog").close("stop");
        $("question-panel").hidden = true;
        $("menu-panel").hidden = true;
        $("said-panel").hidden = true;
      }
      return;
    }
    if (message.type === "notice") { notice(message.text, message.level); return; }
    if (message.type === "report") {
      $("report-link").hidden = false;
      live.chosen = message.chosen || [];
      $("start-session").hidden = live.chosen.length === 0;
      const chosen = $("chosen");
      chosen.replaceChildren(el("strong", {}, "Gekozen oefeningen"));
      const list = el("ul", {class: "plain"});
      for (const code of live.chosen) {
        list.append(el("li", {}, code + (live.names[code] ? ": " + live.names[code] : "")));
      }
      chosen.append(list);
      chosen.hidden = live.chosen.length === 0;
      const folder = $("report-folder");
      folder.textContent = message.folder ? "Verslag bewaard in " + message.folder : "";
      folder.hidden = !message.folder;
      if (!message.finished) { $("result-panel").hidden = true; $("plan-panel").hidden = true; }
      return;
    }
    if (message.type !== "event") return;
    if (live.activity === "session") commandsWait(false);  // the session has answered
    const event = message.event;
    const view = message.view || {};
    switch (event.event) {
      case "ask": ask(event, view, false, message.seq); break;
      case "confirm": ask(event, view, true, message.seq); break;
      case "heard":
        live.prompt = null;  // heard (a click, typing or the microphone): the prompt is over
        setAnswering(false);
        $("heard").textContent = "Gehoord: " + event.text;
        $("heard").hidden = false;
        break;
      case "reprompt":
        $("reprompt").textContent = view.text || event.text;
        announce(view.text || event.text, true);
        $("reprompt").hidden = false;
        live.reprompted = event.question;  // kept when this question is asked again
        live.shown = message.seq;  // the question again, to answer once the dialog listens
        setAnswering(live.running);
        if (!$("question-panel").hidden) reveal($("question-panel"));
        break;
      case "answer":
        live.saidFresh = false;
        live.checklistFor = null;  // answered: asked again, it starts empty
        live.reprompted = null;
        if (view.intake) {
          live.answers.push({question: event.question, label: view.label, shown: view.shown,
                             note: event.note, part: view.part || null});
          drawAnswers();
          markParts();
        }
        if (event.question === "exercise_choice") $("menu-panel").hidden = true;
        break;
      case "say":
        if (live.activity === "session") {
          if (["notice", "stopped", "closing"].includes(event.kind)) {
            $("session-note").textContent = view.text || event.text;  // paused, on, skipped, end
          } else if (["exercise", "safety", "intro"].includes(event.kind)) {
            $("said").textContent = view.text || event.text;
            $("said-panel").hidden = false;
          }
          break;
        }
        if (event.kind === "summary") break;  // the result panel shows it all
        live.saidFresh = true;
        $("said").textContent = view.text || event.text;
        $("said-panel").hidden = false;
        break;
      case "result": result(view); break;
      case "menu": menu(event); break;
      case "error": notice(view.message || event.message, "error"); break;
      case "exercise": case "step": case "rep": case "hold": case "done":
        sessionEvent(event, view);
        break;
    }
  }

  // Stop asks first, saying what stays: the answers so far (a resume goes on from them), or
  // the result once it is given.
  function stopDialog() {
    const dialog = $("stop-dialog");
    $("stop-intake").addEventListener("click", () => {
      if (!live.running) return;
      $("stop-text").textContent = live.result
        ? "De uitkomst blijft bewaard; wat nu nog open staat, vervalt."
        : live.answers.length
          ? "De antwoorden tot nu toe blijven bewaard. U kunt de intake later hervatten op " +
            "het beginscherm."
          : "Er is nog niets beantwoord; er wordt niets bewaard.";
      dialog.showModal();
      $("stop-no").focus();
    });
    $("stop-no").addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "stop") $("stop-intake").focus();
      dialog.returnValue = "";
    });
    $("stop-yes").addEventListener("click", () => {
      dialog.close("stop");
      say("stop");
    });
  }

  function livePage() {
    clearAll();
    $("answer-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("answer-text").value.trim();
      if (text) say(text);
      $("answer-text").value = "";
    });
    for (const button of document.querySelectorAll("button[data-say]")) {
      button.addEventListener("click", () => say(button.dataset.say));
    }
    $("checklist-rest").addEventListener("click", restToNo);
    $("checklist").addEventListener("submit", (event) => {
      event.preventDefault();
      checklistDone();
    });
    stopDialog();
    $("choose").addEventListener("click", () => {
      // every code with how often ('F14 elke avond en F55 om de dag'): a default said again
      // is no change, and no code takes the frequency of the one after it
      const codes = [...document.querySelectorAll("#menu-panel input:checked")].map((b) => {
        const often = $("often-" + b.value);
        return often ? b.value + " " + often.value : b.value;
      });
      say(codes.length ? codes.join(" en ") : "geen");
    });
    $("choose-none").addEventListener("click", () => say("geen"));
    $("start-session").addEventListener("click", () => {
      const button = $("start-session");
      button.disabled = true;
      post("/api/session", {}).catch((e) => notice(e.message, "error"))
        .finally(() => { if (!document.body.classList.contains("gone")) button.disabled = false; });
    });
    if ($("connection").dataset.activity === "idle") $("idle-panel").hidden = false;
    const source = new EventSource("/events");
    let failures = 0;  // stream errors in a row
    source.onopen = () => { failures = 0; $("connection").textContent = ""; };
    source.onerror = () => {
      failures += 1;
      // refused (403: another start, another token) or still away after a few tries: gone
      if (source.readyState === EventSource.CLOSED || failures >= 3) {
        source.close();
        $("connection").textContent = "";
        gone();
        return;
      }
      $("connection").textContent = "Verbinding verbroken; opnieuw verbinden…";
    };
    source.onmessage = (message) => {
      const data = JSON.parse(message.data);
      handle(data);
      live.times[data.seq] = {t: data.t, shown: Date.now()};
      document.body.dataset.seq = String(data.seq);
      if (!live.running && live.activity === "idle") $("idle-panel").hidden = false;
      else $("idle-panel").hidden = true;
    };
  }

  function reportPage() {
    const button = $("print");
    if (button) button.addEventListener("click", () => window.print());
  }

  const pages = {start: startPage, patient: patientPage, live: livePage, report: reportPage};
  const page = pages[document.body.dataset.page];
  if (page) page();
})();
