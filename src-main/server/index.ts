// `anneal serve`: HTTP + WebSocket adapter of the contract.
export { ensureRendererBuilt, RENDERER_DIST, rendererIsStale, REPO_ROOT } from './build.js';
export { allowHost, checkSocket, hostName, isLoopback, newToken, RENDERER_CSP, type AccessPolicy } from './security.js';
export { startServer, type RunningServer, type ServeOptions } from './server.js';
export { closeOnSignal, type ShutdownOptions } from './shutdown.js';
