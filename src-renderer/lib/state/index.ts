// Renderer state: `.svelte.ts` classes with private $state and getters, each with its own test.
export { DEFAULT_SCHEDULE, ScheduleEditor, type ScheduleEditorInit } from './schedule-editor.svelte.js';
