// The contract's implementation over the engine, shared by the shell and the server.
export { createHandlers, WORKSPACE_FILE, type Handlers, type ServiceOptions } from './handlers.js';
export { dispatch, type Outcome } from './dispatch.js';
export {
  DEFAULT_MEDIA_WORKERS,
  DEFAULT_THUMBNAIL_MAX_PIXELS,
  MediaPool,
  pngDataUrl,
  renderThumbnail,
} from './media/index.js';
