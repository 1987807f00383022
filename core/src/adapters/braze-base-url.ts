/** The configured Braze REST endpoint, checked once so every request and message can rely on it. */

export interface BrazeBaseUrl {
  origin: string;
  /** Path prefix without a trailing slash ('' for most endpoints). */
  path: string;
  host: string;
  /** Safe to print: no credentials, no query. */
  display: string;
}

export function parseBaseUrl(text: string): BrazeBaseUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Braze endpoint "${text}" is not a URL: use the REST endpoint of your instance, e.g. https://rest.iad-01.braze.com.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`Braze endpoint ${url.origin} must use https:// (or http:// for a local server).`);
  if (url.username || url.password) throw new Error(`Braze endpoint ${url.origin} must not contain credentials; the API key goes in braze.api_key.`);
  const path = url.pathname.replace(/\/+$/, '');
  return { origin: url.origin, path, host: url.hostname, display: url.origin + path };
}
