/** What the Braze HTTP client needs to know about one request: braze-http.ts and braze-catalog-http.ts build routes, braze-transport.ts sends them. */

/** Rate-limit buckets: the asynchronous catalog item endpoints share one, apart from the user endpoints. */
export type Endpoint = 'track' | 'delete' | 'catalog';

/** One request: its bucket, method, path and the permission its key needs. */
export interface Route {
  endpoint: Endpoint;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  permission: string;
  /**
   * Looks at a non-2xx answer before the generic handling: an error to throw as is, 'return' to
   * hand the answer to the caller, undefined for the generic handling.
   */
  inspect?: (status: number, text: string) => Error | 'return' | undefined;
}
