// The page of `objlog ui`: filters, histogram, events table, paging and live follow over the server's JSON API.
// Invariant: text that comes from the store (event text, levels, property names, log names, the store description)
// reaches the DOM only as text (textContent, text nodes) or as inert attributes (title, value, data-*); it never
// becomes markup, a URL, a class name or code.
(() => {
  'use strict';

  const RANGES = ['15m', '1h', '24h', '7d', 'all', 'custom'];
  const DEFAULT_RANGE = '1h';
  const PAGE_SIZE = 100;
  const MAX_ROWS = 2000;
  const REFRESH_MS = 5000;
  const TYPING_MS = 400;
  const SVGNS = 'http://www.w3.org/2000/svg';

  // Level (lower case) → fixed class and rank: a level string from data is only looked up here, never used as a class.
  // 'none' is the key of events without a level; any other level sorts after the known ones, before 'none'.
  const LEVELS = new Map([
    ['verbose', ['lvl-verbose', 0]], ['trace', ['lvl-verbose', 0]],
    ['debug', ['lvl-debug', 1]],
    ['information', ['lvl-information', 2]], ['info', ['lvl-information', 2]],
    ['warning', ['lvl-warning', 3]], ['warn', ['lvl-warning', 3]],
    ['error', ['lvl-error', 4]], ['err', ['lvl-error', 4]],
    ['critical', ['lvl-fatal', 5]], ['fatal', ['lvl-fatal', 5]],
    ['none', ['lvl-none', 7]],
  ]);
  const OTHER_LEVEL = ['lvl-other', 6];

  const levelKind = (level) => (level == null ? LEVELS.get('none') : LEVELS.get(String(level).toLowerCase()) ?? OTHER_LEVEL);
  const levelClass = (level) => levelKind(level)[0];
  const levelRank = (level) => levelKind(level)[1];

  function byLevel(a, b) {
    return levelRank(a) - levelRank(b) || (a < b ? -1 : a > b ? 1 : 0);
  }

  const $ = (id) => document.getElementById(id);
  const ui = {};

  const state = {
    log: null,
    range: DEFAULT_RANGE,
    from: '',
    until: '',
    levels: [],
    q: '',
    where: [],
    order: 'newest',
    follow: false,
  };

  let generation = 0;          // bumps on every reload; answers for an older generation are dropped
  let controller = null;       // aborts the requests of the previous generation
  let next = null;             // the events page cursor; null when the range is exhausted
  let loadingMore = false;
  let shown = new Set();       // positions in the table, so paging and follow never show an event twice
  let rowCount = 0;
  let scanned = 0;             // events the server looked at for the pages shown
  let shortPage = false;       // the last page stopped at the server's scan limit, not at the page size
  const rowEvents = new WeakMap();
  let knownLevels = new Map(); // lower-case level → spelling shown
  let lastHistogram = null;
  let geometry = null;         // how the drawn histogram maps x to time
  let drag = null;
  let stream = null;
  let lastLive = null;
  let retryTimer = 0;
  let retryDelay = 1000;
  let refreshTimer = 0;
  let typingTimer = 0;
  let hasError = false;

  // ---------- small helpers ----------

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text != null) e.textContent = String(text);
    return e;
  }

  function svgEl(name, attrs, className) {
    const e = document.createElementNS(SVGNS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (className) e.setAttribute('class', className);
    return e;
  }

  const pad = (n, w = 2) => String(n).padStart(w, '0');

  function formatLocal(iso, withMs = true) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso ?? '');
    const s = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return withMs ? `${s}.${pad(d.getMilliseconds(), 3)}` : s;
  }

  function isoSeconds(ms) {
    return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
  }

  /**
   * What a person typed as an ISO UTC time: kept as typed when it already is one (so a shared URL shows the same text),
   * else anything Date understands turned into one; null if it is no time.
   */
  function normaliseTime(text) {
    const t = text.trim();
    if (!t) return '';
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(t) && !Number.isNaN(Date.parse(t))) return t;
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : isoSeconds(ms);
  }

  function humanBytes(n) {
    if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    let u = 0;
    let v = n;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
  }

  const num = (n) => (typeof n === 'number' && Number.isFinite(n) ? n : 0);

  function humanSpan(seconds) {
    if (seconds % 86400 === 0) return `${seconds / 86400} d`;
    if (seconds % 3600 === 0) return `${seconds / 3600} h`;
    if (seconds % 60 === 0) return `${seconds / 60} min`;
    return `${seconds} s`;
  }

  /**
   * Indents JSON text keeping each number exactly as stored (JSON.parse would round those beyond a double's
   * precision); strings are shown as JSON.stringify writes them. Text that is not a JSON object or array is shown
   * as it is.
   */
  function prettyJson(raw) {
    let value;
    try { value = JSON.parse(raw); } catch { return raw; }
    if (value === null || typeof value !== 'object') return raw;
    let out = '';
    let depth = 0;
    let i = 0;
    const n = raw.length;
    const newline = () => '\n' + '  '.repeat(depth);
    while (i < n) {
      const c = raw[i];
      if (c === '"') {
        let j = i + 1;
        while (j < n && raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
        out += JSON.stringify(JSON.parse(raw.slice(i, j + 1))); // escapes such as \u003C shown as the characters
        i = j + 1;
      } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++;
      } else if (c === '{' || c === '[') {
        let j = i + 1;
        while (j < n && ' \t\n\r'.includes(raw[j])) j++;
        if (raw[j] === (c === '{' ? '}' : ']')) {
          out += c + raw[j];
          i = j + 1;
        } else {
          depth++;
          out += c + newline();
          i++;
        }
      } else if (c === '}' || c === ']') {
        depth--;
        out += newline() + c;
        i++;
      } else if (c === ',') {
        out += ',' + newline();
        i++;
      } else if (c === ':') {
        out += ': ';
        i++;
      } else {
        let j = i;
        while (j < n && !',:{}[]" \t\n\r'.includes(raw[j])) j++;
        out += raw.slice(i, j);
        i = j;
      }
    }
    return out;
  }

  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch {
      // Refused (no permission, document not focused): fall back to the selection-based copy below.
    }
    const area = el('textarea', 'offscreen');
    area.value = text;
    area.setAttribute('readonly', '');
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    area.remove();
    return ok;
  }

  // ---------- status ----------

  function clearStatus() {
    ui.status.replaceChildren();
    ui.status.className = '';
    hasError = false;
  }

  function showError(message) {
    ui.status.replaceChildren(document.createTextNode(message));
    ui.status.className = 'error';
    hasError = true;
  }

  function showNote(message, action, onAction) {
    if (hasError) return;
    ui.status.replaceChildren(document.createTextNode(message));
    ui.status.className = 'note';
    if (action) {
      const b = el('button', 'action', action);
      b.type = 'button';
      b.addEventListener('click', onAction);
      ui.status.append(' ', b);
    }
  }

  function isAbort(e) {
    return e && e.name === 'AbortError';
  }

  // ---------- HTTP ----------

  async function getJson(path, params, signal) {
    const url = params ? `${path}?${params}` : path;
    let response;
    try {
      response = await fetch(url, { signal, headers: { Accept: 'application/json' }, cache: 'no-store' });
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new Error('The objlog ui server does not answer; is it still running?');
    }
    let body = null;
    try { body = await response.json(); } catch (e) { if (isAbort(e)) throw e; }
    if (!response.ok) {
      const message = body && typeof body.error === 'string' ? body.error : `${response.status} ${response.statusText}`;
      throw new Error(message);
    }
    return body;
  }

  /**
   * The filter as query parameters, with the same names in the API's requests and the page's own URL. `range`: 'api'
   * (a custom range as its from/until), 'page' (also range=custom, so the URL restores the choice), or null (none).
   */
  function filterParams(range) {
    const p = new URLSearchParams();
    if (state.log) p.set('log', state.log);
    if (range) {
      if (state.range === 'custom') {
        if (range === 'page') p.set('range', 'custom');
        if (state.from) p.set('from', state.from);
        if (state.until) p.set('until', state.until);
      } else {
        p.set('range', state.range);
      }
    }
    if (state.levels.length) p.set('level', state.levels.join(','));
    if (state.q) p.set('q', state.q);
    for (const w of state.where) p.append('where', w);
    return p;
  }

  // ---------- URL state ----------

  function readUrl() {
    const p = new URLSearchParams(location.search);
    state.log = p.get('log') || null;
    state.from = p.get('from') || '';
    state.until = p.get('until') || '';
    const range = p.get('range');
    if (range && RANGES.includes(range)) state.range = range;
    else state.range = state.from || state.until ? 'custom' : DEFAULT_RANGE;
    if (state.range !== 'custom') { state.from = ''; state.until = ''; }
    state.levels = p.getAll('level').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    state.q = p.get('q') || '';
    state.where = p.getAll('where').flatMap(splitWhere);
    state.order = p.get('order') === 'oldest' ? 'oldest' : 'newest';
    state.follow = p.get('follow') === '1';
  }

  function writeUrl() {
    const p = filterParams('page');
    if (state.order !== 'newest') p.set('order', state.order);
    if (state.follow) p.set('follow', '1');
    history.replaceState(null, '', `${location.pathname}?${p}`);
  }

  function splitWhere(text) {
    return text.split(';').map((s) => s.trim()).filter(Boolean);
  }

  function showState() {
    ui.range.value = state.range;
    ui.from.value = state.from;
    ui.until.value = state.until;
    ui.top.classList.toggle('is-custom', state.range === 'custom');
    ui.q.value = state.q;
    ui.where.value = state.where.join('; ');
    ui.order.value = state.order;
    showFollowButton();
    renderLevels();
  }

  // ---------- levels ----------

  function learnLevels(levels) {
    let changed = false;
    for (const level of levels) {
      if (level == null || level === '') continue;
      const key = String(level).toLowerCase();
      if (!knownLevels.has(key)) {
        knownLevels.set(key, String(level));
        changed = true;
      }
    }
    if (changed) renderLevels();
  }

  function renderLevels() {
    for (const level of state.levels) {
      const key = level.toLowerCase();
      if (!knownLevels.has(key)) knownLevels.set(key, level);
    }
    const chosen = new Set(state.levels.map((l) => l.toLowerCase()));
    const labels = [...knownLevels.values()].sort(byLevel).map((level) => {
      const label = el('label', `level-choice ${levelClass(level)}`);
      const box = el('input');
      box.type = 'checkbox';
      box.name = 'level';
      box.value = level;
      box.checked = chosen.has(level.toLowerCase());
      label.append(box, document.createTextNode(` ${level}`));
      return label;
    });
    ui.levels.replaceChildren(...labels);
    ui.levels.title = labels.length ? 'None checked: all levels' : '';
  }

  // ---------- loading ----------

  async function loadLogs() {
    let answer;
    try {
      answer = await getJson('/api/logs');
    } catch (e) {
      showError(e.message);
      return false;
    }
    ui.store.textContent = answer.store ?? '';
    ui.store.title = answer.store ?? '';
    const fixedLog = answer.fixedLog ?? null;
    ui.log.title = answer.complete === false ? 'The store holds more objects than were looked at: other logs may exist' : '';
    const names = (answer.logs ?? []).map((l) => l.name).filter((n) => typeof n === 'string');
    if (fixedLog && !names.includes(fixedLog)) names.unshift(fixedLog);
    if (!state.log) state.log = fixedLog ?? names[0] ?? null;
    if (state.log && !names.includes(state.log)) names.unshift(state.log);
    ui.log.replaceChildren(...names.map((name) => {
      const o = el('option', null, name);
      o.value = name;
      return o;
    }));
    ui.log.disabled = fixedLog != null || names.length === 0;
    if (state.log) ui.log.value = state.log;
    return true;
  }

  function reload() {
    generation++;
    if (controller) controller.abort();
    controller = new AbortController();
    stopStream();
    lastLive = null;
    writeUrl();
    clearStatus();
    clearRows();
    if (!state.log) {
      showNote('No logs found in this store.');
      return;
    }
    const my = generation;
    const signal = controller.signal;
    refreshOverview(my, signal);
    loadPage(null);
    if (state.levels.length) loadRangeLevels(my, signal);
  }

  /** With a level filter the histogram names only the chosen levels; the other levels in range stay offered. */
  async function loadRangeLevels(my, signal) {
    const p = new URLSearchParams([...filterParams('api')].filter(([k]) => ['log', 'range', 'from', 'until'].includes(k)));
    p.set('buckets', '1');
    try {
      const histogram = await getJson('/api/histogram', p, signal);
      if (my === generation) learnLevels(histogramLevels(histogram));
    } catch {
      // The main requests report what went wrong; this one only adds choices.
    }
  }

  /** Loads the page after the position `after` (null: the first page); once the first page is in, following resumes. */
  async function loadPage(after) {
    if (loadingMore || !state.log) return;
    const my = generation;
    loadingMore = true;
    ui.more.disabled = true;
    ui.more.textContent = 'Loading…';
    try {
      const page = await getJson('/api/events', eventsParams(after), controller.signal);
      if (my !== generation) return;
      appendPage(page);
    } catch (e) {
      if (isAbort(e) || my !== generation) return;
      showError(e.message);
    } finally {
      if (my === generation) {
        loadingMore = false;
        ui.more.disabled = false;
        ui.more.textContent = 'Load more';
      }
    }
    if (my !== generation) return;
    if (after === null && state.follow) startStream();
    loadWhileVisible();
  }

  function loadMore() {
    if (next) loadPage(next);
  }

  function eventsParams(after) {
    const p = filterParams('api');
    p.set('order', state.order);
    if (after) p.set('after', after);
    p.set('limit', String(PAGE_SIZE));
    return p;
  }

  /** The observer reports only changes; when a page did not fill the screen, #more stays in view and needs a nudge. */
  function loadWhileVisible() {
    if (!next || ui.more.hidden) return;
    const r = ui.more.getBoundingClientRect();
    if (r.top < window.innerHeight + 400) loadMore();
  }

  async function refreshOverview(my, signal) {
    const width = histogramWidth();
    const hp = filterParams('api');
    hp.set('buckets', String(Math.max(10, Math.min(120, Math.floor(width / 12)))));
    const [histogram, summary] = await Promise.all([
      getJson('/api/histogram', hp, signal).catch((e) => e),
      getJson('/api/summary', filterParams('api'), signal).catch((e) => e),
    ]);
    if (my !== generation) return;
    for (const answer of [histogram, summary]) {
      if (answer instanceof Error) {
        if (!isAbort(answer)) showError(answer.message);
        return;
      }
    }
    lastHistogram = histogram;
    if (!drag) renderHistogram(histogram);
    renderSummary(summary, histogram);
    learnLevels(histogramLevels(histogram));
    noteEmptyRange(histogram, summary);
  }

  function noteEmptyRange(histogram, summary) {
    if (num(histogram.total) !== 0) {
      if (ui.status.className === 'note') clearStatus();
      return;
    }
    if (summary.lastBatchTime == null) {
      showNote('This log has no events yet.');
    } else if (state.range === 'all') {
      showNote(`No events match these filters; the newest event in the log is at ${formatLocal(summary.lastBatchTime, false)}.`);
    } else {
      showNote(`No events in this range; the newest is at ${formatLocal(summary.lastBatchTime, false)}.`, 'Show all', () => {
        state.range = 'all';
        state.from = '';
        state.until = '';
        showState();
        reload();
      });
    }
  }

  function renderSummary(summary, histogram) {
    ui.sumEvents.textContent = String(num(histogram.total));
    ui.sumObjects.textContent = String(num(summary.objects));
    ui.sumBytes.textContent = humanBytes(summary.storedBytes);
    ui.sumBytes.title = `${num(summary.storedBytes)} bytes`;
    const r = summary.requests ?? {};
    const total = num(r.list) + num(r.get) + num(r.put) + num(r.delete);
    ui.sumRequests.textContent = String(total);
    ui.sumRequestsItem.title = `Requests this server made to the store since it started: list ${num(r.list)}, get ${num(r.get)}, `
      + `put ${num(r.put)}, delete ${num(r.delete)}; ${humanBytes(num(r.bytesReceived))} received`;
    const span = summary.firstBatchTime
      ? `Batches from ${formatLocal(summary.firstBatchTime, false)} to ${formatLocal(summary.lastBatchTime, false)}`
      : 'No batches';
    ui.sumObjects.parentElement.title = `${span}; store time ${formatLocal(summary.storeTime, false)}`;
  }

  // ---------- histogram ----------

  function histogramWidth() {
    return Math.max(320, Math.floor(ui.histoBox.clientWidth || 800));
  }

  function histogramLevels(histogram) {
    const levels = [...(histogram.levels ?? [])];
    for (const b of histogram.buckets ?? []) {
      for (const k of Object.keys(b.counts ?? {})) if (!levels.includes(k)) levels.push(k);
    }
    return levels.sort(byLevel);
  }

  function renderHistogram(histogram) {
    const svg = ui.histogram;
    const W = histogramWidth();
    const H = 140;
    const L = 44;
    const R = 8;
    const T = 8;
    const B = 20;
    const pw = W - L - R;
    const ph = H - T - B;
    svg.replaceChildren();
    svg.setAttribute('width', String(W));
    svg.setAttribute('height', String(H));
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    geometry = null;

    const buckets = (histogram.buckets ?? []).filter((b) => !Number.isNaN(Date.parse(b.start)));
    const stepMs = num(histogram.bucketSeconds) * 1000;
    const levels = histogramLevels(histogram);
    ui.histoCaption.textContent = stepMs
      ? `${num(histogram.total)} events · ${humanSpan(num(histogram.bucketSeconds))} buckets`
      : `${num(histogram.total)} events`;
    ui.histoCaption.title = histogram.from || histogram.until
      ? `From ${histogram.from ?? 'the start'} until ${histogram.until ?? 'now'}` : '';
    ui.from.placeholder = histogram.from ? placeholderTime(histogram.from) : 'from (ISO, UTC)';
    ui.until.placeholder = histogram.until ? placeholderTime(histogram.until) : 'until (ISO, UTC)';

    svg.append(svgEl('line', { x1: L, x2: L + pw, y1: T + ph + 0.5, y2: T + ph + 0.5 }, 'axis'));
    if (!buckets.length || !stepMs) {
      const t = svgEl('text', { x: L + pw / 2, y: T + ph / 2, 'text-anchor': 'middle' }, 'empty');
      t.textContent = 'No events in this range';
      svg.append(t);
      renderLegend([], {});
      return;
    }

    const t0 = Date.parse(buckets[0].start);
    const tEnd = Date.parse(buckets[buckets.length - 1].start) + stepMs;
    const slots = Math.max(1, Math.round((tEnd - t0) / stepMs));
    const bw = pw / slots;
    const gap = bw >= 5 ? 1 : 0;
    const max = Math.max(1, ...buckets.map((b) => num(b.total)));
    geometry = { L, pw, T, ph, t0, stepMs, slots };

    for (const frac of [0.5, 1]) {
      const y = Math.round(T + ph - frac * ph) + 0.5;
      svg.append(svgEl('line', { x1: L, x2: L + pw, y1: y, y2: y }, 'grid'));
    }
    const maxLabel = svgEl('text', { x: L - 6, y: T + 4, 'text-anchor': 'end' }, 'tick');
    maxLabel.textContent = String(max);
    const zeroLabel = svgEl('text', { x: L - 6, y: T + ph, 'text-anchor': 'end' }, 'tick');
    zeroLabel.textContent = '0';
    svg.append(maxLabel, zeroLabel);

    const totals = {};
    const bars = svgEl('g', {}, 'bars');
    for (const b of buckets) {
      const start = Date.parse(b.start);
      const x = L + ((start - t0) / stepMs) * bw;
      let y = T + ph;
      const counts = b.counts ?? {};
      for (const level of levels) {
        const count = num(counts[level]);
        if (count <= 0) continue;
        totals[level] = (totals[level] ?? 0) + count;
        const h = Math.max(1, (count / max) * ph);
        y -= h;
        const rect = svgEl('rect', {
          x: x.toFixed(2), y: y.toFixed(2), width: Math.max(0.5, bw - gap).toFixed(2), height: h.toFixed(2),
          'data-level': level, 'data-count': count, 'data-start': b.start,
        }, `bar ${levelClass(level)}`);
        const title = svgEl('title', {});
        title.textContent = `${formatLocal(start, false)} – ${formatLocal(start + stepMs, false)}\n${level}: ${count}`;
        rect.append(title);
        bars.append(rect);
      }
    }
    svg.append(bars);

    // A few time labels on bucket edges, spaced for their width.
    const span = tEnd - t0;
    const labelEvery = Math.max(1, Math.ceil(slots / Math.max(2, Math.floor(pw / 120))));
    for (let i = 0; i < slots; i += labelEvery) {
      const t = t0 + i * stepMs;
      const x = L + i * bw;
      svg.append(svgEl('line', { x1: x.toFixed(1), x2: x.toFixed(1), y1: T + ph, y2: T + ph + 4 }, 'axis'));
      const label = svgEl('text', { x: x.toFixed(1), y: H - 4, 'text-anchor': i === 0 ? 'start' : 'middle' }, 'tick');
      label.textContent = axisLabel(t, span, stepMs);
      svg.append(label);
    }

    svg.append(svgEl('rect', { x: 0, y: T, width: 0, height: ph, visibility: 'hidden' }, 'selection'));
    renderLegend(levels, totals);
  }

  function placeholderTime(iso) {
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? String(iso) : isoSeconds(Math.floor(ms / 1000) * 1000);
  }

  function axisLabel(t, span, stepMs) {
    const d = new Date(t);
    const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    if (span <= 86400000) return stepMs < 60000 ? `${hm}:${pad(d.getSeconds())}` : hm;
    if (stepMs >= 86400000) return `${d.getFullYear()}-${md}`;
    return `${md} ${hm}`;
  }

  function renderLegend(levels, totals) {
    ui.legend.replaceChildren(...levels.filter((l) => totals[l]).map((level) => {
      const item = el('span', 'legend-item');
      item.append(el('span', `swatch ${levelClass(level)}`), document.createTextNode(`${level} ${totals[level]}`));
      return item;
    }));
  }

  function plotX(e) {
    const r = ui.histogram.getBoundingClientRect();
    const scale = r.width ? Number(ui.histogram.getAttribute('width')) / r.width : 1;
    const x = (e.clientX - r.left) * scale;
    return Math.min(geometry.L + geometry.pw, Math.max(geometry.L, x));
  }

  function drawSelection() {
    const sel = ui.histogram.querySelector('rect.selection');
    if (!sel || !drag) return;
    const a = Math.min(drag.x0, drag.x1);
    const b = Math.max(drag.x0, drag.x1);
    sel.setAttribute('x', a.toFixed(1));
    sel.setAttribute('width', Math.max(1, b - a).toFixed(1));
    sel.setAttribute('visibility', 'visible');
  }

  function onDragStart(e) {
    if (e.button !== 0 || !geometry) return;
    e.preventDefault();
    const x = plotX(e);
    drag = { x0: x, x1: x };
    drawSelection();
  }

  function onDragMove(e) {
    if (!drag) return;
    if (!geometry) { drag = null; return; } // redrawn empty meanwhile
    drag.x1 = plotX(e);
    drawSelection();
  }

  function onDragEnd(e) {
    if (!drag) return;
    const g = geometry;
    const x0 = drag.x0;
    const x1 = g ? plotX(e) : x0;
    drag = null;
    if (Math.abs(x1 - x0) < 3) {
      const sel = ui.histogram.querySelector('rect.selection');
      if (sel) sel.setAttribute('visibility', 'hidden');
      return;
    }
    // Snap outward to bucket edges: the chosen range holds every bucket the selection touches.
    const slot = (x) => ((x - g.L) / g.pw) * g.slots;
    const first = Math.max(0, Math.floor(slot(Math.min(x0, x1))));
    const last = Math.min(g.slots, Math.max(first + 1, Math.ceil(slot(Math.max(x0, x1)))));
    state.range = 'custom';
    state.from = isoSeconds(g.t0 + first * g.stepMs);
    state.until = isoSeconds(g.t0 + last * g.stepMs);
    showState();
    reload();
  }

  // ---------- table ----------

  function clearRows() {
    ui.rows.replaceChildren();
    shown = new Set();
    rowCount = 0;
    scanned = 0;
    shortPage = false;
    next = null;
    loadingMore = false;
    ui.more.hidden = true;
    ui.more.disabled = false;
    ui.more.textContent = 'Load more';
    updateCount();
  }

  function makeRow(ev, live) {
    const tr = el('tr', live ? 'event live' : 'event');
    tr.setAttribute('data-position', String(ev.position));
    tr.tabIndex = 0;
    const time = el('td', 'time', formatLocal(ev.time));
    time.title = ev.batchTime && ev.batchTime !== ev.time ? `${ev.time} (batch ${ev.batchTime})` : String(ev.time);
    const level = el('td', 'level');
    if (ev.level != null) level.append(el('span', `badge ${levelClass(ev.level)}`, ev.level));
    const message = el('td', 'message', ev.message ?? '');
    tr.append(time, level, message);
    rowEvents.set(tr, ev);
    return tr;
  }

  function appendPage(page) {
    const fragment = document.createDocumentFragment();
    const levels = [];
    for (const ev of page.events ?? []) {
      if (shown.has(ev.position)) continue;
      shown.add(ev.position);
      fragment.append(makeRow(ev, false));
      rowCount++;
      if (ev.level != null) levels.push(ev.level);
    }
    ui.rows.append(fragment);
    next = page.next ?? null;
    scanned += num(page.scanned);
    shortPage = next != null && (page.events ?? []).length < PAGE_SIZE;
    ui.more.hidden = next == null;
    learnLevels(levels);
    trimRows('top');
    updateCount();
  }

  function addLive(ev) {
    if (shown.has(ev.position)) return;
    if (state.order === 'oldest' && next != null) return; // paging will reach it, in order
    shown.add(ev.position);
    const tr = makeRow(ev, true);
    if (state.order === 'newest') ui.rows.prepend(tr);
    else ui.rows.append(tr);
    rowCount++;
    if (ev.level != null) learnLevels([ev.level]);
    trimRows(state.order === 'newest' ? 'bottom' : 'top');
    updateCount();
  }

  function removeRow(tr) {
    const after = tr.nextElementSibling;
    if (after && after.classList.contains('detail')) after.remove();
    shown.delete(tr.getAttribute('data-position'));
    tr.remove();
    rowCount--;
  }

  /**
   * Keeps at most MAX_ROWS events, dropping them at `end`, the end far from where rows were just added. Dropped
   * from the bottom, paging resumes after the last row kept, so scrolling down brings them back.
   */
  function trimRows(end) {
    if (rowCount <= MAX_ROWS) return;
    const rows = ui.rows.querySelectorAll('tr.event');
    if (end === 'bottom') {
      for (let i = rows.length - 1; i >= MAX_ROWS; i--) removeRow(rows[i]);
      next = rows[MAX_ROWS - 1].getAttribute('data-position');
      ui.more.hidden = false;
    } else {
      for (let i = 0; i < rows.length - MAX_ROWS; i++) removeRow(rows[i]);
    }
  }

  function updateCount() {
    const parts = [];
    if (rowCount) parts.push(`${rowCount} event${rowCount === 1 ? '' : 's'} shown`);
    if (next == null) {
      if (rowCount) parts.push('end of range');
    } else if (shortPage) {
      parts.push(`${scanned} events looked at so far`);
    }
    ui.count.textContent = parts.join(' · ');
  }

  function toggleDetail(tr) {
    const after = tr.nextElementSibling;
    if (after && after.classList.contains('detail')) {
      after.remove();
      tr.classList.remove('open');
      return;
    }
    const ev = rowEvents.get(tr);
    if (!ev) return;
    const detail = el('tr', 'detail');
    const cell = el('td');
    cell.colSpan = 3;
    const bar = el('div', 'detail-bar');
    const facts = [
      ['Time', ev.time],
      ['Batch time', ev.batchTime],
      ['Level', ev.level ?? 'none'],
    ];
    for (const [k, v] of facts) {
      const item = el('span', 'fact');
      item.append(el('span', 'k', k), el('span', 'v', v ?? ''));
      bar.append(item);
    }
    const posItem = el('span', 'fact');
    posItem.append(el('span', 'k', 'Position'), el('code', 'position', ev.position));
    const copy = el('button', 'copy', 'Copy position');
    copy.type = 'button';
    copy.addEventListener('click', async (e) => {
      e.stopPropagation();
      const ok = await copyText(String(ev.position));
      copy.textContent = ok ? 'Copied' : 'Copy failed';
    });
    bar.append(posItem, copy);
    const pre = el('pre', 'json', prettyJson(String(ev.raw ?? '')));
    cell.append(bar, pre);
    detail.append(cell);
    tr.after(detail);
    tr.classList.add('open');
  }

  // ---------- follow ----------

  function showFollowButton() {
    ui.follow.textContent = state.follow ? 'Pause' : 'Follow';
    ui.follow.classList.toggle('on', state.follow);
    ui.follow.setAttribute('aria-pressed', state.follow ? 'true' : 'false');
  }

  /** Where live events continue from: after the newest event the table holds, when it holds the newest of the range. */
  function followAfter() {
    if (lastLive) return lastLive;
    if (state.range === 'custom' && state.until) return null;
    if (state.order === 'newest') {
      const first = ui.rows.querySelector('tr.event');
      return first ? first.getAttribute('data-position') : null;
    }
    if (next != null) return null;
    const rows = ui.rows.querySelectorAll('tr.event');
    return rows.length ? rows[rows.length - 1].getAttribute('data-position') : null;
  }

  function startStream() {
    stopStream();
    const p = filterParams(null);
    const after = followAfter();
    if (after) p.set('after', after);
    const url = `/api/follow?${p}`;
    const my = generation;
    const source = new EventSource(url);
    stream = source;
    source.addEventListener('event', (e) => {
      if (my !== generation || stream !== source) return;
      let ev;
      try { ev = JSON.parse(e.data); } catch { return; }
      if (!ev || typeof ev.position !== 'string') return;
      lastLive = ev.position;
      retryDelay = 1000;
      addLive(ev);
    });
    source.addEventListener('open', () => { retryDelay = 1000; });
    source.addEventListener('error', () => {
      if (stream !== source) return;
      // The browser reconnects by itself with the same URL (positions already shown are skipped); once it has
      // given up, ask the server why and reconnect from the last event received.
      if (source.readyState !== EventSource.CLOSED) return;
      stream = null;
      explainFollowFailure(url, my);
    });
    if (!refreshTimer) scheduleRefresh(REFRESH_MS);
  }

  // While following, the chart and summary are fetched again: never two at once, and never more than a tenth of the
  // time (a whole log's histogram reads every event, which can take seconds on a large log).
  function scheduleRefresh(delay) {
    const id = setTimeout(async () => {
      const started = performance.now();
      if (controller && state.log) await refreshOverview(generation, controller.signal).catch(() => {});
      if (refreshTimer === id) scheduleRefresh(Math.max(REFRESH_MS, 10 * (performance.now() - started))); // not paused meanwhile
    }, delay);
    refreshTimer = id;
  }

  async function explainFollowFailure(url, my) {
    let message = null;
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: 'text/event-stream' } });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        message = body && typeof body.error === 'string' ? body.error : `${response.status} ${response.statusText}`;
      }
      if (response.body) response.body.cancel().catch(() => {});
    } catch (e) {
      if (isAbort(e)) return;
      message = null;
    }
    if (my !== generation || !state.follow) return;
    if (message) {
      showError(`Follow stopped: ${message}`);
      return;
    }
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      if (my === generation && state.follow) startStream();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function stopStream() {
    if (stream) stream.close();
    stream = null;
    clearTimeout(retryTimer);
    retryTimer = 0;
    clearTimeout(refreshTimer);
    refreshTimer = 0;
  }

  function toggleFollow() {
    state.follow = !state.follow;
    showFollowButton();
    writeUrl();
    if (state.follow) {
      lastLive = null;
      if (state.log) startStream();
    } else {
      stopStream();
    }
  }

  // ---------- wiring ----------

  function applyCustom() {
    const from = normaliseTime(ui.from.value);
    const until = normaliseTime(ui.until.value);
    if (from === null || until === null) {
      showError(`Not a time: "${from === null ? ui.from.value : ui.until.value}". Use ISO-8601, e.g. 2026-12-02T10:00:00Z.`);
      return;
    }
    if (state.range === 'custom' && from === state.from && until === state.until) return;
    state.range = 'custom';
    state.from = from;
    state.until = until;
    showState();
    reload();
  }

  function applyText() {
    clearTimeout(typingTimer);
    const q = ui.q.value.trim();
    const where = splitWhere(ui.where.value);
    if (q === state.q && where.join('\n') === state.where.join('\n')) return;
    state.q = q;
    state.where = where;
    reload();
  }

  function wire() {
    ui.log.addEventListener('change', () => {
      state.log = ui.log.value || null;
      knownLevels = new Map();
      renderLevels();
      reload();
    });
    ui.range.addEventListener('change', () => {
      state.range = ui.range.value;
      if (state.range === 'custom') {
        // Start from the range shown, so the fields hold something to edit.
        state.from = normaliseTime(ui.from.value) || normaliseTime(String(lastHistogram?.from ?? '')) || '';
        state.until = normaliseTime(ui.until.value) || normaliseTime(String(lastHistogram?.until ?? '')) || '';
      } else {
        state.from = '';
        state.until = '';
      }
      showState();
      reload();
    });
    for (const input of [ui.from, ui.until]) {
      input.addEventListener('change', applyCustom);
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') applyCustom(); });
    }
    ui.levels.addEventListener('change', () => {
      state.levels = [...ui.levels.querySelectorAll('input[name=level]:checked')].map((b) => b.value);
      reload();
    });
    ui.q.addEventListener('input', () => {
      clearTimeout(typingTimer);
      typingTimer = setTimeout(applyText, TYPING_MS);
    });
    for (const input of [ui.q, ui.where]) {
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') applyText(); });
    }
    ui.where.addEventListener('change', applyText);
    ui.order.addEventListener('change', () => {
      state.order = ui.order.value === 'oldest' ? 'oldest' : 'newest';
      reload();
    });
    ui.follow.addEventListener('click', toggleFollow);
    ui.more.addEventListener('click', loadMore);
    ui.rows.addEventListener('click', (e) => {
      const tr = e.target instanceof Element ? e.target.closest('tr') : null;
      if (!tr || !tr.classList.contains('event')) return;
      const selection = window.getSelection();
      if (selection && selection.toString() && tr.contains(selection.anchorNode)) return; // selecting text, not opening
      toggleDetail(tr);
    });
    ui.rows.addEventListener('keydown', (e) => {
      const tr = e.target instanceof Element ? e.target : null;
      if ((e.key === 'Enter' || e.key === ' ') && tr && tr.matches('tr.event')) {
        e.preventDefault();
        toggleDetail(tr);
      }
    });
    ui.histogram.addEventListener('mousedown', onDragStart);
    window.addEventListener('mousemove', onDragMove);
    window.addEventListener('mouseup', onDragEnd);
    if ('IntersectionObserver' in window) {
      new IntersectionObserver((entries) => {
        if (entries.some((x) => x.isIntersecting)) loadMore();
      }, { rootMargin: '0px 0px 400px 0px' }).observe(ui.more);
    } else {
      window.addEventListener('scroll', loadWhileVisible, { passive: true });
    }
    // The table's header sticks just below the page's header, whose height changes as the filters wrap.
    const stickBelowHeader = () => document.documentElement.style.setProperty('--head-height', `${ui.top.offsetHeight}px`);
    stickBelowHeader();
    if ('ResizeObserver' in window) new ResizeObserver(stickBelowHeader).observe(ui.top);
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => { if (lastHistogram && !drag) renderHistogram(lastHistogram); }, 150);
    });
  }

  async function start() {
    for (const id of ['top', 'store', 'log', 'range', 'from', 'until', 'levels', 'q', 'where', 'order', 'follow',
      'status', 'legend', 'histogram', 'rows', 'more', 'count']) ui[id] = $(id);
    ui.histoBox = $('histo-box');
    ui.histoCaption = $('histo-caption');
    ui.sumEvents = $('sum-events');
    ui.sumObjects = $('sum-objects');
    ui.sumBytes = $('sum-bytes');
    ui.sumRequests = $('sum-requests');
    ui.sumRequestsItem = $('sum-requests-item');
    readUrl();
    showState();
    wire();
    if (await loadLogs()) reload();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
