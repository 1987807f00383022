/**
 * The checks of an event's or a purchase's PAYLOAD fields that Braze would otherwise reject per
 * object; each names the field and how to write it.
 */
import { MAX_PRODUCT_ID_LENGTH, MAX_PURCHASE_QUANTITY, describeType, isBrazeTime, isCurrencyCode, isPlainObject } from './braze-contract';

export function eventProblem(p: Record<string, unknown>): string | undefined {
  if (p.name === undefined || p.name === null) return 'custom_events rows need "name" in PAYLOAD (the event name, a non-empty string).';
  if (typeof p.name !== 'string' || p.name.trim() === '') return `PAYLOAD "name" must be a non-empty string (the event name), but it is ${describeType(p.name)}.`;
  return timeProblem(p) ?? propertiesProblem(p);
}

export function purchaseProblem(p: Record<string, unknown>): string | undefined {
  const missing = ['product_id', 'currency', 'price'].filter((k) => p[k] === undefined || p[k] === null);
  if (missing.length > 0) return `purchases rows need ${missing.map((k) => `"${k}"`).join(', ')} in PAYLOAD (product_id: string, currency: ISO 4217 code such as "USD", price: number).`;
  if (typeof p.product_id !== 'string' || p.product_id === '') return `PAYLOAD "product_id" must be a non-empty string, but it is ${describeType(p.product_id)}.`;
  if (p.product_id.length > MAX_PRODUCT_ID_LENGTH) return `PAYLOAD "product_id" is ${p.product_id.length} characters long; Braze accepts at most ${MAX_PRODUCT_ID_LENGTH}.`;
  if (!isCurrencyCode(p.currency)) return `PAYLOAD "currency" must be a three-letter ISO 4217 code in upper case such as "USD" or "EUR", but it is ${describeType(p.currency)}.`;
  if (typeof p.price !== 'number' || !Number.isFinite(p.price)) return `PAYLOAD "price" must be a number (write it without quotes, e.g. 9.99), but it is ${describeType(p.price)}.`;
  const q = p.quantity;
  if (q !== undefined && q !== null && !(typeof q === 'number' && Number.isInteger(q) && q >= 1 && q <= MAX_PURCHASE_QUANTITY)) {
    return `PAYLOAD "quantity" must be a whole number from 1 to ${MAX_PURCHASE_QUANTITY}, but it is ${describeType(q)}: Braze records quantity N as N purchases, so split larger orders over several rows.`;
  }
  return timeProblem(p) ?? propertiesProblem(p);
}

function timeProblem(p: Record<string, unknown>): string | undefined {
  if (p.time === undefined || p.time === null || isBrazeTime(p.time)) return undefined;
  return `PAYLOAD "time" must be an ISO 8601 time such as "2026-11-28T10:00:00Z", but it is ${describeType(p.time)}; or leave it out to use UPDATED_AT.`;
}

function propertiesProblem(p: Record<string, unknown>): string | undefined {
  if (p.properties === undefined || p.properties === null || isPlainObject(p.properties)) return undefined;
  return `PAYLOAD "properties" must be a JSON object, but it is ${describeType(p.properties)}.`;
}
