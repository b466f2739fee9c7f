import { oneLine } from '../core/names';

/**
 * The containerd shims K3s configures when it finds them on a node (`containerd-shim-<name>-v1`)
 * and for which it ships a RuntimeClass of the same name. A function image in the seed's
 * shape (FROM scratch + one .wasm as ENTRYPOINT) runs on the WASI shims below; spin, slight,
 * wws and lunatic expect their own application formats and are not offered.
 */
export const SUPPORTED_WASM_HANDLERS = ['wasmedge', 'wasmtime', 'wasmer'] as const;

/** A RuntimeClass that functions can select with `runtimeClassName`. */
export interface IWasmRuntime {
  /** The RuntimeClass name pods select. */
  readonly runtimeClassName: string;
  /** The containerd handler behind it. */
  readonly handler: string;
  /** True when the cluster provides the RuntimeClass and this library must not emit it. */
  readonly clusterProvided: boolean;
  /**
   * The RuntimeClass's `overhead.podFixed`: the scheduler adds it to the requests of every pod
   * that selects the class, so the capacity check adds it to every function pod.
   * @default - none
   */
  readonly podOverhead?: PodOverhead;
}

/** A RuntimeClass's fixed per-pod overhead, as quantities. */
export interface PodOverhead {
  /** CPU, for example "5m". */
  readonly cpu: string;
  /** Memory, for example "8Mi". */
  readonly memory: string;
}

/** Runtimes the cluster already provides. */
export class WasmRuntime {
  /**
   * The `wasmedge` RuntimeClass that K3s ships among its bundled manifests (handler
   * `wasmedge`, no node selector). It is not emitted: a second object of that name would
   * fight K3s's own manifest. Pods may land on nodes without the shim; use a
   * `WasmRuntimeClass` to pin them.
   */
  public static readonly K3S_WASMEDGE: IWasmRuntime = WasmRuntime.clusterProvided('wasmedge');

  /**
   * A RuntimeClass that K3s (or the cluster operator) provides under the handler's own name.
   * Unknown handlers are reported at synth by the function that uses them. Give the class's
   * `overhead.podFixed` as `podOverhead` when it has one (K3s's bundled classes have none), so
   * the capacity check counts it.
   */
  public static clusterProvided(handler: string, podOverhead?: PodOverhead): IWasmRuntime {
    return { runtimeClassName: handler, handler, clusterProvided: true, podOverhead };
  }

  private constructor() {}
}

/** Why `runtime` cannot run a function, or undefined. */
export function checkRuntime(field: string, runtime: IWasmRuntime): string | undefined {
  if (!(SUPPORTED_WASM_HANDLERS as readonly string[]).includes(runtime.handler)) {
    return `${field} handler "${oneLine(String(runtime.handler))}" is not a supported Wasm runtime: use one of ${SUPPORTED_WASM_HANDLERS.join(', ')} (WasmRuntime.K3S_WASMEDGE is the platform default)`;
  }
  return undefined;
}
