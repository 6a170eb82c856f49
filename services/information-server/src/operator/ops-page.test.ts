import { Script, createContext } from 'node:vm';
import { opsScript } from './ops-page';

// The page script in a small stand-in for the browser's DOM: enough to build nodes and read
// their text, and it records every attempt to have HTML parsed (innerHTML, outerHTML, …).
class Node {
  readonly children: Node[] = [];
  readonly attributes: Record<string, string> = {};
  readonly style: Record<string, string> = {};
  className = '';
  private text: string | undefined;

  constructor(
    readonly tag: string,
    private readonly parsed: string[],
    private readonly onText?: (text: string) => void,
  ) {}

  get textContent(): string {
    return this.text ?? this.children.map((c) => c.textContent).join('');
  }
  set textContent(value: string) {
    this.text = String(value);
    this.children.length = 0;
    this.onText?.(this.text);
  }
  set innerHTML(html: string) {
    this.parsed.push(html);
  }
  set outerHTML(html: string) {
    this.parsed.push(html);
  }
  insertAdjacentHTML(_where: string, html: string): void {
    this.parsed.push(html);
  }
  setAttribute(name: string, value: string): void {
    this.attributes[name] = value;
  }
  append(...nodes: Node[]): void {
    this.text = undefined;
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: Node[]): void {
    this.text = undefined;
    this.children.splice(0, this.children.length, ...nodes);
  }
  all(): Node[] {
    return [this, ...this.children.flatMap((c) => c.all())];
  }
}

const hostile = '<img src=x onerror="globalThis.pwned=1">';

async function runPage(): Promise<{ nodes: Map<string, Node>; parsed: string[]; created: string[] }> {
  const parsed: string[] = [];
  const created: string[] = [];
  let updated: (text: string) => void = () => undefined;
  const polled = new Promise<string>((resolve) => {
    updated = resolve;
  });
  const nodes = new Map<string, Node>(
    ['queues', 'queues-legend', 'rates', 'rates-legend', '#binds tbody', '#dead tbody'].map((id) => [id, new Node(id, parsed)]),
  );
  nodes.set('status', new Node('small', parsed, (text) => updated(text)));
  const make = (tag: string) => {
    created.push(tag);
    return new Node(tag, parsed);
  };
  const series = [
    { name: 'outband_queue_messages_ready', labels: { queue: hostile }, value: 2 },
    { name: 'outband_queue_consumers', labels: { queue: hostile }, value: 1 },
    { name: 'outband_smpp_binds_up', labels: { smsc: hostile }, value: 1 },
  ];
  const context = createContext({
    document: {
      getElementById: (id: string) => nodes.get(id),
      querySelector: (selector: string) => nodes.get(selector),
      createElement: make,
      createElementNS: (_ns: string, tag: string) => make(tag),
    },
    fetch: () => Promise.resolve({ ok: true, json: () => Promise.resolve({ at: new Date().toISOString(), sources: 1, series }) }),
    setInterval: () => 0,
  });
  new Script(opsScript).runInContext(context);
  expect(await polled).toMatch(/^updated /);
  expect((context as { pwned?: unknown }).pwned).toBeUndefined();
  return { nodes, parsed, created };
}

describe('the ops page script', () => {
  it('writes label values as text: a label holding an <img onerror> is shown, not interpreted', async () => {
    const { nodes, parsed, created } = await runPage();
    expect(parsed).toEqual([]);
    expect(created).not.toContain('img');
    expect(nodes.get('queues-legend')?.textContent).toContain(hostile);
    expect(nodes.get('#binds tbody')?.textContent).toContain(hostile);
    expect(nodes.get('#dead tbody')?.textContent).toContain(hostile);
    // The coloured figures are spans with a class, built as nodes too.
    const binds = nodes.get('#binds tbody')?.all() ?? [];
    expect(binds.find((n) => n.tag === 'span')?.className).toBe('up');
  });

  it('never asks the browser to parse HTML', () => {
    expect(opsScript).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});
