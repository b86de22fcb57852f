// Small behaviours that the layout needs; no inline scripts (the CSP forbids them).
(function () {
  "use strict";

  function toast(text) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    setTimeout(function () { p.remove(); }, 8000);
  }

  var messages = {
    0: "Нет связи с сервером. Проверьте подключение и повторите.",
    400: "Запрос не принят. Обновите страницу и повторите.",
    403: "У вас нет прав на это действие.",
    404: "Не найдено: возможно, это уже удалено.",
    413: "Файл или текст слишком большой.",
    429: "Слишком много запросов. Подождите немного.",
  };

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    toast(messages[status] || "Не удалось выполнить действие. Попробуйте ещё раз.");
  });
  document.addEventListener("htmx:sendError", function () { toast(messages[0]); });

  // Keep keyboard focus where the person was working. When a request that the focused element
  // started swaps that element away (a button in a replaced row, a form reset after sending),
  // focus goes back into the element with the same id: to a field marked invalid, to the
  // field of the same name, or to its first control; failing that, to the element itself.
  var FOCUSABLE = "textarea, select, button, a[href], input:not([type=hidden])";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    var elt = event.detail.elt;
    if (!active || active === document.body || !elt) { return; }
    if (elt !== active && !elt.contains(active) && !(active.form && active.form === elt)) { return; }
    var holder = active.closest("[id]");
    event.detail.xhr.focusMemo = { id: holder ? holder.id : null, name: active.name || null };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var memo = event.detail.xhr && event.detail.xhr.focusMemo;
    if (!memo || !memo.id) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) { return; }
    var holder = document.getElementById(memo.id);
    if (!holder) { return; }
    var target = holder.querySelector("[aria-invalid='true']") ||
      (memo.name && holder.querySelector("[name='" + memo.name + "']:not([type=hidden])")) ||
      holder.querySelector(FOCUSABLE);
    if (!target) {
      holder.setAttribute("tabindex", "-1");
      target = holder;
    }
    target.focus();
  });

  // Upload progress: a <progress class="upload-progress"> inside the form being sent.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.closest && elt.closest(".member-picker")) { return; }  // a picker's search
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest("form"));
    var bar = form && form.querySelector("progress.upload-progress");
    if (!bar || !event.detail.lengthComputable) { return; }
    bar.hidden = false;
    bar.value = Math.round(event.detail.loaded / event.detail.total * 100);
  });

  // Member pickers (templates/_macros/forms.html): with JavaScript the search runs as you
  // type, so «Найти» only searches in place (its data-hx-get) and stops being the form's
  // default button: Enter in another field sends the form, as it should. Enter in the
  // search box searches at once instead of sending the form.
  htmx.onLoad(function (root) {
    var buttons = root.querySelectorAll ? root.querySelectorAll("button[data-picker-find]") : [];
    for (var i = 0; i < buttons.length; i++) { buttons[i].type = "button"; }
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("input[data-picker-search]")) {
      return;
    }
    event.preventDefault();
    htmx.trigger(input, "search");
  });

  // hx-confirm uses the browser's own dialog; plain forms with data-confirm get the same.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (text && !window.confirm(text)) { event.preventDefault(); }
  });
})();
