// Dashboard: load per process and in total (polled, no reload), and 30 days of DAU, registrations, logins.
import uPlot from 'uplot';
import { html, useEffect, useRef } from '../lib/html.js';
import { ErrorNote, useInterval, useLoad } from '../lib/ui.js';
import { ago, dateTime, number } from '../lib/format.js';
import { api } from './session.js';

const REFRESH_MS = 2000;

function Totals({ totals }) {
  const items = [['processes', 'processes'], ['ccu', 'CCU (room connections)'], ['rooms', 'rooms'], ['sse', 'SSE streams'], ['pushQueue', 'push queue']];
  return html`<div class="stats" data-testid="totals">
    ${items.map(([key, label]) => html`<div class="stat" data-key=${key}><div class="value">${totals ? number(totals[key]) : '…'}</div><div class="name">${label}</div></div>`)}
  </div>`;
}

function Processes({ servers }) {
  return html`<div class="table-wrap"><table data-testid="processes">
    <thead><tr><th>Process</th><th>Address</th><th>PID</th><th>Started</th><th>Heartbeat</th><th>CCU</th><th>Rooms</th><th>SSE</th><th>Push queue</th></tr></thead>
    <tbody>${servers.map((s) => html`<tr key=${s.id}>
      <td class="mono">${s.id}</td><td class="mono">${s.address}</td><td>${s.pid}</td><td>${dateTime(s.startedAt)}</td><td>${ago(s.heartbeatAt)}</td>
      <td>${number(s.ccu)}</td><td>${number(s.rooms)}</td><td>${number(s.sse)}</td><td>${number(s.pushQueue)}</td>
    </tr>`)}</tbody>
  </table></div>`;
}

/** The local midnight of a `YYYY-MM-DD` day, in seconds (uPlot's time scale). */
function dayStart(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y, m - 1, d).getTime() / 1000;
}

function Chart({ days }) {
  const box = useRef();
  useEffect(() => {
    const el = box.current;
    if (!el || !days?.length) return undefined;
    const css = getComputedStyle(document.documentElement);
    const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    const data = [days.map((d) => dayStart(d.date)), days.map((d) => d.dau), days.map((d) => d.registrations), days.map((d) => d.logins)];
    const axis = { stroke: color('--muted', '#667085'), grid: { stroke: color('--line', '#dfe3ec') }, ticks: { stroke: color('--line', '#dfe3ec') } };
    const plot = new uPlot({
      width: el.clientWidth, height: 260,
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 44 }],
      series: [
        { label: 'Day', value: (_u, v) => (v == null ? '' : new Date(v * 1000).toLocaleDateString()) },
        { label: 'DAU', stroke: color('--accent', '#3b5bdb'), width: 2, points: { show: true } },
        { label: 'Registrations', stroke: '#2b8a3e', width: 2, points: { show: true } },
        { label: 'Logins', stroke: '#e8590c', width: 2, points: { show: true } },
      ],
    }, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 260 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days]);
  return html`<div class="chart" ref=${box} data-testid="chart"></div>`;
}

export function Dashboard() {
  const servers = useLoad(() => api('GET', '/admin/servers'));
  const stats = useLoad(() => api('GET', '/admin/stats'));
  const maintenance = useLoad(() => api('GET', '/admin/maintenance'));
  useInterval(servers.reload, REFRESH_MS);
  useInterval(stats.reload, 60_000);
  const days = stats.data?.days;
  const today = days?.[days.length - 1];
  return html`<div class="stack">
    <div class="row between"><h1>Dashboard</h1><span class="row">
      ${maintenance.data?.enabled ? html`<a class="badge danger" href="#/settings">maintenance on</a>` : null}
      <span class="muted" data-testid="refreshed">${servers.data ? `live · every ${REFRESH_MS / 1000} s` : ''}</span></span></div>
    <${Totals} totals=${servers.data?.totals} />
    <${ErrorNote} error=${servers.error} />
    <section class="card stack">
      <h2>Processes</h2>
      <${Processes} servers=${servers.data?.servers ?? []} />
    </section>
    <section class="card stack">
      <div class="row between"><h2>Last 30 days</h2>
        ${today ? html`<span class="muted" data-testid="stats-today">Today: ${today.dau} DAU · ${today.registrations} registrations · ${today.logins} logins</span>` : null}</div>
      <${Chart} days=${days} />
      <${ErrorNote} error=${stats.error} />
    </section>
  </div>`;
}
