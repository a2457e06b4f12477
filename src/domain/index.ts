/** The pure domain layer of the VOV refund portal: validators, formatters and business rules. */
export * from './dates.js';
export * from './iban.js';
export * from './insz.js';
export * from './kbo.js';
export * from './mod97.js';
export * from './money.js';
export * from './refund-rules.js';
export * from './rules-data.js';
export * from './school-year.js';
export * from './training.js';
