/**
 * GraphiQL for development, rendered by graphql-yoga's page (served at `/`). The page never
 * carries an API key: users paste theirs into the headers tab, so no endpoint exposes keys.
 * GraphiQL's assets load from a CDN in the user's browser; the gateway itself needs no network.
 */
import { renderGraphiQL } from 'graphql-yoga';

export function renderGraphiQLPage(options: { title: string; endpoint: string }): string {
  return renderGraphiQL({
    title: options.title,
    endpoint: options.endpoint,
    headers: JSON.stringify({ 'x-api-key': '<paste an API key printed at start>' }),
    subscriptionsProtocol: 'WS',
  });
}
