// The public API of the library: everything a platform repository imports.
export * from './core/image';
export * from './core/labels';
export * from './core/names';
export * from './core/quantity';
export * from './runtime/wasm-runtime';
export * from './runtime/wasm-runtime-class';
export * from './function/function-namespace';
export * from './function/function-resources';
export * from './function/wasm-function';
export * from './synth/output-artifact';
export * from './synth/synthesizer';
