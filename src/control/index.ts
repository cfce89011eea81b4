// Changing set points: validation and application, shared by `gemcaen set` and `gemcaen ieq --set`.
export type { ControlSession } from './session.js';
export * from './input.js';
export * from './value.js';
export * from './target.js';
export * from './change.js';
export * from './set-plan.js';
export * from './ieq-plan.js';
export * from './apply.js';
export * from './confirm.js';
export * from './request.js';
