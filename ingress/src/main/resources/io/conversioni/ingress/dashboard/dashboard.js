/*
 * conversioni dashboard. Reads /api/v1/metriche once (which also checks the token), then follows
 * /api/v1/metriche/stream (server-sent events, one update a second) and polls open alerts. The token is
 * pasted once and kept in sessionStorage; a 401 from the API asks for it again. Everything written to the
 * page goes through textContent: campaign names come from senders and are never parsed as HTML. The first
 * screen is for marketing (conversions, CPA, value); data quality and engine figures sit in the collapsed
 * operator panel, whose open state is kept per tab.
 */
(function () {
  "use strict";

  var TOKEN_KEY = "conversioni.token";
  var PER_KEY = "conversioni.per";
  var SPAN_KEY = "conversioni.intervallo";
  var OPERATOR_KEY = "conversioni.operatore";
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 30000;
  var STALE_MS = 5000;         // the server pushes every second; this long without a message means a dead stream
  var ALERT_POLL_MS = 5000;
  var MAX_GROUP_SERIES = 6;
  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"];

  var state = {
    token: null,
    source: null,
    attempts: 0,
    reconnectTimer: null,
    staleTimer: null,
    expiryTimer: null,
    alertTimer: null,
    alertsAvailable: true,
    alertsStarted: false,
    data: null,
    chosenWindow: "",
    charts: {}
  };

  var $ = function (id) { return document.getElementById(id); };
  var number = new Intl.NumberFormat("it-IT");
  var decimal = new Intl.NumberFormat("it-IT", { maximumFractionDigits: 1 });
  var euro = new Intl.NumberFormat("it-IT", { style: "currency", currency: "EUR" });
  var percent = new Intl.NumberFormat("it-IT", { style: "percent", maximumFractionDigits: 1 });
  var clock = new Intl.DateTimeFormat("it-IT", { hour: "2-digit", minute: "2-digit" });
  var clockSeconds = new Intl.DateTimeFormat("it-IT", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  var dateTime = new Intl.DateTimeFormat("it-IT", { dateStyle: "short", timeStyle: "short" });

  function fmtCount(v) { return v === null || v === undefined ? "–" : number.format(v); }
  function fmtMoney(v) { return v === null || v === undefined ? "–" : euro.format(v); }
  function fmtRate(v) { return v === null || v === undefined ? "–" : percent.format(v); }
  function fmtMicros(v) {
    if (v === null || v === undefined) {
      return "–";
    }
    return v < 1000 ? decimal.format(v) + " µs" : decimal.format(v / 1000) + " ms";
  }
  function text(id, value) { $(id).textContent = value; }

  // ---- token -------------------------------------------------------------------------------------------

  /** The token's exp claim in ms, or null when it has none; throws when it is not a JWT at all. */
  function expiryMillis(token) {
    var parts = token.split(".");
    if (parts.length !== 3) {
      throw new Error("not a JWT");
    }
    var json = atob(parts[1].replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(parts[1].length / 4) * 4, "="));
    var claims = JSON.parse(json);
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  }

  function askForToken(message, isError) {
    disconnect();
    clearTimeout(state.alertTimer);
    clearTimeout(state.expiryTimer);
    state.alertsStarted = false;
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $("contenuto").hidden = true;
    $("controlli").hidden = true;
    $("accesso").hidden = false;
    var m = $("accesso-messaggio");
    m.textContent = message;
    m.className = isError ? "messaggio errore" : "messaggio";
    setStatus("token richiesto", "errore");
    $("token").focus();
  }

  function useToken(token) {
    token = token.trim().replace(/^Bearer\s+/i, "");
    var exp;
    try {
      exp = expiryMillis(token);
    } catch (e) {
      askForToken("Questo non è un token JWT valido (tre parti separate da punti). Incollalo di nuovo.", true);
      return;
    }
    if (exp !== null && exp <= Date.now()) {
      askForToken("Il token è scaduto il " + dateTime.format(new Date(exp)) + ". Creane uno nuovo e incollalo qui.", true);
      return;
    }
    state.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    clearTimeout(state.expiryTimer);
    if (exp !== null && exp - Date.now() < 2147483647) {
      state.expiryTimer = setTimeout(function () {
        askForToken("Il token è scaduto. Creane uno nuovo e incollalo qui.", true);
      }, exp - Date.now());
    }
    $("accesso").hidden = true;
    $("controlli").hidden = false;
    $("contenuto").hidden = false;
    state.alertsAvailable = true;
    state.alertsStarted = false;
    connect();
  }

  /** A 401's or 403's JSON error ({"codice","messaggio"}) as a sentence for the user. */
  function refusal(body) {
    var code = body && body.codice;
    if (code === "scope_mancante") {
      return "Questo token non può leggere le metriche (manca lo scope metriche:leggi). Creane uno con "
        + "./conversioni token --sub NOME --scope \"metriche:leggi\" e incollalo qui.";
    }
    if (code === "token_expired") {
      return "Il token è scaduto. Creane uno nuovo e incollalo qui.";
    }
    if (code === "token_missing") {
      return "Manca il token. Incollalo qui.";
    }
    return "Il server ha rifiutato il token" + (body && body.messaggio ? " (" + body.messaggio + ")" : "")
      + ". Incolla un token valido.";
  }

  // ---- connection --------------------------------------------------------------------------------------

  function setStatus(label, kind) {
    var s = $("stato");
    s.textContent = label;
    s.className = "stato stato-" + kind;
  }

  function query() {
    var span = Number($("intervallo").value);
    var to = new Date();
    return "per=" + encodeURIComponent($("per").value) + "&da=" + encodeURIComponent(new Date(to.getTime() - span).toISOString())
      + "&a=" + encodeURIComponent(to.toISOString());
  }

  function authorised(url) {
    return fetch(url, { headers: { "Authorization": "Bearer " + state.token }, cache: "no-store" });
  }

  function disconnect() {
    if (state.source) {
      state.source.close();
      state.source = null;
    }
    clearTimeout(state.reconnectTimer);
    clearTimeout(state.staleTimer);
  }

  /** Checks the token and reads the metrics once, then opens the stream. */
  function connect() {
    disconnect();
    if (!state.token) {
      return;
    }
    setStatus("connessione…", "attesa");
    var token = state.token;
    authorised("/api/v1/metriche?" + query()).then(function (r) {
      if (token !== state.token) {
        return null;
      }
      if (r.status === 401 || r.status === 403) {
        return r.json().catch(function () { return null; }).then(function (b) { askForToken(refusal(b), true); });
      }
      if (!r.ok) {
        scheduleReconnect("il server ha risposto " + r.status);
        return null;
      }
      return r.json().then(function (data) {
        render(data);
        openStream(token);
        if (!state.alertsStarted) {   // only once the token is known good
          state.alertsStarted = true;
          pollAlerts();
        }
      });
    }).catch(function () {
      if (token === state.token) {
        scheduleReconnect("server non raggiungibile");
      }
    });
  }

  function openStream(token) {
    var source = new EventSource("/api/v1/metriche/stream?" + query() + "&access_token=" + encodeURIComponent(token));
    state.source = source;
    source.addEventListener("metriche", function (e) {
      if (source !== state.source) {
        return;
      }
      state.attempts = 0;
      setStatus("dal vivo", "vivo");
      watchStaleness();
      try {
        render(JSON.parse(e.data));
      } catch (err) {
        scheduleReconnect("dati non leggibili");
      }
    });
    source.onerror = function () {
      if (source === state.source) {
        scheduleReconnect("connessione persa");
      }
    };
    watchStaleness();
  }

  function watchStaleness() {
    clearTimeout(state.staleTimer);
    state.staleTimer = setTimeout(function () { scheduleReconnect("nessun aggiornamento"); }, STALE_MS);
  }

  /** Closes the stream and tries again after an exponential, jittered delay (1 s up to 30 s). */
  function scheduleReconnect(reason) {
    if (state.source) {
      state.source.close();
      state.source = null;
    }
    clearTimeout(state.staleTimer);
    clearTimeout(state.reconnectTimer);
    var delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, state.attempts));
    delay = Math.round(delay * (0.75 + Math.random() * 0.5));
    state.attempts++;
    setStatus(reason + " · nuovo tentativo tra " + Math.ceil(delay / 1000) + " s", "errore");
    state.reconnectTimer = setTimeout(connect, delay);
  }

  // ---- alerts ------------------------------------------------------------------------------------------

  function pollAlerts() {
    clearTimeout(state.alertTimer);
    if (!state.token || !state.alertsAvailable) {
      return;
    }
    var token = state.token;
    authorised("/api/v1/allarmi?stato=aperto").then(function (r) {
      if (token !== state.token) {
        return null;
      }
      if (r.status === 404) {
        state.alertsAvailable = false;   // this server has no alerts: hide the panel, stop asking
        $("allarmi").hidden = true;
        return null;
      }
      if (r.status === 401 || r.status === 403) {
        return r.json().catch(function () { return null; }).then(function (b) { askForToken(refusal(b), true); });
      }
      if (!r.ok) {
        return null;
      }
      return r.json().then(renderAlerts);
    }).catch(function () {
      return null;
    }).then(function () {
      if (token === state.token && state.alertsAvailable) {
        state.alertTimer = setTimeout(pollAlerts, ALERT_POLL_MS);
      }
    });
  }

  function renderAlerts(body) {
    var list = (body && Array.isArray(body.allarmi) ? body.allarmi : []).filter(function (a) {
      return a.stato === "aperto";
    });
    var ul = $("allarmi-lista");
    ul.replaceChildren();
    list.forEach(function (a) {
      var li = document.createElement("li");
      var head = document.createElement("div");
      head.className = "regola";
      head.textContent = a.regola + (a.chiave ? " · " + a.chiave : "");
      var msg = document.createElement("div");
      msg.textContent = a.messaggio || "";
      var detail = document.createElement("div");
      detail.className = "dettaglio";
      var since = a.aperto_il ? "aperto alle " + clockSeconds.format(new Date(a.aperto_il)) : "";
      var values = a.valore !== undefined && a.valore !== null
        ? "valore " + decimal.format(a.valore) + (a.soglia !== undefined && a.soglia !== null ? " (soglia " + decimal.format(a.soglia) + ")" : "")
        : "";
      detail.textContent = [since, values].filter(Boolean).join(" · ");
      li.append(head, msg, detail);
      ul.appendChild(li);
    });
    text("allarmi-numero", String(list.length));
    $("allarmi-vuoto").hidden = list.length > 0;
    $("allarmi").hidden = false;
  }

  // ---- rendering ---------------------------------------------------------------------------------------

  function windowLabel(w) {
    return clock.format(new Date(w.inizio)) + "–" + clock.format(new Date(w.fine));
  }

  function render(data) {
    state.data = data;
    var windows = Array.isArray(data.finestre) ? data.finestre : [];
    document.querySelectorAll(".per-nome").forEach(function (el) { el.textContent = data.per; });
    $("tabella-gruppi").classList.toggle("senza-cpa", data.per === "evento");   // spend is never per evento
    renderWindowChoice(windows);
    var chosen = windows.filter(function (w) { return w.inizio === state.chosenWindow; })[0] || windows[windows.length - 1];
    renderWindow(chosen);
    renderTotals(data.totale || {}, data.motore);
    text("tot-conversioni", fmtCount(windows.reduce(function (sum, w) { return sum + w.totale.conversioni; }, 0)));
    var nota = data.costi && data.costi.nota ? data.costi.nota : "";
    text("costi-nota", nota);
    $("costi-nota").hidden = !nota;
    renderCharts(windows, data.per);
    text("aggiornato", "Aggiornato alle " + clockSeconds.format(new Date()) + " · " + windows.length + " finestre con eventi");
  }

  function renderWindowChoice(windows) {
    var select = $("finestra");
    var wanted = [""].concat(windows.map(function (w) { return w.inizio; }).reverse());
    var have = Array.prototype.map.call(select.options, function (o) { return o.value; });
    if (wanted.join("|") !== have.join("|")) {
      select.replaceChildren();
      wanted.forEach(function (v, i) {
        var o = document.createElement("option");
        o.value = v;
        o.textContent = i === 0 ? "più recente" : windowLabel(windows[windows.length - i]);
        select.appendChild(o);
      });
    }
    if (wanted.indexOf(state.chosenWindow) < 0) {
      state.chosenWindow = "";
    }
    select.value = state.chosenWindow;
  }

  function renderWindow(w) {
    var t = w ? w.totale : null;
    text("finestra-titolo", w ? "Finestra " + windowLabel(w) + (w.chiusa ? " (chiusa)" : " (aperta)") : "Nessun evento nell'intervallo");
    text("kpi-conversioni", t ? fmtCount(t.conversioni) : "–");
    text("kpi-tasso", t ? fmtRate(t.tasso_conversione) : "–");
    text("kpi-cpa", t ? fmtMoney(t.cpa) : "–");
    text("kpi-medio", t ? fmtMoney(t.valore_medio) : "–");
    text("kpi-accettati", t ? fmtCount(t.accettati) : "–");
    var body = $("tabella-gruppi").tBodies[0];
    body.replaceChildren();
    var groups = w && Array.isArray(w.gruppi) ? w.gruppi : [];
    groups.forEach(function (g) {
      var tr = document.createElement("tr");
      [g.chiave, fmtCount(g.accettati), fmtCount(g.conversioni), fmtRate(g.tasso_conversione), fmtMoney(g.valore_medio),
        fmtMoney(g.cpa), fmtCount(g.duplicati), fmtCount(g.in_ritardo)].forEach(function (v) {
        var td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    $("gruppi-vuoto").hidden = groups.length > 0;
  }

  function renderTotals(total, engine) {
    text("tot-accettati", fmtCount(total.accettati));
    text("tot-duplicati", fmtCount(total.duplicati));
    text("tot-rifiutati", fmtCount(total.rifiutati));
    text("tot-ritardo", fmtCount(total.in_ritardo));
    text("tot-valore", fmtMoney(total.valore_totale));
    if (engine) {
      text("mot-p50", fmtMicros(engine.latenza_insight_p50_us));
      text("mot-p99", fmtMicros(engine.latenza_insight_p99_us));
      text("mot-rate", decimal.format(engine.eventi_al_secondo));
      text("mot-anello", engine.anello_capacita > 0 ? percent.format(engine.anello_occupati / engine.anello_capacita) : "–");
      $("mot-anello").title = fmtCount(engine.anello_occupati) + " posti occupati su " + fmtCount(engine.anello_capacita);
    }
  }

  // ---- charts ------------------------------------------------------------------------------------------

  /** 24-hour local times under the x axis (uPlot's defaults are English, with am/pm). */
  function timeLabels(u, splits) {
    return splits.map(function (s) { return clock.format(new Date(s * 1000)); });
  }

  function chartWidth(el) {
    return Math.max(200, el.clientWidth);
  }

  /** Creates the chart, or feeds it new data when its series are the same; uPlot redraws in place. */
  function draw(id, names, data) {
    var el = $(id);
    var chart = state.charts[id];
    var key = names.join("|");
    if (chart && chart.key === key) {
      chart.plot.setData(data);
      return;
    }
    if (chart) {
      chart.plot.destroy();
    }
    var series = [{}].concat(names.map(function (n, i) {
      var s = { label: n, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true, size: 5 } };
      if (i === 0 && id === "grafico-finestre") {
        s.fill = "rgba(31, 119, 180, 0.12)";
      }
      return s;
    }));
    var opts = {
      width: chartWidth(el),
      height: 220,
      series: series,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.15)]; } } },
      axes: [{ values: timeLabels }, { size: 48 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } }
    };
    state.charts[id] = { key: key, plot: new uPlot(opts, data, el) };
  }

  function renderCharts(windows, per) {
    var xs = windows.map(function (w) { return Date.parse(w.inizio) / 1000; });
    var pick = function (f) { return windows.map(function (w) { return w.totale[f]; }); };
    draw("grafico-finestre", ["accettati", "conversioni", "duplicati", "in ritardo", "rifiutati"],
      [xs, pick("accettati"), pick("conversioni"), pick("duplicati"), pick("in_ritardo"),
        windows.map(function (w) { return w.rifiutati; })]);

    var totals = {};
    windows.forEach(function (w) {
      (w.gruppi || []).forEach(function (g) { totals[g.chiave] = (totals[g.chiave] || 0) + g.accettati; });
    });
    var keys = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] || (a < b ? -1 : 1); })
      .slice(0, MAX_GROUP_SERIES);
    if (keys.length === 0) {
      keys = ["(nessun " + per + ")"];
    }
    var groupData = [xs].concat(keys.map(function (k) {
      return windows.map(function (w) {
        var g = (w.gruppi || []).filter(function (x) { return x.chiave === k; })[0];
        return g ? g.accettati : 0;
      });
    }));
    draw("grafico-gruppi", keys, groupData);
  }

  function resizeCharts() {
    Object.keys(state.charts).forEach(function (id) {
      var el = $(id);
      state.charts[id].plot.setSize({ width: chartWidth(el), height: 220 });
    });
  }

  // ---- wiring ------------------------------------------------------------------------------------------

  function init() {
    var per = sessionStorage.getItem(PER_KEY);
    if (per) {
      $("per").value = per;
    }
    var span = sessionStorage.getItem(SPAN_KEY);
    if (span) {
      $("intervallo").value = span;
    }
    $("accesso-form").addEventListener("submit", function (e) {
      e.preventDefault();
      useToken($("token").value);
      $("token").value = "";
    });
    $("esci").addEventListener("click", function () {
      askForToken("Incolla un altro token.", false);
    });
    $("per").addEventListener("change", function () {
      sessionStorage.setItem(PER_KEY, $("per").value);
      state.attempts = 0;
      connect();
    });
    $("intervallo").addEventListener("change", function () {
      sessionStorage.setItem(SPAN_KEY, $("intervallo").value);
      state.attempts = 0;
      connect();
    });
    $("operatore").open = sessionStorage.getItem(OPERATOR_KEY) === "aperto";
    $("operatore").addEventListener("toggle", function () {
      sessionStorage.setItem(OPERATOR_KEY, $("operatore").open ? "aperto" : "chiuso");
    });
    $("controlli").addEventListener("submit", function (e) { e.preventDefault(); });
    $("finestra").addEventListener("change", function () {
      state.chosenWindow = $("finestra").value;
      if (state.data) {
        render(state.data);
      }
    });
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(resizeCharts, 100);
    });
    var saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) {
      useToken(saved);
    } else {
      askForToken("Incolla il token JWT per vedere le metriche.", false);
    }
  }

  document.addEventListener("DOMContentLoaded", init);
}());
