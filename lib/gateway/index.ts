// Public API of the gateway capability.
export {};
