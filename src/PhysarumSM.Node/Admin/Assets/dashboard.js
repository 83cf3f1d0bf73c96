// PhysarumSM dashboard: polls the node's admin API every 2 s and redraws the tables in place (no reload, no framework).
// Text from the mesh (host names, event messages) is only ever set as textContent, never parsed as HTML.
'use strict';

const PollMs = 2000;
const MaxEvents = 100;
const state = { services: [], rtt: null, events: [], lastEvent: 0, drawn: {} };

const $ = id => document.getElementById(id);

/** Creates an element; attrs become attributes (class, data-*, scope...), children are nodes or text. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const short = id => (id && id.length > 12 ? '…' + id.slice(-8) : id || '');
const num = (v, digits) => Number(v).toLocaleString(undefined, { maximumFractionDigits: digits ?? 1 });

function time(iso) {
  if (!iso) return 'never';
  const at = new Date(iso);
  return at.toDateString() === new Date().toDateString() ? at.toLocaleTimeString() : at.toLocaleString();
}

function duration(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  const pad = v => String(v).padStart(2, '0');
  return (d ? `${d}d ` : '') + `${pad(h)}h ${pad(m)}m ${pad(s % 60)}s`;
}

/** Replaces a tbody's rows, or shows one explanatory row when there are none. */
function fill(bodyId, rows, columns, emptyText) {
  $(bodyId).replaceChildren(...(rows.length ? rows : [el('tr', { class: 'empty' }, el('td', { colspan: columns }, emptyText))]));
}

function drawNodes(view) {
  fill('nodes-body', view.nodes.map(n => el('tr', { 'data-node': n.peerId, 'data-stale': n.stale },
    el('th', { scope: 'row' }, n.hostName || '(unnamed)', n.self ? el('span', { class: 'hint' }, ' (this node)') : null),
    el('td', { class: 'mono' }, n.peerId),
    el('td', {}, n.roles.map(r => el('span', { class: 'badge' }, r))),
    el('td', { class: 'mono' }, n.addresses.map(a => el('div', {}, a))),
    el('td', {}, n.capacity
      ? `${num(n.capacity.cpuReserved, 2)} / ${num(n.capacity.cpuCores, 2)} cores, ${num(n.capacity.memoryReservedMiB, 0)} / ${num(n.capacity.memoryMiB, 0)} MiB, ${n.capacity.instances} / ${n.capacity.maxInstances} instances`
      : 'no allocator'),
    el('td', { class: 'num' }, duration(n.uptimeSeconds)),
    el('td', {}, n.stale ? 'stale (not heard from)' : 'live'),
    el('td', {},
      n.gatewayUrl ? el('div', {}, el('a', { href: n.gatewayUrl }, 'gateway')) : null,
      n.adminUrl ? el('div', {}, el('a', { href: n.adminUrl }, 'dashboard')) : null))), 8, 'No nodes yet.');
}

function drawServices(view) {
  fill('services-body', view.services.map(s => el('tr', { 'data-service': s.name },
    el('th', { scope: 'row' }, s.name),
    el('td', { class: 'mono', title: s.contentHash }, s.image),
    el('td', { class: 'num' }, s.softRttMs ? `${s.softRttMs} ms` : 'none'),
    el('td', { class: 'num' }, s.hardRttMs ? `${s.hardRttMs} ms` : 'none'),
    el('td', { class: 'num' }, s.cpuReq ? `${num(s.cpuReq, 2)} cores` : 'no limit'),
    el('td', { class: 'num' }, s.memoryReq ? `${s.memoryReq} MiB` : 'no limit'),
    el('td', { class: 'num' }, s.version),
    el('td', {}, time(s.updatedAt)),
    el('td', {}, actionButton('Delete', `Delete service ${s.name}`, 'DELETE', `api/services/${encodeURIComponent(s.name)}`)))), 9, 'No services registered.');
}

function drawInstances(view) {
  fill('instances-body', view.instances.map(i => el('tr', { 'data-instance': i.instanceId || null, 'data-container': i.containerId, 'data-service': i.service, 'data-state': i.state },
    el('th', { scope: 'row' }, i.service),
    el('td', { class: 'mono' }, i.instanceId || '(warm pool)'),
    el('td', { title: i.node }, i.nodeHostName || short(i.node), ' ', el('span', { class: 'mono' }, short(i.node))),
    el('td', { class: 'mono', title: i.containerId }, i.containerId.slice(0, 12)),
    el('td', {}, i.state),
    el('td', {}, time(i.since)),
    el('td', {}, time(i.lastRequestAt)),
    el('td', { class: 'num' }, i.requests),
    el('td', {}, i.state === 'running' && i.instanceId
      ? actionButton('Cull', `Cull instance ${i.instanceId}`, 'POST', `api/instances/cull?id=${encodeURIComponent(i.instanceId)}`)
      : null))), 9, 'No instances: a request through a gateway starts one.');
}

/** The requirement the heatmap is coloured against: the chosen service's, or the strictest soft and hard of all. */
function requirement() {
  const chosen = $('rtt-requirement').value;
  const service = state.services.find(s => s.name === chosen);
  if (service) return { soft: service.softRttMs, hard: service.hardRttMs };
  const min = values => (values.length ? Math.min(...values) : 0);
  const soft = min(state.services.map(s => s.softRttMs).filter(v => v > 0));
  const hard = min(state.services.map(s => s.hardRttMs).filter(v => v > 0));
  return { soft: hard && soft > hard ? hard : soft, hard };
}

function level(ms, req) {
  if (ms === null || ms === undefined) return 'none';
  if (!req.soft && !req.hard) return 'unrated';
  if (req.hard && ms > req.hard) return 'bad';
  if (req.soft && ms > req.soft) return 'warn';
  return 'ok';
}

const Marks = { ok: '✓', warn: '!', bad: '✗', none: '–', unrated: '·' };

function legendEntries(req) {
  const entries = [];
  if (!req.soft && !req.hard) entries.push(['unrated', 'measured; no service sets an RTT requirement']);
  if (req.soft) entries.push(['ok', `within the soft requirement (≤ ${req.soft} ms)`]);
  else if (req.hard) entries.push(['ok', `within the hard requirement (≤ ${req.hard} ms)`]);
  if (req.soft && req.hard) entries.push(['warn', `above soft, within hard (${req.soft}–${req.hard} ms)`]);
  else if (req.soft) entries.push(['warn', `above the soft requirement (> ${req.soft} ms)`]);
  if (req.hard) entries.push(['bad', `above the hard requirement (> ${req.hard} ms): never routed`]);
  entries.push(['none', 'not measured']);
  return entries;
}

function drawServiceChoices() {
  const select = $('rtt-requirement');
  const chosen = select.value;
  const names = state.services.map(s => s.name);
  const key = names.join('\n');
  if (state.drawn.choices === key) return;
  state.drawn.choices = key;
  select.replaceChildren(el('option', { value: '' }, 'the strictest requirements of all services'),
    ...state.services.map(s => el('option', { value: s.name }, `service ${s.name} (soft ${s.softRttMs || 'none'}, hard ${s.hardRttMs || 'none'} ms)`)));
  select.value = names.includes(chosen) ? chosen : '';
}

function drawRtt() {
  const view = state.rtt;
  if (!view) return;
  const req = requirement();
  $('rtt-legend').replaceChildren(...legendEntries(req).map(([lvl, text]) =>
    el('li', { class: `level-${lvl}`, 'data-legend-level': lvl }, el('span', { 'aria-hidden': 'true' }, Marks[lvl] + ' '), text)));
  $('rtt-head').replaceChildren(el('th', { scope: 'col' }, 'from ╲ to'),
    ...view.nodes.map(n => el('th', { scope: 'col', title: n.peerId, 'data-column': n.peerId }, n.hostName || short(n.peerId), el('div', { class: 'mono' }, short(n.peerId)))));
  fill('rtt-body', view.nodes.map((from, r) => el('tr', { 'data-row': from.peerId },
    el('th', { scope: 'row', title: from.peerId }, from.hostName || short(from.peerId), el('div', { class: 'mono' }, short(from.peerId))),
    ...view.nodes.map((to, c) => {
      const cell = view.cells[r][c];
      const lvl = level(cell ? cell.ewmaMs : null, req);
      return el('td', {
        class: `level-${lvl}`, 'data-from': from.peerId, 'data-to': to.peerId, 'data-level': lvl,
        title: cell ? `EWMA ${num(cell.ewmaMs, 3)} ms, last ${num(cell.lastMs, 3)} ms, ${cell.samples} pings` : 'not measured',
      }, cell ? `${num(cell.ewmaMs, 2)} ms ` : '', el('span', { 'aria-hidden': 'true' }, Marks[lvl]), el('span', { class: 'sr-only' }, ` ${lvl}`));
    }))), view.nodes.length + 1, 'No nodes yet.');
}

function drawEvents(page) {
  if (page.last < state.lastEvent) state.events = [];   // the log restarted (its silo went away): start over
  if (page.missed) state.events.push({ sequence: 0, at: null, kind: 'Missed', service: '', message: 'older events were dropped from the log' });
  state.events.push(...page.events);
  state.events = state.events.slice(-MaxEvents);
  state.lastEvent = page.last;
  fill('events-body', [...state.events].reverse().map(e => el('tr', { 'data-event': e.sequence, 'data-kind': e.kind, 'data-service': e.service },
    el('td', { class: 'num' }, e.sequence || ''),
    el('td', {}, e.at ? time(e.at) : ''),
    el('th', { scope: 'row' }, e.kind),
    el('td', {}, e.service),
    el('td', { class: 'mono' }, e.instanceId || ''),
    el('td', {}, e.message))), 6, 'No events yet.');
}

function actionButton(text, label, method, url) {
  const button = el('button', { type: 'button', class: 'danger', 'aria-label': label }, text);
  button.addEventListener('click', () => act(method, url, label));
  return button;
}

async function act(method, url, what) {
  if (method === 'DELETE' && !window.confirm(`${what}?`)) return;
  const token = $('admin-token').value.trim();
  const result = $('action-result');
  try {
    const response = await fetch(url, { method, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    const body = await response.json().catch(() => ({}));
    result.textContent = response.ok ? `${what}: done.` : `${what}: refused (${response.status}) — ${body.error || response.statusText}`;
  } catch (error) {
    result.textContent = `${what}: failed — ${error.message}`;
  }
  refresh();
}

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${url}: HTTP ${response.status}`);
  return body;
}

let timer = 0;
let running = false;
let again = false;

/** One poll of every API route; overlapping calls (an action's refresh during a poll) collapse into one more poll. */
async function refresh() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  clearTimeout(timer);
  try {
    await poll();
  } finally {
    running = false;
    if (again) {
      again = false;
      refresh();
    } else {
      timer = setTimeout(refresh, PollMs);
    }
  }
}

async function poll() {
  const results = await Promise.allSettled([
    getJson('api/nodes'), getJson('api/services'), getJson('api/instances'), getJson('api/rtt'), getJson(`api/events?after=${state.lastEvent}`),
  ]);
  const [nodes, services, instances, rtt, events] = results;
  if (nodes.status === 'fulfilled') drawNodes(nodes.value);
  else fill('nodes-body', [], 8, `Unavailable: ${nodes.reason.message}`);
  if (services.status === 'fulfilled') {
    state.services = services.value.services;
    drawServices(services.value);
    drawServiceChoices();
  } else {
    fill('services-body', [], 9, `Unavailable: ${services.reason.message}`);
  }
  if (instances.status === 'fulfilled') drawInstances(instances.value);
  else fill('instances-body', [], 9, `Unavailable: ${instances.reason.message}`);
  if (rtt.status === 'fulfilled') state.rtt = rtt.value;
  drawRtt();
  if (events.status === 'fulfilled') drawEvents(events.value);

  // The live region changes only when the state does, so screen readers are not told every 2 s.
  const failed = results.filter(r => r.status === 'rejected').map(r => r.reason.message);
  const text = failed.length ? `Some data is unavailable: ${failed.join('; ')}` : `Live: updating every ${PollMs / 1000} s.`;
  const status = $('status');
  status.classList.toggle('error', failed.length > 0);
  if (status.textContent !== text) status.textContent = text;
  $('updated').textContent = `Last update ${new Date().toLocaleTimeString()}`;
}

document.addEventListener('DOMContentLoaded', () => {
  const token = $('admin-token');
  token.value = sessionStorage.getItem('physarum-admin-token') || '';
  token.addEventListener('input', () => sessionStorage.setItem('physarum-admin-token', token.value));
  $('admin-form').addEventListener('submit', event => event.preventDefault());   // Enter in the field must not reload the page
  $('rtt-requirement').addEventListener('change', drawRtt);
  refresh();
});
