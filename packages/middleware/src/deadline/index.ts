// Public API of @wirekit/middleware/deadline: deadlines and cancellation passed from a handler to the calls it makes.

export type { DeadlinePropagation, DeadlinePropagationOptions } from './deadline-propagation.js';
export { deadlinePropagation } from './deadline-propagation.js';
