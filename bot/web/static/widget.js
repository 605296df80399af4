/*
 * CQL Bot chat widget.
 *
 * Embed on any page with one tag (it loads its stylesheet and socket.io
 * from beside itself when the page has not; no inline script, so a strict
 * Content-Security-Policy only needs the two origins):
 *   <script src="https://bot.example.com/static/widget.js" data-server="https://rasa.example.com"
 *           data-title="Chat with us" data-privacy-url="https://example.com/privacy" defer></script>
 *
 * Talks to Rasa's socket.io channel; sends the browser's time zone and
 * languages, the page URL and UTM parameters as session metadata; keeps the session and the
 * transcript across page reloads; renders every bot and visitor text with
 * textContent, so nothing a visitor or the bot says is ever parsed as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = {
    server: (script && script.getAttribute("data-server")) || (location.protocol + "//" + location.hostname + ":5005"),
    title: (script && script.getAttribute("data-title")) || "",
    privacyUrl: (script && script.getAttribute("data-privacy-url")) || "/privacy",
    initPayload: (script && script.getAttribute("data-init-payload")) || "/greet",
  };
  // The widget's own words, in the browser's language (the bot's follow the conversation's).
  var UI = {
    en: { title: "Chat with us", open: "Open chat", close: "Close chat", log: "Conversation", typing: "Typing…",
      message: "Your message", placeholder: "Type your message…", send: "Send", recorded: "Chats may be recorded. ",
      privacy: "Privacy policy", replies: "Quick replies", pick: "Pick a time", unavailable: "Chat is unavailable right now.",
      reconnecting: "Reconnecting…", unreachable: "Can't reach the chat. Retrying…" },
    de: { title: "Chatten Sie mit uns", open: "Chat öffnen", close: "Chat schließen", log: "Unterhaltung",
      typing: "Schreibt…", message: "Ihre Nachricht", placeholder: "Nachricht eingeben…", send: "Senden",
      recorded: "Chats können gespeichert werden. ", privacy: "Datenschutzerklärung", replies: "Schnellantworten",
      pick: "Termin wählen", unavailable: "Der Chat ist gerade nicht erreichbar.", reconnecting: "Verbindung wird wiederhergestellt…",
      unreachable: "Der Chat ist nicht erreichbar. Neuer Versuch…" },
    es: { title: "Chatea con nosotros", open: "Abrir el chat", close: "Cerrar el chat", log: "Conversación",
      typing: "Escribiendo…", message: "Tu mensaje", placeholder: "Escribe tu mensaje…", send: "Enviar",
      recorded: "Los chats pueden guardarse. ", privacy: "Política de privacidad", replies: "Respuestas rápidas",
      pick: "Elige un horario", unavailable: "El chat no está disponible ahora mismo.", reconnecting: "Reconectando…",
      unreachable: "No se puede conectar con el chat. Reintentando…" },
    fr: { title: "Discutez avec nous", open: "Ouvrir le chat", close: "Fermer le chat", log: "Conversation",
      typing: "En train d'écrire…", message: "Votre message", placeholder: "Écrivez votre message…", send: "Envoyer",
      recorded: "Les échanges peuvent être enregistrés. ", privacy: "Politique de confidentialité",
      replies: "Réponses rapides", pick: "Choisir un créneau", unavailable: "Le chat est indisponible pour le moment.",
      reconnecting: "Reconnexion…", unreachable: "Impossible de joindre le chat. Nouvelle tentative…" },
  };
  var ui = UI.en;
  try {
    (navigator.languages || [navigator.language]).some(function (tag) {
      var code = String(tag || "").split("-")[0].toLowerCase();
      if (Object.prototype.hasOwnProperty.call(UI, code)) { ui = UI[code]; return true; }
      return false;
    });
  } catch (e) { ui = UI.en; }
  if (!config.title) { config.title = ui.title; }
  var STORE_KEY = "cqlbot.v1";
  var MAX_STORED_MESSAGES = 200;
  var MAX_MESSAGE_CHARS = 2000;

  function loadState() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved.sessionId === "string" && Array.isArray(saved.messages)) {
        return saved;
      }
    } catch (e) { /* storage blocked or corrupt: start afresh */ }
    return { sessionId: newSessionId(), messages: [], open: false, greeted: false };
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }

  function newSessionId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function visitMetadata() {
    var utm = {};
    var params = new URLSearchParams(location.search);
    ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (key) {
      var value = params.get(key);
      if (value) { utm[key] = value.slice(0, 200); }
    });
    var zone = null;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { zone = null; }
    var languages = [];
    try { languages = (navigator.languages || [navigator.language]).filter(Boolean).slice(0, 10); } catch (e) { languages = []; }
    return { timezone: zone, page_url: location.href.slice(0, 2048), utm: utm, languages: languages };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // The bot's http(s) links become anchors; every piece is still set as text,
  // and only http(s) URLs are ever used as an href.
  var URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
  function linked(text) {
    var p = el("p", { "class": "cqlbot-text" });
    var last = 0;
    String(text).replace(URL_PATTERN, function (url, at) {
      var clean = url.replace(/[.,;:!?)]+$/, "");
      if (at > last) { p.appendChild(document.createTextNode(text.slice(last, at))); }
      p.appendChild(el("a", { "href": clean, "target": "_blank", "rel": "noopener noreferrer" }, clean));
      last = at + clean.length;
      return url;
    });
    if (last < text.length) { p.appendChild(document.createTextNode(text.slice(last))); }
    return p;
  }

  // One tag is enough: the stylesheet and socket.io come from beside this file when missing.
  var base = script && script.src ? script.src.replace(/[^/]*([?#].*)?$/, "") : "/static/";
  function ensureStylesheet() {
    if (document.querySelector('link[href$="widget.css"]')) { return; }
    document.head.appendChild(el("link", { "rel": "stylesheet", "href": base + "widget.css" }));
  }
  function withSocketIo(then) {
    if (typeof window.io === "function") { then(); return; }
    var existing = document.querySelector('script[src$="socket.io.min.js"]');
    var tag = existing || el("script", { "src": base + "vendor/socket.io.min.js" });
    tag.addEventListener("load", then);
    tag.addEventListener("error", function () { status.textContent = ui.unavailable; });
    if (!existing) { document.head.appendChild(tag); }
  }
  ensureStylesheet();

  var state = loadState();

  // --- DOM -----------------------------------------------------------------
  var root = el("div", { "class": "cqlbot", "data-cqlbot": "" });
  var launcher = el("button", { "type": "button", "class": "cqlbot-launcher", "aria-expanded": "false",
    "aria-controls": "cqlbot-panel", "aria-label": ui.open }, "Chat");
  var panel = el("section", { "id": "cqlbot-panel", "class": "cqlbot-panel", "role": "dialog",
    "aria-label": config.title, "hidden": "" });
  var header = el("header", { "class": "cqlbot-header" });
  header.appendChild(el("span", { "class": "cqlbot-title" }, config.title));
  var closeButton = el("button", { "type": "button", "class": "cqlbot-close", "aria-label": ui.close }, "×");
  header.appendChild(closeButton);
  var status = el("p", { "class": "cqlbot-status", "role": "status", "aria-live": "polite" });
  var log = el("ol", { "class": "cqlbot-log", "role": "log", "aria-live": "polite", "aria-label": ui.log });
  var typing = el("p", { "class": "cqlbot-typing", "aria-hidden": "true", "hidden": "" }, ui.typing);
  var form = el("form", { "class": "cqlbot-form" });
  var input = el("input", { "type": "text", "class": "cqlbot-input", "aria-label": ui.message,
    "placeholder": ui.placeholder, "maxlength": String(MAX_MESSAGE_CHARS), "autocomplete": "off" });
  var send = el("button", { "type": "submit", "class": "cqlbot-send" }, ui.send);
  form.appendChild(input);
  form.appendChild(send);
  var notice = el("p", { "class": "cqlbot-notice" });
  notice.appendChild(document.createTextNode(ui.recorded));
  notice.appendChild(el("a", { "href": config.privacyUrl, "target": "_blank", "rel": "noopener" }, ui.privacy));
  [header, status, log, typing, form, notice].forEach(function (node) { panel.appendChild(node); });
  root.appendChild(panel);
  root.appendChild(launcher);
  document.body.appendChild(root);

  // --- rendering -------------------------------------------------------------
  function render(message) {
    var item = el("li", { "class": "cqlbot-msg cqlbot-" + message.from });
    if (message.text) {
      item.appendChild(message.from === "bot" ? linked(message.text) : el("p", { "class": "cqlbot-text" }, message.text));
    }
    if (message.buttons && message.buttons.length && !message.answered) {
      item.appendChild(isTimeOffer(message.buttons) ? timePicker(message) : quickReplies(message));
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function choose(message, container, button) {
    message.answered = true;
    container.remove();
    sendMessage(String(button.payload || button.title || ""), String(button.title || button.payload || ""));
  }

  function replyButton(message, container, button, className) {
    var b = el("button", { "type": "button", "class": className }, String(button.title || button.payload || ""));
    b.addEventListener("click", function () { choose(message, container, button); });
    return b;
  }

  // Arrow keys move between a group's buttons; Home and End jump to its ends.
  function arrowKeys(container) {
    container.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(container.querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      if (at < 0) { return; }
      var next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      buttons[(next + buttons.length) % buttons.length].focus();
    });
  }

  function quickReplies(message) {
    var group = el("div", { "class": "cqlbot-buttons", "role": "group", "aria-label": ui.replies });
    message.buttons.forEach(function (button) { group.appendChild(replyButton(message, group, button, "cqlbot-button")); });
    arrowKeys(group);
    return group;
  }

  var SLOT_PAYLOAD = /^\/pick_slot/;
  function isTimeOffer(buttons) {
    return buttons.some(function (b) { return SLOT_PAYLOAD.test(String(b.payload || "")); });
  }

  // Offered times, grouped by day ("Tue 1 Dec, 10:00" → "Tue 1 Dec" / "10:00"),
  // then the other choices ("Other times", "None of these work").
  function timePicker(message) {
    var picker = el("div", { "class": "cqlbot-picker", "role": "group", "aria-label": ui.pick });
    var days = {};
    var order = [];
    message.buttons.forEach(function (button) {
      var title = String(button.title || "");
      if (!SLOT_PAYLOAD.test(String(button.payload || ""))) { return; }
      var split = title.lastIndexOf(", ");
      var day = split > 0 ? title.slice(0, split) : "";
      if (!days[day]) { days[day] = []; order.push(day); }
      days[day].push({ button: button, time: split > 0 ? title.slice(split + 2) : title });
    });
    order.forEach(function (day) {
      var row = el("div", { "class": "cqlbot-day" });
      if (day) { row.appendChild(el("span", { "class": "cqlbot-day-name" }, day)); }
      var times = el("div", { "class": "cqlbot-times" });
      days[day].forEach(function (slot) {
        var b = replyButton(message, picker, slot.button, "cqlbot-button cqlbot-time");
        b.textContent = slot.time;
        b.setAttribute("aria-label", String(slot.button.title || slot.time));
        times.appendChild(b);
      });
      row.appendChild(times);
      picker.appendChild(row);
    });
    var others = el("div", { "class": "cqlbot-buttons" });
    message.buttons.forEach(function (button) {
      if (!SLOT_PAYLOAD.test(String(button.payload || ""))) {
        others.appendChild(replyButton(message, picker, button, "cqlbot-button cqlbot-secondary"));
      }
    });
    if (others.childNodes.length) { picker.appendChild(others); }
    arrowKeys(picker);
    return picker;
  }

  function add(message) {
    state.messages.forEach(function (m) { if (m.buttons) { m.answered = true; } });
    Array.prototype.forEach.call(log.querySelectorAll(".cqlbot-buttons, .cqlbot-picker"), function (g) { g.remove(); });
    state.messages.push(message);
    saveState();
    render(message);
  }

  function setTyping(on) {
    if (on) { typing.removeAttribute("hidden"); } else { typing.setAttribute("hidden", ""); }
  }

  // --- connection --------------------------------------------------------------
  var socket = null;
  var outbox = [];          // messages typed while offline, sent on reconnect
  var typingTimer = null;

  function connect() {
    if (socket) { return; }
    if (typeof window.io !== "function") { withSocketIo(connect); return; }
    socket = window.io(config.server, { transports: ["websocket"], reconnection: true,
      reconnectionDelay: 1000, reconnectionDelayMax: 10000 });
    socket.on("connect", function () {
      status.textContent = "";
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function () {
      while (outbox.length) { socket.emit("user_uttered", outbox.shift()); }
      if (!state.greeted) {
        state.greeted = true;
        saveState();
        emit(config.initPayload);
      }
    });
    socket.on("disconnect", function () { status.textContent = ui.reconnecting; });
    socket.on("connect_error", function () { status.textContent = ui.unreachable; });
    socket.on("bot_uttered", function (data) {
      clearTimeout(typingTimer);
      setTyping(false);
      if (!data) { return; }
      var buttons = data.buttons || data.quick_replies || [];
      if (!data.text && !buttons.length) { return; }
      add({ from: "bot", text: typeof data.text === "string" ? data.text : "", buttons: buttons });
    });
  }

  function emit(text) {
    var packet = { message: text, session_id: state.sessionId, metadata: visitMetadata() };
    setTyping(true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { setTyping(false); }, 15000);
    if (socket && socket.connected) { socket.emit("user_uttered", packet); } else { outbox.push(packet); }
  }

  function sendMessage(payload, shown) {
    var text = String(payload).slice(0, MAX_MESSAGE_CHARS);
    if (!text.trim()) { return; }
    add({ from: "visitor", text: shown === undefined ? text : shown });
    emit(text);
  }

  // --- open / close --------------------------------------------------------------
  function open() {
    panel.removeAttribute("hidden");
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    saveState();
    connect();
    input.focus();
  }

  function close() {
    panel.setAttribute("hidden", "");
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState();
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hasAttribute("hidden")) { open(); } else { close(); } });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
  Array.prototype.forEach.call(document.querySelectorAll("[data-cqlbot-open]"), function (node) {
    node.addEventListener("click", open);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    if (text.charAt(0) === "/") { text = " " + text; } // typed text is never taken as a button payload
    sendMessage(text);
  });

  state.messages.forEach(render);
  if (state.open) { open(); }
})();
