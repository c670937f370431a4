// NewsMonitor operator dashboard: plain ES modules, no build step. Everything shown comes from the public API
// with the key the user signed in with; the key lives in sessionStorage and is sent only in the X-Api-Key header.
// All text from the API is inserted with textContent (never as HTML).

import { renderSources } from './sources.js';

const KEY = 'newsmonitor.key';
const state = { key: sessionStorage.getItem(KEY), me: null, stream: null, subscriptions: new Map() };
const main = document.getElementById('main');

// ---------- helpers ----------
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { 'X-Api-Key': state.key ?? '', Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401 && path !== '/api/v1/keys/me') signOut('Your key was refused (revoked?). Sign in again.');
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const when = (iso) => iso ? new Date(iso).toLocaleString() : '–';
const percent = (x) => `${Math.round(x * 100)}%`;

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function failure(error) {
  return el('div', { class: 'card error', role: 'alert', text: error instanceof ApiError ? `${error.status}: ${error.message}` : String(error) });
}

// ---------- sign-in ----------
function signOut(message) {
  sessionStorage.removeItem(KEY);
  state.key = null;
  state.me = null;
  stopStream();
  location.hash = '#/signin';
  renderSignIn(message);
}

async function signIn(key) {
  state.key = key.trim();
  try {
    state.me = await api('/api/v1/keys/me');
    sessionStorage.setItem(KEY, state.key);
    return true;
  } catch (error) {
    state.key = null;
    return error;
  }
}

function renderSignIn(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  const error = el('div', { class: 'error', id: 'signin-error', role: 'alert', text: message ?? '' });
  const input = el('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true, placeholder: 'nm_…' });
  const form = el('form', { class: 'card', id: 'signin' },
    el('h1', { text: 'Sign in' }),
    el('label', { for: 'key', text: 'API key' }), input,
    el('p', { class: 'muted', text: 'Your key stays in this browser tab (session storage) and is sent only in the X-Api-Key header.' }),
    el('button', { class: 'primary', type: 'submit', text: 'Sign in' }), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const outcome = await signIn(input.value);
    if (outcome === true) { location.hash = '#/feed'; route(); }
    else error.textContent = outcome instanceof ApiError && outcome.status === 401 ? 'That key is not valid.' : String(outcome);
  });
  show(form);
  input.focus();
}

// ---------- live alerts (Server-Sent Events read with fetch, so the key travels in a header) ----------
function stopStream() {
  state.stream?.abort();
  state.stream = null;
}

// Reads the alert stream from just after `position` (sent as Last-Event-ID, as EventSource would), so a reconnect
// first brings every alert the page missed, then live ones. `id:` lines carry each alert's position.
async function readStream(path, position, onEvent, signal) {
  const headers = { 'X-Api-Key': state.key, Accept: 'text/event-stream' };
  if (position !== null) headers['Last-Event-ID'] = String(position);
  const response = await fetch(path, { headers, signal });
  if (!response.ok) throw new ApiError(response.status, null);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      let id = null;
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      onEvent(type, data.join('\n'), id);
    }
  }
}

// Subscribers open an article through their alert (they may read only those); operators keep the full article view.
const articleLink = (alert) => state.me?.role === 'operator' ? `#/article/${alert.articleId}` : `#/alert/${alert.id}`;

function alertItem(alert, fresh) {
  const subscription = state.subscriptions.get(alert.subscriptionId);
  // data-shown-at: when the alert was drawn (ms since the epoch), so latency can be read off the page.
  return el('li', { class: fresh ? 'fresh' : '', 'data-alert': alert.id, 'data-article': alert.articleId, 'data-position': alert.position, 'data-shown-at': Date.now() },
    el('a', { class: 'title', dir: 'auto', href: articleLink(alert), text: alert.title || '(untitled)' }),
    el('div', {},
      el('span', { class: 'muted', text: `${when(alert.raisedAt)} · ${subscription ? subscription.name : 'subscription ' + alert.subscriptionId.slice(0, 8)} · matched ` }),
      ...alert.matched.map((term) => el('span', { class: 'chip', dir: 'auto', text: term }))));
}

// Unread alerts counted in the tab title while the tab is hidden or not focused; seeing the tab clears the count.
const TITLE = 'NewsMonitor';
const unread = {
  count: 0,
  add() {
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    this.count += 1;
    document.title = `(${this.count}) ${TITLE}`;
  },
  clear() {
    this.count = 0;
    document.title = TITLE;
  },
};
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') unread.clear(); });
window.addEventListener('focus', () => unread.clear());

async function renderFeed() {
  stopStream();
  unread.clear();
  const controller = new AbortController();
  state.stream = controller;
  const status = el('span', { class: 'muted', id: 'stream-status', text: 'connecting…' });
  const list = el('ul', { class: 'feed', id: 'alerts' });
  const filter = el('select', { id: 'alert-filter', 'aria-label': 'Subscription' }, el('option', { value: '', text: 'All subscriptions' }));
  show(el('section', { class: 'card' }, el('div', { class: 'row' }, el('h1', { text: 'Live alerts' }), status, filter), list));
  try {
    const subscriptions = await api('/api/v1/subscriptions');
    for (const subscription of subscriptions.items) {
      state.subscriptions.set(subscription.id, subscription);
      filter.append(el('option', { value: subscription.id, text: subscription.name }));
    }
  } catch { /* names are a nicety */ }
  if (controller.signal.aborted) return;
  filter.value = state.alertFilter && state.subscriptions.has(state.alertFilter) ? state.alertFilter : '';
  filter.addEventListener('change', () => { state.alertFilter = filter.value; renderFeed(); });
  const only = filter.value ? `subscriptionId=${encodeURIComponent(filter.value)}` : '';

  // Every alert is drawn once, whatever the reconnects bring; `position` is the newest one drawn, where a reconnect resumes.
  const drawn = new Set();
  let position = null;
  const draw = (alert, live) => {
    if (drawn.has(alert.id)) return;
    drawn.add(alert.id);
    position = Math.max(position ?? 0, alert.position);
    if (live) { list.prepend(alertItem(alert, true)); unread.add(); }
    else list.append(alertItem(alert, false));
  };

  // The first screen: the latest alerts, newest first. The stream then resumes after the newest of them (or from the
  // start of the caller's feed when there is none yet), so nothing raised in between is lost.
  try {
    const latest = await api(`/api/v1/alerts?order=desc&limit=50${only ? '&' + only : ''}`);
    if (controller.signal.aborted) return;
    for (const alert of latest.items) draw(alert, false);
    position ??= 0;
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof ApiError && error.status === 403) { status.textContent = 'this key has no alert feed'; status.className = 'bad'; return; }
    // Without history the stream still starts live.
  }

  let delay = 1000;
  const path = `/api/v1/alerts/stream${only ? '?' + only : ''}`;
  const connect = async () => {
    while (!controller.signal.aborted) {
      try {
        await readStream(path, position, (type, data) => {
          if (type === 'ready') { status.textContent = 'live'; status.className = 'ok'; delay = 1000; }
          if (type === 'alert') draw(JSON.parse(data), true);
        }, controller.signal);
        if (controller.signal.aborted) return;
        status.textContent = 'reconnecting (the stream ended)';
        status.className = 'bad';
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 403) { status.textContent = 'this key has no alert feed'; status.className = 'bad'; return; }
        status.textContent = `reconnecting (${error.message ?? error})`;
        status.className = 'bad';
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
  };
  connect();
}

// A subscriber's view of an article: what alerting knows of it, reachable only through the subscriber's own alert.
async function renderAlertArticle(alertId) {
  show(el('p', { class: 'muted', text: 'Loading…' }));
  try {
    const article = await api(`/api/v1/alerts/${encodeURIComponent(alertId)}/article`);
    const entities = article.entities ?? [];
    show(el('div', { class: 'grid' },
      el('article', { class: 'card article', dir: 'rtl', lang: article.language || 'ar', id: 'article' },
        el('h1', { dir: 'auto', text: article.title ?? '' }),
        el('div', { id: 'article-body' }, highlighted(article.body ?? '', entities, false))),
      el('aside', {},
        el('section', { class: 'card' }, el('h2', { text: 'Topics' }), el('div', { id: 'topics' },
          article.topics ? article.topics.map((label) => el('span', { class: 'chip topic', 'data-label': label }, el('b', { text: label })))
            : [el('span', { class: 'muted', text: 'not classified yet' })])),
        el('section', { class: 'card' }, el('h2', { text: 'Entities' }),
          article.entities ? el('ul', { id: 'entities' }, entities.filter((e) => ['PERSON', 'ORG', 'LOC'].includes(e.type)).map((entity) =>
            el('li', {}, el('span', { text: entity.name }), el('span', { class: 'muted', text: ` ${entity.type} ×${entity.mentions.length}` }))))
            : el('span', { class: 'muted', text: 'not extracted yet' })),
        el('section', { class: 'card muted' }, `Published ${when(article.publishedAt)}`, article.source ? ` · ${article.source}` : '',
          article.url && /^https?:\/\//i.test(article.url) ? el('div', {}, el('a', { href: article.url, rel: 'noreferrer noopener', target: '_blank', text: 'original' })) : null))));
  } catch (error) {
    show(failure(error));
  }
}

// ---------- article ----------
function highlighted(body, entities, linkEntities = true) {
  const spans = entities.flatMap((entity) => entity.mentions.map((mention) => ({ ...mention, entity })))
    .filter((span) => span.start >= 0 && span.start + span.length <= body.length)
    .sort((a, b) => a.start - b.start || b.length - a.length);
  const nodes = [];
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue; // overlapping mention: keep the first, longest
    if (span.start > at) nodes.push(body.slice(at, span.start));
    const linkable = linkEntities && ['PERSON', 'ORG', 'LOC'].includes(span.entity.type);
    const text = body.slice(span.start, span.start + span.length);
    nodes.push(el('mark', { class: 'entity', 'data-type': span.entity.type, 'data-entity': span.entity.id, title: `${span.entity.name} (${span.entity.type})` },
      linkable ? el('a', { href: `#/entity/${encodeURIComponent(span.entity.id)}`, text }) : text));
    at = span.start + span.length;
  }
  nodes.push(body.slice(at));
  return nodes;
}

async function renderArticle(id) {
  show(el('p', { class: 'muted', text: 'Loading…' }));
  try {
    const article = await api(`/api/v1/articles/${id}`);
    const [entities, topics] = await Promise.all([
      api(`/api/v1/articles/${id}/entities`).catch(() => ({ entities: [], complete: false })),
      api(`/api/v1/articles/${id}/topics`).catch(() => null),
    ]);
    const legend = el('div', { class: 'legend muted' }, 'Entities: ',
      ['PERSON', 'ORG', 'LOC', 'MONEY'].map((type) => el('mark', { class: 'entity', 'data-type': type, text: type.toLowerCase() })));
    const topicChips = topics
      ? [...topics.topics.map((topic) => el('span', { class: 'chip topic', 'data-label': topic.label }, el('b', { text: topic.label }), ` ${topic.score.toFixed(2)}`)),
         el('div', { class: 'muted', text: `model ${topics.modelVersion}; all scores: ${topics.scores.slice(0, 6).map((s) => `${s.label} ${s.score.toFixed(2)}`).join(', ')}` })]
      : [el('span', { class: 'muted', text: 'not classified yet' })];
    show(el('div', { class: 'grid' },
      el('article', { class: 'card article', dir: 'rtl', lang: article.language || 'ar', id: 'article' },
        el('h1', { dir: 'auto', text: article.title }),
        el('div', { id: 'article-body' }, highlighted(article.body ?? '', entities.entities))),
      el('aside', {},
        el('section', { class: 'card' }, el('h2', { text: 'Topics' }), el('div', { id: 'topics' }, topicChips)),
        el('section', { class: 'card' }, el('h2', { text: 'Entities' }), legend,
          el('ul', { id: 'entities' }, entities.entities.filter((e) => ['PERSON', 'ORG', 'LOC'].includes(e.type)).map((entity) =>
            el('li', {}, el('a', { href: `#/entity/${encodeURIComponent(entity.id)}`, text: entity.name }), el('span', { class: 'muted', text: ` ${entity.type} ×${entity.mentions.length}` }))))),
        el('section', { class: 'card muted' }, `Received ${when(article.receivedAt)}`, article.source ? ` · ${article.source}` : '', article.url ? el('div', {}, el('a', { href: article.url, rel: 'noreferrer noopener', target: '_blank', text: 'original' })) : null))));
  } catch (error) {
    show(failure(error));
  }
}

async function renderEntity(id) {
  try {
    const profile = await api(`/api/v1/entities/${encodeURIComponent(id)}`);
    show(el('section', { class: 'card', id: 'entity' },
      el('h1', {}, profile.name, el('span', { class: 'muted', text: ` ${profile.type}` })),
      el('p', { class: 'muted', text: `${profile.mentions} mentions in ${profile.articles} articles · first ${when(profile.firstSeen)} · last ${when(profile.lastSeen)}` }),
      el('h2', { text: 'Names seen' }), el('div', {}, profile.namesSeen.map((name) => el('span', { class: 'chip', dir: 'auto', text: `${name.text} ×${name.count}` }))),
      el('h2', { text: 'Mentioned with' }), el('ul', {}, profile.coMentioned.slice(0, 10).map((other) =>
        el('li', {}, el('a', { href: `#/entity/${encodeURIComponent(other.id)}`, text: other.name }), el('span', { class: 'muted', text: ` ${other.type}, ${other.articles} articles` })))),
      el('h2', { text: 'Topics' }), el('div', {}, profile.topics.map((topic) => el('span', { class: 'chip', text: `${topic.label} ${percent(topic.share)}` })))));
  } catch (error) {
    show(failure(error));
  }
}

// ---------- trends: trending entities and a topic timeline ----------
function timelineChart(timeline) {
  const width = 720, height = 200, pad = 28;
  const items = timeline.items;
  const max = Math.max(1, ...items.map((item) => item.articles));
  const step = (width - pad) / Math.max(1, items.length);
  const bars = items.map((item, i) => {
    const h = (item.articles / max) * (height - 2 * pad);
    return svg('rect', { class: 'bar', x: pad + i * step + 1, y: height - pad - h, width: Math.max(1, step - 2), height: h },
      svg('title', {}, `${when(item.start)}: ${item.articles} of ${item.total} (${percent(item.share)})`));
  });
  const labels = items.filter((_, i) => i % Math.ceil(items.length / 8) === 0).map((item) => {
    const i = items.indexOf(item);
    const date = new Date(item.start);
    return svg('text', { x: pad + i * step, y: height - 8 }, timeline.bucket === 'day' ? `${date.getMonth() + 1}/${date.getDate()}` : `${date.getHours()}:00`);
  });
  return svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${timeline.label} articles per ${timeline.bucket}` },
    svg('line', { x1: pad, y1: height - pad, x2: width, y2: height - pad, stroke: '#dfe3ea' }),
    svg('text', { x: 0, y: pad }, String(max)), svg('text', { x: 0, y: height - pad }, '0'), bars, labels);
}

async function renderTrends() {
  const chart = el('div', { class: 'chart', id: 'timeline' });
  const picker = el('select', { id: 'topic' });
  const bucket = el('select', { id: 'bucket' }, el('option', { value: 'hour', text: 'last 48 hours' }), el('option', { value: 'day', text: 'last 30 days' }));
  const trending = el('tbody', { id: 'trending' });
  show(el('div', { class: 'grid' },
    el('section', { class: 'card' }, el('h1', { text: 'Topic timeline' }), el('div', { class: 'row' }, picker, bucket), chart),
    el('section', { class: 'card' }, el('h1', { text: 'Trending entities (24 h)' }),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', { text: 'entity' }), el('th', { class: 'num', text: 'mentions' }), el('th', { class: 'num', text: 'score' }))), trending))));
  const draw = async () => {
    try { chart.replaceChildren(timelineChart(await api(`/api/v1/topics/${encodeURIComponent(picker.value)}/timeline?bucket=${bucket.value}`))); }
    catch (error) { chart.replaceChildren(failure(error)); }
  };
  try {
    const taxonomy = await api('/api/v1/topics');
    for (const topic of taxonomy.topics) picker.append(el('option', { value: topic.label, text: `${topic.label}${topic.kind === 'operator' ? ' (operator)' : ''}` }));
    picker.value = 'defense';
    picker.addEventListener('change', draw);
    bucket.addEventListener('change', draw);
    await draw();
    const trends = await api('/api/v1/entities/trending?window=24h');
    trending.replaceChildren(...trends.items.slice(0, 20).map((trend) => el('tr', {},
      el('td', {}, el('a', { href: `#/entity/${encodeURIComponent(trend.id)}`, text: trend.name }), el('span', { class: 'muted', text: ` ${trend.type}` })),
      el('td', { class: 'num', text: trend.mentions }), el('td', { class: 'num', text: trend.score.toFixed(1) }))));
    if (trends.items.length === 0) trending.append(el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'nothing above its baseline yet' })));
  } catch (error) {
    main.append(failure(error));
  }
}

// ---------- subscriptions ----------
function ruleError(error) {
  if (!(error instanceof ApiError) || !error.problem) return String(error);
  const problem = error.problem;
  return problem.errors?.rule ? `${problem.errors.rule[0]}${problem.rulePosition !== undefined ? ` (at character ${problem.rulePosition + 1})` : ''}` : problem.detail ?? problem.title;
}

function subscriptionForm(existing, onSaved) {
  const name = el('input', { name: 'name', value: existing?.name ?? '', required: true });
  const rule = el('textarea', { name: 'rule', dir: 'auto', required: true });
  rule.value = existing?.rule ?? '';
  const mode = el('select', { name: 'mode' }, ['immediate', 'hourly', 'daily'].map((m) => el('option', { value: m, text: m, selected: existing?.mode === m })));
  const error = el('div', { class: 'error rule-error', role: 'alert' });
  const caret = el('div', { class: 'caret' });
  const form = el('form', { class: existing ? 'edit' : 'create', id: existing ? `edit-${existing.id}` : 'create-subscription' },
    el('label', { text: 'Name' }), name,
    el('label', { text: 'Rule (words, "phrases", AND / OR / NOT, NEAR/n, entity:, topic:, type:, source:, lang: — see docs/rules.md)' }), rule, caret,
    existing ? null : [el('label', { text: 'Delivery' }), mode],
    el('div', { class: 'row' }, el('button', { class: 'primary', type: 'submit', text: existing ? 'Save' : 'Create subscription' })), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    caret.textContent = '';
    try {
      const body = { name: name.value, rule: rule.value, mode: existing ? existing.mode : mode.value };
      if (existing) await api(`/api/v1/subscriptions/${existing.id}`, { method: 'PUT', body });
      else await api('/api/v1/subscriptions', { method: 'POST', body });
      onSaved();
    } catch (failed) {
      error.textContent = ruleError(failed);
      const position = failed.problem?.rulePosition;
      if (position !== undefined) caret.textContent = `${rule.value}\n${' '.repeat(position)}^`;
    }
  });
  return form;
}

async function renderSubscriptions() {
  const list = el('tbody', { id: 'subscriptions' });
  const refresh = async () => {
    try {
      const subscriptions = await api('/api/v1/subscriptions');
      list.replaceChildren(...subscriptions.items.map((s) => {
        const row = el('tr', { 'data-subscription': s.id },
          el('td', { text: s.name }), el('td', { dir: 'auto', text: s.rule }), el('td', { text: s.mode }),
          el('td', { class: s.paused ? 'muted' : 'ok', text: s.paused ? 'paused' : 'active' }),
          el('td', { class: `status-${s.delivery.status}`, text: s.delivery.status }),
          el('td', {},
            el('button', { type: 'button', text: 'Edit', onclick: () => row.after(el('tr', {}, el('td', { colspan: 6 }, subscriptionForm(s, refresh)))) }), ' ',
            el('button', { type: 'button', text: s.paused ? 'Resume' : 'Pause', onclick: async () => { await api(`/api/v1/subscriptions/${s.id}/${s.paused ? 'resume' : 'pause'}`, { method: 'POST' }); refresh(); } }), ' ',
            el('button', { type: 'button', text: 'Delete', onclick: async () => { if (confirm(`Delete “${s.name}”?`)) { await api(`/api/v1/subscriptions/${s.id}`, { method: 'DELETE' }); refresh(); } } })));
        return row;
      }));
      if (subscriptions.items.length === 0) list.append(el('tr', {}, el('td', { colspan: 6, class: 'muted', text: 'no subscriptions yet' })));
    } catch (error) {
      list.replaceChildren(el('tr', {}, el('td', { colspan: 6 }, failure(error))));
    }
  };
  show(el('section', { class: 'card' }, el('h1', { text: 'New subscription' }), subscriptionForm(null, refresh)),
    el('section', { class: 'card' }, el('h1', { text: 'Subscriptions' }),
      el('table', {}, el('thead', {}, el('tr', {}, ['name', 'rule', 'mode', 'state', 'webhook', ''].map((h) => el('th', { text: h })))), list)));
  await refresh();
}

// ---------- operations ----------
// An operator action (replay an error queue, rebuild a projection): confirmed first, then the page is drawn again with
// the answer, or the problem, on top.
async function opsAction(question, path, describe) {
  if (!confirm(question)) return;
  let outcome;
  try {
    outcome = { ok: true, text: describe(await api(path, { method: 'POST' })) };
  } catch (error) {
    outcome = { ok: false, text: error instanceof ApiError ? `${error.status}: ${error.message}` : String(error) };
  }
  await renderOps(outcome);
}

async function renderOps(outcome) {
  try {
    const status = await api('/api/v1/ops/status');
    const subscriptions = await api('/api/v1/subscriptions');
    const failing = subscriptions.items.filter((s) => s.delivery.status === 'failing');
    const replay = (q) => opsAction(`Move the ${q.messages} message(s) of ${q.errorQueue} back to ${q.queue}? Fix their cause first: a message that fails again returns to the error queue.`,
      `/api/v1/ops/errors/${encodeURIComponent(q.errorQueue)}/replay`, (r) => `Replayed ${r.replayed} message(s) from ${r.errorQueue} to ${r.queue}.`);
    const rebuild = (service, p) => opsAction(`Rebuild ${p.name} of ${service} from its events? Its documents are deleted and written again while the service runs.`,
      `/api/v1/ops/projections/${encodeURIComponent(p.name)}/rebuild?service=${encodeURIComponent(service)}`,
      (r) => `Rebuilt ${r.projection} of ${r.service} to position ${r.position} in ${r.elapsedMs} ms.`);
    show(el('section', { class: 'card', id: 'ops' }, el('h1', { text: 'Operations' }),
      outcome ? el('p', { id: 'ops-result', role: outcome.ok ? 'status' : 'alert', class: outcome.ok ? 'ok' : 'error', text: outcome.text }) : null,
      el('h2', { text: 'Queues' }),
      status.queues
        ? el('table', { id: 'queues' }, el('thead', {}, el('tr', {}, el('th', { text: 'queue' }), el('th', { class: 'num', text: 'ready' }), el('th', { class: 'num', text: 'unacked' }), el('th', { class: 'num', text: 'consumers' }))),
          el('tbody', {}, status.queues.map((q) => el('tr', { class: q.error ? 'bad' : '' }, el('td', { text: q.name }), el('td', { class: 'num', text: q.ready }), el('td', { class: 'num', text: q.unacknowledged }), el('td', { class: 'num', text: q.consumers })))))
        : el('p', { class: 'error', text: status.queuesError ?? 'queue depths unavailable' }),
      el('p', { id: 'error-queues', class: status.errorMessages > 0 ? 'bad' : 'ok', text: `${status.errorMessages ?? '?'} messages in error queues` }),
      status.errorQueues && status.errorQueues.length > 0
        ? el('table', { id: 'error-queue-table' }, el('thead', {}, el('tr', {}, el('th', { text: 'error queue' }), el('th', { text: 'back to' }), el('th', { class: 'num', text: 'messages' }), el('th', { text: '' }))),
          el('tbody', {}, status.errorQueues.map((q) => el('tr', { class: q.messages > 0 ? 'bad' : '' }, el('td', { text: q.errorQueue }), el('td', { text: q.queue }), el('td', { class: 'num', text: q.messages }),
            el('td', {}, el('button', { type: 'button', text: 'Replay', disabled: q.messages === 0, 'data-queue': q.errorQueue, onclick: () => replay(q) }))))))
        : null,
      el('h2', { text: 'Projections (events behind the store head)' }),
      el('table', { id: 'projections' }, el('thead', {}, el('tr', {}, el('th', { text: 'service' }), el('th', { text: 'projection' }), el('th', { class: 'num', text: 'position' }), el('th', { class: 'num', text: 'lag' }), el('th', { text: '' }))),
        el('tbody', {}, status.services.flatMap((service) => service.projections
          ? service.projections.map((p) => el('tr', { class: p.lag > 0 ? 'bad' : '' }, el('td', { text: service.name }), el('td', { text: p.name }), el('td', { class: 'num', text: p.position }), el('td', { class: 'num', text: p.lag }),
            el('td', {}, el('button', { type: 'button', text: 'Rebuild', 'data-projection': p.name, onclick: () => rebuild(service.name, p) }))))
          : [el('tr', {}, el('td', { text: service.name }), el('td', { colspan: 4, class: 'bad', text: service.error ?? 'unreachable' }))]))),
      el('h2', { text: 'Failing webhooks' }),
      failing.length === 0 ? el('p', { class: 'ok', text: 'none' })
        : el('ul', { id: 'failing-webhooks' }, failing.map((s) => el('li', { class: 'bad', text: `${s.name} (${s.tenant}): ${s.delivery.failedDeliveries} failed — ${s.delivery.lastError ?? ''}` })))));
  } catch (error) {
    show(failure(error));
  }
}

// ---------- routing ----------
async function route() {
  // A link may carry the key in the fragment (/#key=…); fragments never reach the server. Take it and drop it from the address bar.
  if (location.hash.startsWith('#key=')) {
    const key = decodeURIComponent(location.hash.slice(5));
    history.replaceState(null, '', location.pathname + '#/feed');
    const outcome = await signIn(key);
    if (outcome !== true) { renderSignIn('The key in the link is not valid.'); return; }
  }
  if (!state.key) { renderSignIn(); return; }
  if (!state.me) {
    const outcome = await signIn(state.key);
    if (outcome !== true) { renderSignIn('Sign in again.'); return; }
  }
  const [, requested, argument] = location.hash.split('/');
  // Integrators have no alerts: their start page is the trends.
  const page = requested || (state.me?.role === 'integrator' ? 'trends' : 'feed');
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  document.getElementById('who').textContent = `${state.me.name} · ${state.me.role}${state.me.role === 'operator' ? '' : ' · ' + state.me.tenant}`;
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.dataset.page === page);
    // Pages a role's key cannot read (api.md) are not offered.
    link.hidden = !link.dataset.roles.split(' ').includes(state.me.role);
  }
  if (page !== 'feed') stopStream();
  switch (page) {
    case 'article': return renderArticle(argument);
    case 'alert': return renderAlertArticle(decodeURIComponent(argument));
    case 'entity': return renderEntity(decodeURIComponent(argument));
    case 'trends': return renderTrends();
    case 'subscriptions': return renderSubscriptions();
    case 'ops': return renderOps();
    case 'sources': return renderSources({ el, api, show, when, ApiError, isCurrent: (node) => main.contains(node) });
    case 'signin': return renderSignIn();
    default: return renderFeed();
  }
}

document.getElementById('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', route);
route();
