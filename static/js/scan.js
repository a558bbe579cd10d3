/* The scan station: every scan is sent in order, none is lost, the field keeps focus.
 *
 * A USB scanner types a code and Enter faster than the server answers, so submissions
 * go into a queue and are posted one after the other; the field is emptied at once,
 * ready for the next scan. Each answer replaces the panel and plays a short sound.
 */
(function () {
  "use strict";
  var form = document.getElementById("scan-form");
  var input = document.getElementById("scan-input");
  if (!form || !input) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var queue = [];
  var busy = false;
  var audio = null;

  function beep(outcome) {
    // Two clear tones: high and short for "ok", low and double for anything refused.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    } catch (e) { return; }
    var tones = outcome === "ok" ? [[880, 0, 0.09]]
      : outcome === "info" ? [[660, 0, 0.07]]
      : [[220, 0, 0.15], [220, 0.2, 0.15]];
    tones.forEach(function (tone) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = tone[0];
      osc.type = outcome === "ok" || outcome === "info" ? "sine" : "square";
      gain.gain.value = 0.08;
      osc.connect(gain);
      gain.connect(audio.destination);
      var start = audio.currentTime + tone[1];
      osc.start(start);
      osc.stop(start + tone[2]);
    });
  }

  function focusField() {
    var active = document.activeElement;
    var overlay = document.querySelector("[data-scan-overlay]:not([hidden])");
    if (overlay) return;
    if (active && active !== document.body && active !== input &&
        /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) return;
    input.focus();
  }

  // After a scan the answer's log holds only the lines that scan added (its
  // data-append is the log's length): the lines already shown follow them, and those
  // beyond the length go. A reset answers with the whole (empty) log instead.
  function keepLog(shown, fresh) {
    var size = fresh && parseInt(fresh.dataset.append, 10);
    if (!shown || !size) return;
    var lines = Array.prototype.slice.call(shown.children);
    var added = fresh.querySelectorAll("li.scan-entry").length;
    lines.forEach(function (line) {
      var isEntry = line.classList.contains("scan-entry");
      // "Nothing scanned yet" stays only while there is nothing else.
      if (isEntry ? added < size : !added) fresh.appendChild(line);
      if (isEntry) added++;
    });
  }

  function swap(html) {
    var panel = document.getElementById("scan-panel");
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!panel || !fresh) return;
    keepLog(panel.querySelector("#scan-log"), fresh.querySelector("#scan-log"));
    panel.replaceWith(fresh);
    beep(fresh.dataset.outcome);
  }

  function send(body) {
    busy = true;
    document.documentElement.classList.add("scan-busy");
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "HX-Request": "true", "X-CSRFToken": csrf },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.redirected && response.url.indexOf("/login/") !== -1) {
        window.location = response.url;  // the session expired
        return "";
      }
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      if (html) swap(html);
    }).catch(function () {
      beep("refused");
      var log = document.getElementById("scan-log");
      if (log) {
        var item = document.createElement("li");
        item.className = "scan-entry outcome-refused";
        item.dataset.outcome = "refused";
        item.textContent = form.dataset.networkError || "Network error";
        log.prepend(item);
      }
    }).finally(function () {
      busy = false;
      document.documentElement.classList.remove("scan-busy");
      next();
      focusField();
    });
  }

  function next() {
    if (!busy && queue.length) send(queue.shift());
  }

  function enqueue(targetForm, submitter) {
    var body = new FormData(targetForm, submitter || undefined);
    if (targetForm === form) {
      if (submitter && submitter.name === "code") {
        body.set("code", submitter.value);  // a suggested code, clicked
      } else if (!input.value.trim()) {
        return;
      }
      input.value = "";  // at once: the scanner may already be typing the next code
    }
    queue.push(body);
    next();
  }

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (target !== form && !target.hasAttribute("data-scan-form")) return;
    event.preventDefault();
    enqueue(target, event.submitter);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") input.value = "";
  });

  // A click anywhere but on a control brings the focus back to the field.
  document.addEventListener("click", function () { setTimeout(focusField, 0); });
  window.addEventListener("focus", focusField);
  focusField();
})();
