export * from './vocabulary.js';
export * from './events.js';
export * from './commands.js';
export * from './calendar.js';
export * from './insz.js';
export * from './rules.js';
export * from './state.js';
export { evolve } from './evolve.js';
export { decide } from './decide.js';
