/** Reading request bodies and writing JSON answers for the local Braze server's node:http handlers. */
import type http from 'node:http';

/** The request body, or undefined when it exceeds `cap` (the connection is then cut). */
export function readBody(req: http.IncomingMessage, cap: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        resolve(undefined);
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    // A client that goes away mid-body: nothing to answer.
    req.on('close', () => resolve(undefined));
    req.on('error', reject);
  });
}

/** A JSON answer without Braze's headers: for `/_local/*` and requests no route takes. */
export function replyJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
