/** The `/ops` page: no framework, no CDN; the script is served beside it (the CSP allows 'self'). */
export const opsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Outband ops</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #1d2430; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(420px, 100%), 1fr)); gap: 1rem; }
  .card { border: 1px solid #d5dae3; border-radius: 6px; padding: .8rem; min-width: 0; overflow: hidden; }
  svg { width: 100%; height: 180px; }
  /* A legend wraps inside its card; a long queue name ends in an ellipsis (its title has it whole). */
  .legend { display: flex; flex-wrap: wrap; gap: .2rem .8rem; }
  .legend span { max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .card table { display: block; max-width: 100%; overflow-x: auto; }
  table { border-collapse: collapse; } td, th { padding: .2rem .6rem; text-align: left; }
  .up { color: #137333; font-weight: 600; } .down { color: #c5221f; font-weight: 600; }
  #status { color: #5f6b7a; }
</style>
</head>
<body>
<h1>Outband ops <small id="status">connecting…</small></h1>
<div class="grid">
  <div class="card"><h2>Queue depth (ready messages)</h2><svg id="queues"></svg><div class="legend" id="queues-legend"></div></div>
  <div class="card"><h2>Throughput (per second)</h2><svg id="rates"></svg><div class="legend" id="rates-legend"></div></div>
  <div class="card"><h2>SMPP binds</h2><table id="binds"><thead><tr><th>SMSC</th><th>binds up</th><th>in flight</th></tr></thead><tbody></tbody></table></div>
  <div class="card"><h2>Dead letters and consumers</h2><table id="dead"><thead><tr><th>queue</th><th>dead letters</th><th>consumers</th></tr></thead><tbody></tbody></table></div>
</div>
<script src="/ops/app.js"></script>
</body>
</html>`;

export const opsScript = `'use strict';
const colors = ['#1a73e8', '#e37400', '#188038', '#d93025', '#9334e6', '#12b5cb', '#f538a0', '#5f6368'];
const history = new Map(); // chart -> series -> [{t, v}]
let last; // the previous poll's counters, for rates

function keep(chart, name, t, v) {
  const series = history.get(chart) ?? new Map();
  history.set(chart, series);
  const points = series.get(name) ?? [];
  points.push({ t, v });
  series.set(name, points.slice(-120));
}

function sum(series, name, match = () => true) {
  return series.filter((s) => s.name === name && match(s.labels)).reduce((a, s) => a + s.value, 0);
}

function draw(chart) {
  const svg = document.getElementById(chart);
  const legend = document.getElementById(chart + '-legend');
  const series = [...(history.get(chart) ?? new Map()).entries()];
  const all = series.flatMap(([, p]) => p);
  if (all.length === 0) return;
  const t0 = Math.min(...all.map((p) => p.t)), t1 = Math.max(...all.map((p) => p.t), t0 + 1);
  const vMax = Math.max(1, ...all.map((p) => p.v));
  const w = 400, h = 170;
  svg.setAttribute('viewBox', '0 0 ' + w + ' ' + (h + 10));
  const scale = svgElement('text', { x: '0', y: '10', 'font-size': '10', fill: '#5f6b7a' });
  scale.textContent = vMax.toFixed(vMax < 10 ? 1 : 0);
  svg.replaceChildren(scale, ...series.map(([, points], i) => svgElement('polyline', {
    fill: 'none', 'stroke-width': '1.5', stroke: colors[i % colors.length],
    points: points.map((p) => ((p.t - t0) / (t1 - t0) * w).toFixed(1) + ',' + (h - p.v / vMax * (h - 15) + 5).toFixed(1)).join(' '),
  })));
  legend.replaceChildren(...series.map(([name, points], i) => {
    const span = document.createElement('span');
    span.style.color = colors[i % colors.length];
    span.textContent = '■ ' + name + ' ' + points[points.length - 1].v.toFixed(1);
    span.title = name;
    return span;
  }));
}

// Label values come from other services' /metrics: they are written as text, never parsed as HTML.
function svgElement(tag, attributes) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

// A cell is a value, or { text, className } for a coloured figure.
function rows(id, list) {
  document.querySelector('#' + id + ' tbody').replaceChildren(...list.map((cells) => {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (typeof cell === 'object') {
        const span = document.createElement('span');
        span.className = cell.className;
        span.textContent = String(cell.text);
        td.append(span);
      } else {
        td.textContent = String(cell);
      }
      tr.append(td);
    }
    return tr;
  }));
}

async function poll() {
  try {
    const res = await fetch('/ops/data', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const data = await res.json();
    const t = Date.parse(data.at) / 1000;
    const s = data.series;
    for (const q of s.filter((x) => x.name === 'outband_queue_messages_ready' && !x.labels.queue.endsWith('.retry'))) {
      keep('queues', q.labels.queue, t, q.value);
    }
    const counters = {
      'verifications started': sum(s, 'outband_verifications_started_total'),
      'submits accepted': sum(s, 'outband_submits_total', (l) => l.status === 'ok'),
      'receipts delivered': sum(s, 'outband_receipts_total', (l) => l.state === 'delivered'),
      'fraud blocks': sum(s, 'outband_send_refusals_total'),
      'SIM swaps and ports seen': sum(s, 'outband_number_checks_total', (l) => l.signal === 'swapped' || l.signal === 'ported'),
      'codes refused for a swap or port': sum(s, 'outband_number_checks_total', (l) => l.action === 'refused' || l.action === 'reverse_required'),
      'network API failures': sum(s, 'outband_network_api_duration_seconds_count', (l) => ['timeout', 'error', 'paused'].includes(l.outcome)),
    };
    if (last) {
      for (const [name, v] of Object.entries(counters)) keep('rates', name, t, Math.max(0, (v - last.counters[name]) / Math.max(1, t - last.t)));
    }
    last = { t, counters };
    const smscs = [...new Set(s.filter((x) => x.name === 'outband_smpp_binds_up').map((x) => x.labels.smsc))];
    rows('binds', smscs.map((smsc) => {
      const up = sum(s, 'outband_smpp_binds_up', (l) => l.smsc === smsc);
      return [smsc, { text: up, className: up > 0 ? 'up' : 'down' }, sum(s, 'outband_smpp_window_in_flight', (l) => l.smsc === smsc)];
    }));
    const work = s.filter((x) => x.name === 'outband_queue_consumers' && !/\\.(dead|retry)$/.test(x.labels.queue));
    rows('dead', work.map((c) => {
      const dead = sum(s, 'outband_queue_messages_ready', (l) => l.queue === c.labels.queue + '.dead');
      return [c.labels.queue, { text: dead, className: dead > 0 ? 'down' : 'up' }, c.value];
    }));
    draw('queues');
    draw('rates');
    document.getElementById('status').textContent = 'updated ' + new Date().toLocaleTimeString() + ' from ' + data.sources + ' services';
  } catch (e) {
    document.getElementById('status').textContent = 'no data: ' + e.message;
  }
}
poll();
setInterval(poll, 5000);
`;
