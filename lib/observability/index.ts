// Public API of the observability capability.
export {};
