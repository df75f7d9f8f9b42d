import type { Domain } from '../../types.ts';
import { counter, increment } from './counter.ts';

/** A shared counter, optionally capped: the hot-row case. */
export const counterDomain: Domain = {
  name: 'counter',
  aggregates: [counter],
  commands: [increment],
};
