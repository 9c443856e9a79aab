// Images for the screens, decoded in a bounded pool of worker threads.
export { DEFAULT_MEDIA_WORKERS, MediaPool } from './pool.js';
export type { MediaResult, MediaTask } from './protocol.js';
export { DEFAULT_THUMBNAIL_MAX_PIXELS, pngDataUrl, renderThumbnail } from './thumbnail.js';
