// Types of the client library for the page's modules. The page imports '../client.js': the daemon serves the
// compiled client (dist/src/client/index.js) at /client.js, next to the page's modules at /app/*.js.
export * from '../dist/src/client/index.js';
