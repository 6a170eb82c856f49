/**
 * `GET /phone`: the simulated handsets. Each address that received something is a phone showing
 * its texts as the user would read them (sender, text, time), newest at the bottom; a reply box
 * texts back through the SMSC (a mobile-originated message: the reverse channel). The page polls
 * `GET /inbox` and `GET /inbox/:address`; `?address=+33…` opens one phone even before its first text.
 * With the operator's simulated network APIs (`networkUrl`), each phone can have its SIM swapped,
 * as a fraudster would have it done, to see what a merchant's SIM-swap policy does.
 */
export function phonePage(networkUrl?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simulated phones</title>
<style>
  body { font-family: system-ui, sans-serif; background: #e9ecef; margin: 0; padding: 16px; }
  h1 { font-size: 18px; margin: 0 0 12px; }
  #phones { display: flex; flex-wrap: wrap; gap: 20px; }
  .phone { width: 300px; background: #111; border-radius: 28px; padding: 14px 10px 18px; box-shadow: 0 4px 14px #0004; }
  .screen { background: #fff; border-radius: 18px; height: 460px; display: flex; flex-direction: column; overflow: hidden; }
  .bar { background: #f1f3f5; padding: 8px 12px; font-size: 13px; font-weight: 600; border-bottom: 1px solid #dee2e6; }
  .messages { flex: 1; overflow-y: auto; padding: 10px; display: flex; flex-direction: column; gap: 8px; }
  .sms { background: #e9ecef; border-radius: 14px 14px 14px 4px; padding: 8px 10px; font-size: 14px; white-space: pre-wrap; word-break: break-word; }
  .sms.sent { background: #0b7dda; color: #fff; border-radius: 14px 14px 4px 14px; align-self: flex-end; }
  .meta { font-size: 11px; color: #868e96; margin-top: 3px; }
  .sms.sent .meta { color: #d0ebff; }
  form { display: flex; gap: 4px; padding: 8px; border-top: 1px solid #dee2e6; }
  form input { min-width: 0; font-size: 13px; padding: 5px; border: 1px solid #ced4da; border-radius: 6px; }
  form input[name=to] { width: 70px; }
  form input[name=text] { flex: 1; }
  form button { font-size: 13px; border: 0; background: #0b7dda; color: #fff; border-radius: 6px; padding: 5px 8px; }
  .empty { color: #868e96; font-size: 13px; text-align: center; margin-top: 40px; }
  .bar { display: flex; justify-content: space-between; align-items: center; }
  .bar button { font-size: 11px; border: 1px solid #adb5bd; background: #fff; border-radius: 6px; padding: 2px 6px; cursor: pointer; }
  .bar .swapped { font-size: 11px; color: #c92a2a; font-weight: normal; }
</style>
</head>
<body>
<h1>Simulated phones <small style="font-weight:normal;color:#868e96">(what each handset received from the SMSC)</small></h1>
<div id="phones"><p class="empty">No phone has received a text yet.</p></div>
<script>
const wanted = new URLSearchParams(location.search).getAll('address');
const networkUrl = ${JSON.stringify(networkUrl ?? null)};
const sent = {}; // texts typed on each phone, shown as sent bubbles
const phones = {};

function phoneFor(address) {
  if (phones[address]) return phones[address];
  const el = document.createElement('div');
  el.className = 'phone';
  el.dataset.address = address;
  el.innerHTML = '<div class="screen"><div class="bar"></div><div class="messages"></div>' +
    '<form><input name="to" placeholder="to" aria-label="to"><input name="text" placeholder="Text message" aria-label="text">' +
    '<button type="submit">Send</button></form></div>';
  const bar = el.querySelector('.bar');
  bar.append(document.createTextNode(address));
  if (networkUrl) {
    // What a fraudster gets the operator to do: a new SIM for this number.
    const swap = document.createElement('button');
    swap.type = 'button';
    swap.textContent = 'Swap SIM';
    swap.title = 'Have the operator move this number to a new SIM card (a SIM-swap attack)';
    swap.addEventListener('click', async () => {
      const res = await fetch(networkUrl + '/control/sim-swap', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phoneNumber: address }) });
      const note = document.createElement('span');
      note.className = 'swapped';
      note.textContent = res.ok ? 'SIM swapped ' + new Date().toLocaleTimeString() : 'swap failed';
      swap.replaceWith(note);
    });
    bar.append(swap);
  }
  el.querySelector('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    const to = form.to.value.trim();
    const text = form.text.value;
    if (!to || !text) return;
    const res = await fetch('/mo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: address, to, text }) });
    (sent[address] ||= []).push({ to, text, at: new Date().toISOString(), ok: res.ok });
    form.text.value = '';
    refresh();
  });
  const list = document.getElementById('phones');
  if (Object.keys(phones).length === 0) list.innerHTML = '';
  list.appendChild(el);
  phones[address] = el;
  return el;
}

function bubble(text, meta, mine) {
  const b = document.createElement('div');
  b.className = mine ? 'sms sent' : 'sms';
  b.textContent = text;
  const m = document.createElement('div');
  m.className = 'meta';
  m.textContent = meta;
  b.appendChild(m);
  return b;
}

async function refresh() {
  const all = await (await fetch('/inbox')).json();
  const addresses = [...new Set([...wanted, ...all.addresses])];
  for (const address of addresses) {
    const el = phoneFor(address);
    const inbox = await (await fetch('/inbox/' + encodeURIComponent(address))).json();
    const items = [
      ...inbox.messages.map((m) => ({ at: m.receivedAt, node: bubble(m.text, m.from + ' · ' + new Date(m.receivedAt).toLocaleTimeString(), false) })),
      ...(sent[address] || []).map((s) => ({ at: s.at, node: bubble(s.text, 'to ' + s.to + (s.ok ? '' : ' · not sent'), true) })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const box = el.querySelector('.messages');
    if (box.childElementCount !== items.length) {
      box.replaceChildren(...items.map((i) => i.node));
      box.scrollTop = box.scrollHeight;
    }
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
}
