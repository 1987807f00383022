/**
 * A loopback TCP proxy that holds every chunk for a fixed time in each direction, standing in for a
 * warehouse in another data centre (round trip = 2 × delay) without any external service.
 *
 * Order is kept (one FIFO per direction, one timer at its head). Throughput is not capped, but
 * backpressure still travels: when the receiver stops reading (a reader pausing its socket) or more
 * than MAX_IN_FLIGHT bytes wait in the delay line, the sending side is paused, as a TCP window would.
 * Without that the proxy would soak up the whole result and a reader's backpressure would be fake.
 */
import * as net from 'node:net';

/** Bytes waiting in one direction's delay line before the sender is paused (≈ a large TCP window). */
const MAX_IN_FLIGHT = 16 * 1024 * 1024;

export interface DelayProxy {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Copies `from` to `to`, each chunk (and the end of the stream) `delayMs` after it arrived. */
function pipeDelayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  const line: { due: number; chunk: Buffer | null }[] = []; // null: `from` ended
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;

  const throttle = () => {
    const full = inFlight > MAX_IN_FLIGHT || to.writableNeedDrain;
    if (full && !from.isPaused()) from.pause();
    else if (!full && from.isPaused() && !from.destroyed) from.resume();
  };
  const release = () => {
    timer = undefined;
    const now = performance.now();
    while (line.length > 0 && (line[0]?.due ?? Infinity) <= now) {
      const { chunk } = line.shift() as { chunk: Buffer | null };
      if (chunk === null) {
        to.end();
        return;
      }
      inFlight -= chunk.length;
      to.write(chunk);
    }
    const next = line[0];
    if (next) timer = setTimeout(release, Math.max(1, Math.ceil(next.due - now)));
    throttle();
  };
  const enqueue = (chunk: Buffer | null) => {
    line.push({ due: performance.now() + delayMs, chunk });
    if (chunk) inFlight += chunk.length;
    timer ??= setTimeout(release, delayMs);
    throttle();
  };

  from.on('data', (chunk: Buffer) => enqueue(chunk));
  from.on('end', () => enqueue(null));
  to.on('drain', throttle);
  to.on('close', () => {
    if (timer) clearTimeout(timer);
    line.length = 0;
  });
}

/** Listens on 127.0.0.1 (a free port) and forwards each connection to `target` with `delayMs` each way. */
export async function startDelayProxy(target: { host: string; port: number }, delayMs: number): Promise<DelayProxy> {
  const open = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  };
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    track(client);
    track(upstream);
    // A reset or error on either side ends both: there is no one left to deliver to.
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', fail);
    upstream.on('error', fail);
    pipeDelayed(client, upstream, delayMs);
    pipeDelayed(upstream, client, delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: '127.0.0.1',
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
