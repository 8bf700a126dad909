import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from './errors';

/** The methods a Next.js route handler can be written for; Next.js refuses any other itself. */
export const ROUTE_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export type RouteMethod = (typeof ROUTE_METHODS)[number];

const isRouteMethod = (method: string | undefined): method is RouteMethod => ROUTE_METHODS.includes(method as RouteMethod);

/**
 * For the Node server in front of Next.js. A method no route can implement never reaches Next.js,
 * which would answer TRACE with a 500 HTML page (a Web Request cannot carry TRACE) and PROPFIND
 * with an empty 400: here it gets the API's JSON error, 501, on every path. True if it answered.
 */
export function refuseUnroutableMethod(req: IncomingMessage, res: ServerResponse): boolean {
  if (isRouteMethod(req.method)) return false;
  const error = new AppError('not_implemented', `The hub does not implement ${req.method ?? 'this method'}; use ${ROUTE_METHODS.join(', ')}.`);
  const body = JSON.stringify(error.toBody());
  // The body is not read: closing keeps an unread upload from holding the connection.
  res.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
  return true;
}
