/** The shop's single page: sign in with a code, fill a basket, pay (with a code above the limit). */
export function shopPage(o: { phoneUrl?: string | undefined }): string {
  const phone = o.phoneUrl ? `<a href="${encodeURI(o.phoneUrl)}" target="phone">Open the simulated phones</a>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo shop · Outband</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 720px; margin: 24px auto; padding: 0 16px; color: #212529; }
  header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #dee2e6; margin-bottom: 16px; }
  section { border: 1px solid #dee2e6; border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; }
  table { width: 100%; border-collapse: collapse; }
  td { padding: 6px 4px; border-bottom: 1px solid #f1f3f5; }
  td.price { text-align: right; white-space: nowrap; }
  button { background: #0b7dda; color: #fff; border: 0; border-radius: 6px; padding: 6px 12px; font-size: 14px; cursor: pointer; }
  button.secondary { background: #868e96; }
  input { font-size: 14px; padding: 6px; border: 1px solid #ced4da; border-radius: 6px; }
  .hidden { display: none; }
  .message { padding: 8px 12px; border-radius: 6px; margin-top: 8px; }
  .ok { background: #d3f9d8; } .error { background: #ffe3e3; } .info { background: #e7f5ff; }
</style>
</head>
<body>
<header><h1>Demo shop</h1><span>${phone}</span></header>

<section id="sign-in">
  <h2>Sign in</h2>
  <form id="identify"><input name="identifier" placeholder="alice" aria-label="identifier" autocomplete="username">
    <button type="submit">Send me a code</button></form>
  <form id="sign-in-code" class="hidden"><p>We sent a code to <b id="sign-in-to"></b>.</p>
    <input name="code" placeholder="code" aria-label="sign-in code" inputmode="numeric" autocomplete="one-time-code">
    <button type="submit">Sign in</button></form>
</section>

<section id="account" class="hidden">
  <p>Signed in as <b id="who"></b> <button id="sign-out" class="secondary">Sign out</button></p>
</section>

<section id="shop" class="hidden">
  <h2>Products</h2>
  <table id="products"></table>
  <h2>Basket</h2>
  <table id="basket"></table>
  <p>Total: <b id="total">0.00 €</b></p>
  <button id="pay">Pay</button>
  <form id="pay-code" class="hidden"><p>Approve <b id="pay-amount"></b>: we sent a code to <b id="pay-to"></b>.</p>
    <input name="code" placeholder="code" aria-label="payment code" inputmode="numeric" autocomplete="one-time-code">
    <button type="submit">Approve payment</button></form>
</section>

<div id="status" class="message hidden" role="status"></div>

<script>
let catalog = [];
let basket = {};
const $ = (id) => document.getElementById(id);
const euros = (cents) => (cents / 100).toFixed(2) + ' €';

async function call(method, path, body) {
  const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json();
  if (!res.ok) throw new Error(json.detail || json.code);
  return json;
}

function say(text, kind) {
  const el = $('status');
  el.textContent = text;
  el.className = 'message ' + kind;
}

function show(identifier) {
  $('sign-in').classList.toggle('hidden', !!identifier);
  $('account').classList.toggle('hidden', !identifier);
  $('shop').classList.toggle('hidden', !identifier);
  $('who').textContent = identifier || '';
  $('identify').classList.remove('hidden');
  $('sign-in-code').classList.add('hidden');
}

function renderBasket() {
  const rows = Object.entries(basket).map(([id, quantity]) => {
    const p = catalog.find((c) => c.id === id);
    return '<tr><td>' + quantity + ' × ' + p.name + '</td><td class="price">' + euros(p.price * quantity) + '</td></tr>';
  });
  $('basket').innerHTML = rows.join('') || '<tr><td>Empty</td></tr>';
  $('total').textContent = euros(Object.entries(basket).reduce((t, [id, q]) => t + catalog.find((c) => c.id === id).price * q, 0));
}

function renderProducts() {
  $('products').replaceChildren(...catalog.map((p) => {
    const tr = document.createElement('tr');
    tr.innerHTML = '<td></td><td class="price"></td><td><button>Add</button></td>';
    tr.children[0].textContent = p.name;
    tr.children[1].textContent = euros(p.price);
    tr.querySelector('button').setAttribute('aria-label', 'Add ' + p.name);
    tr.querySelector('button').onclick = () => { basket[p.id] = (basket[p.id] || 0) + 1; renderBasket(); };
    return tr;
  }));
}

$('identify').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await call('POST', '/api/sign-in', { identifier: e.target.identifier.value });
    $('sign-in-to').textContent = r.to || 'your phone';
    $('identify').classList.add('hidden');
    $('sign-in-code').classList.remove('hidden');
    say('Code sent. Type it below.', 'info');
  } catch (err) { say(err.message, 'error'); }
};

$('sign-in-code').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await call('POST', '/api/sign-in/check', { code: e.target.code.value });
    e.target.code.value = '';
    if (r.status === 'approved') { show(r.identifier); say('Signed in: approved.', 'ok'); }
    else if (r.status === 'pending') say('Wrong code: ' + (r.cause || 'try again'), 'error');
    else { show(null); say('Sign-in ' + r.status + '. Start again.', 'error'); }
  } catch (err) { say(err.message, 'error'); }
};

$('sign-out').onclick = async () => { await call('POST', '/api/sign-out'); basket = {}; renderBasket(); show(null); say('Signed out.', 'info'); };

$('pay').onclick = async () => {
  try {
    const cart = Object.entries(basket).map(([id, quantity]) => ({ id, quantity }));
    const r = await call('POST', '/api/pay', { cart });
    if (r.payment.state === 'captured') { basket = {}; renderBasket(); say('Payment approved: ' + euros(r.payment.amount) + ' paid, no code needed.', 'ok'); }
    else if (r.payment.state === 'code_sent') {
      $('pay-amount').textContent = euros(r.payment.amount);
      $('pay-to').textContent = r.payment.to || 'your phone';
      $('pay-code').classList.remove('hidden');
      say('Above the limit: approve it with the code on your phone.', 'info');
    } else say('Payment ' + r.payment.state + (r.payment.cause ? ': ' + r.payment.cause : ''), 'error');
  } catch (err) { say(err.message, 'error'); }
};

$('pay-code').onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await call('POST', '/api/pay/check', { code: e.target.code.value });
    e.target.code.value = '';
    if (r.payment.state === 'captured') {
      $('pay-code').classList.add('hidden'); basket = {}; renderBasket();
      say('Payment approved: ' + euros(r.payment.amount) + ' paid.', 'ok');
    } else if (r.status === 'pending') say('Wrong code: ' + (r.cause || 'try again'), 'error');
    else { $('pay-code').classList.add('hidden'); say('Payment ' + r.payment.state + (r.payment.cause ? ': ' + r.payment.cause : ''), 'error'); }
  } catch (err) { say(err.message, 'error'); }
};

call('GET', '/api/me').then((r) => { catalog = r.catalog; renderProducts(); renderBasket(); show(r.identifier); });
</script>
</body>
</html>
`;
}
