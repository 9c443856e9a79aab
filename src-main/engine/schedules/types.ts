// The schedule types of shared/docs/schedules.md, in the order the contract lists them.
export const SCHEDULE_TYPES = [
  'constant',
  'step',
  'multiStep',
  'piecewise',
  'exponential',
  'inverseTime',
  'polynomial',
  'cosine',
  'cosineRestarts',
  'cyclic',
  'oneCycle',
  'warmup',
  'sequential',
  'plateau',
] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];
