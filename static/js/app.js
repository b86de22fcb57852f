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

  // After a swap, keep keyboard focus in the swapped region instead of losing it to <body>
  // (an outerHTML swap removes the focused button together with its row).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && !document.body.contains(target) && target.id) {
      target = document.getElementById(target.id);
    }
    if (!target) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) { return; }
    var focusable = target.querySelector(
      "[aria-invalid='true'], [autofocus], button, a[href], input, textarea, select");
    if (!focusable) {
      target.setAttribute("tabindex", "-1");
      focusable = target;
    }
    focusable.focus();
  });

  // hx-confirm uses the browser's own dialog; plain forms with data-confirm get the same.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) { event.preventDefault(); }
  });
})();
