// The Sources page (operators): every feed or sitemap the system polls, with its health and counts; add a source,
// pause, resume, poll now. API: docs/api.md, "Sources". Text from the API goes in with textContent only (through el()).

const STATUSES = ['active', 'paused', 'failing', 'disabled'];

// The problem+json of a failed call as one line: the field errors when there are any, else the detail.
function problemText(error, ApiError) {
  if (!(error instanceof ApiError)) return String(error);
  const problem = error.problem;
  const fields = problem?.errors ? Object.entries(problem.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`) : [];
  return `${error.status}: ${fields.length > 0 ? fields.join('; ') : problem?.detail ?? problem?.title ?? error.message}`;
}

const count = (n) => (typeof n === 'number' ? n.toLocaleString() : '–');

/**
 * Renders the page into main. `ui` carries the dashboard's helpers: el, api, show, when, ApiError, isCurrent (whether
 * the page is still the one shown, so the refresh timer stops when the operator leaves).
 */
export async function renderSources(ui) {
  const { el, api, show, when, ApiError } = ui;
  const message = el('div', { class: 'error', id: 'sources-error', role: 'alert' });
  const list = el('tbody', { id: 'sources' });
  const updated = el('span', { class: 'muted', id: 'sources-updated' });

  const url = el('input', { id: 'source-url', name: 'url', type: 'url', required: true, placeholder: 'https://example.com/feed.xml', dir: 'ltr' });
  const name = el('input', { id: 'source-name', name: 'name', placeholder: 'the feed\'s host when empty', dir: 'auto' });
  const interval = el('input', { id: 'source-interval', name: 'intervalSeconds', type: 'number', min: 60, step: 60, placeholder: '600' });
  const kind = el('select', { id: 'source-kind', name: 'kind' }, ['auto', 'rss', 'atom', 'sitemap'].map((k) => el('option', { value: k, text: k })));
  const formError = el('div', { class: 'error', id: 'source-form-error', role: 'alert' });
  const form = el('form', { id: 'add-source' },
    el('label', { for: 'source-url', text: 'Feed or sitemap URL' }), url,
    el('div', { class: 'grid3' },
      el('div', {}, el('label', { for: 'source-name', text: 'Name' }), name),
      el('div', {}, el('label', { for: 'source-interval', text: 'Interval (seconds, at least 60)' }), interval),
      el('div', {}, el('label', { for: 'source-kind', text: 'Kind' }), kind)),
    el('div', { class: 'row' }, el('button', { class: 'primary', type: 'submit', text: 'Add source' })), formError);

  const act = async (what, source, path) => {
    message.textContent = '';
    try {
      await api(`/api/v1/sources/${source.id}/${path}`, { method: 'POST' });
    } catch (error) {
      message.textContent = `${what} “${source.name}”: ${problemText(error, ApiError)}`;
    }
    await refresh();
  };

  const row = (s) => {
    const paused = s.status === 'paused' || s.status === 'disabled';
    return el('tr', { 'data-source': s.id, 'data-status': s.status },
      el('td', {}, el('div', { class: 'source-name', dir: 'auto', text: s.name }), el('div', { class: 'muted url', dir: 'ltr', text: s.url })),
      el('td', { class: `status status-${STATUSES.includes(s.status) ? s.status : 'unknown'}`, text: s.status + (s.polling ? ' · polling' : '') }),
      el('td', { class: 'when last-success', text: when(s.lastSuccessAt) }),
      el('td', { class: 'last-error', dir: 'auto' },
        s.lastError ? el('span', { class: 'bad', text: s.lastError }) : el('span', { class: 'muted', text: 'none' }),
        s.consecutiveFailures > 0 ? el('div', { class: 'muted', text: `${s.consecutiveFailures} failed in a row` }) : null),
      el('td', { class: 'num items-seen', text: count(s.itemsSeen) }),
      el('td', { class: 'num accepted', text: count(s.articlesAccepted) }),
      el('td', { class: 'num duplicates', text: count(s.duplicates) }),
      el('td', { class: 'num not-modified', text: count(s.notModified) }),
      el('td', { class: 'when next-poll', text: paused ? '–' : when(s.nextPollAt) }),
      el('td', { class: 'actions' },
        el('button', { type: 'button', class: paused ? 'resume' : 'pause', text: paused ? 'Resume' : 'Pause', onclick: () => act(paused ? 'Resume' : 'Pause', s, paused ? 'resume' : 'pause') }), ' ',
        el('button', { type: 'button', class: 'poll', text: 'Poll now', disabled: paused, onclick: () => act('Poll', s, 'poll') })));
  };

  const refresh = async () => {
    try {
      const sources = await api('/api/v1/sources');
      list.replaceChildren(...sources.items.map(row));
      if (sources.items.length === 0) list.append(el('tr', {}, el('td', { colspan: 10, class: 'muted', text: 'no sources yet: add a feed above' })));
      updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      list.replaceChildren(el('tr', {}, el('td', { colspan: 10, class: 'error', role: 'alert', text: problemText(error, ApiError) })));
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    const body = { url: url.value.trim(), kind: kind.value };
    if (name.value.trim()) body.name = name.value.trim();
    if (interval.value) body.intervalSeconds = Number(interval.value);
    try {
      await api('/api/v1/sources', { method: 'POST', body });
      form.reset();
    } catch (error) {
      formError.textContent = problemText(error, ApiError);
    }
    await refresh();
  });

  show(
    el('section', { class: 'card' }, el('h1', { text: 'Add a source' }), form),
    el('section', { class: 'card', id: 'sources-page' },
      el('div', { class: 'row' }, el('h1', { text: 'Sources' }), updated,
        el('button', { type: 'button', id: 'sources-refresh', text: 'Refresh', onclick: () => refresh() })),
      message,
      el('table', {}, el('thead', {}, el('tr', {},
        ['source', 'status', 'last success', 'last error'].map((h) => el('th', { text: h })),
        ['items seen', 'accepted', 'duplicates', 'not modified'].map((h) => el('th', { class: 'num', text: h })),
        el('th', { text: 'next poll' }), el('th', { text: '' }))), list)));
  await refresh();
  // Polls change the counts in the background: refresh while the page is shown.
  const timer = setInterval(() => { if (ui.isCurrent(list)) refresh(); else clearInterval(timer); }, 10000);
}
