import { FunctionEgress, FunctionResources } from '../lib';
import { NAMESPACES } from './namespaces';
import { TEAM_REGISTRIES } from './registries';

/** One function of the reference platform, as the platform team describes it. */
export interface CatalogEntry {
  readonly name: string;
  /** Which functions namespace (and chart) it belongs to. */
  readonly domain: 'catalog' | 'orders';
  readonly image: string;
  readonly version: string;
  readonly resources?: FunctionResources;
  readonly config?: Record<string, string>;
  readonly env?: Record<string, string>;
  /**
   * What the function connects to besides DNS: its namespace denies all other egress. The
   * Services its config names, by their pods' labels.
   */
  readonly egress?: readonly FunctionEgress[];
  /**
   * Functions of the catalog it calls over their Services, by name: declared with
   * `allowCallsTo`, so its egress and their ingress open for exactly that path, across teams
   * too (every other path between function namespaces stays denied).
   */
  readonly calls?: readonly string[];
}

/**
 * The e-commerce request path. Digests are what the image pipeline publishes, each function
 * under its team's registry path (TEAM_REGISTRIES: catalog's or orders'); sizing
 * follows the seed (10m/100m CPU, 32Mi/64Mi memory) except where a function needs more.
 */
export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'product-detail',
    domain: 'catalog',
    image: `${TEAM_REGISTRIES.catalog}product-detail@sha256:ee53e6483a0ea1a04acd565404cdd4036828bdbddae632d47f551fe8b0f90316`,
    version: '1.4.2',
    config: { CACHE_TTL_SECONDS: '30', UPSTREAM_PRODUCTS: 'http://products.catalog-data.svc:8080' },
    egress: [FunctionEgress.toService({ namespace: 'catalog-data', name: 'products', podLabels: { 'app.kubernetes.io/name': 'products' }, port: 8080 })],
  },
  {
    name: 'price',
    domain: 'catalog',
    image: `${TEAM_REGISTRIES.catalog}price@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc`,
    version: '2.1.0',
    config: { CURRENCY_DEFAULT: 'EUR', PRICE_RULES_REFRESH_SECONDS: '10' },
  },
  {
    name: 'inventory',
    domain: 'catalog',
    image: `${TEAM_REGISTRIES.catalog}inventory@sha256:2fba135d89417832ffd68d5d34127c19474d9327d78f66413f2089b47a40cb01`,
    version: '1.9.3',
    env: { STOCK_CONSISTENCY: 'strong' },
  },
  {
    name: 'search',
    domain: 'catalog',
    image: `${TEAM_REGISTRIES.catalog}search@sha256:31ed6068a9bdac69388904222e3c68217245099afc5d23437e8d16d656cd42bc`,
    version: '3.0.1',
    // Query parsing and ranking hold an in-memory index shard: more memory than the seed's.
    resources: { cpuRequest: '20m', cpuLimit: '200m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
  },
  {
    name: 'recommend',
    domain: 'catalog',
    image: `${TEAM_REGISTRIES.catalog}recommend@sha256:cb9503cf5db7af404f4f2f0e65560fa5904d275b69ee59ad733263154076810b`,
    version: '0.8.0',
    resources: { cpuRequest: '20m', cpuLimit: '150m', memoryRequest: '48Mi', memoryLimit: '96Mi' },
    config: { MODEL_VARIANT: 'collaborative-v3' },
  },
  {
    name: 'reviews',
    domain: 'catalog',
    image: `${TEAM_REGISTRIES.catalog}reviews@sha256:49c603b211b06b12c34de75494c17371ebca14fd91ec4e64c7322525359e8a98`,
    version: '1.0.4',
  },
  {
    name: 'cart',
    domain: 'orders',
    image: `${TEAM_REGISTRIES.orders}cart@sha256:79c1e8381869fa4280937c2a9f895e14201a8b58acee15576e2dec5f2bbfaf1e`,
    version: '2.3.0',
    config: { SESSION_STORE: 'redis://cart-sessions.orders-data.svc:6379' },
    egress: [FunctionEgress.toService({
      namespace: 'orders-data', name: 'cart-sessions', podLabels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'cart-sessions' }, port: 6379,
    })],
  },
  {
    name: 'checkout',
    domain: 'orders',
    image: `${TEAM_REGISTRIES.orders}checkout@sha256:15f2f143f6ed98121dad65f0b07a26647dce71aed973fbc25b20e7a4047f1891`,
    version: '4.2.1',
    // Payment signing is the heaviest request path; still far below a container's footprint.
    resources: { cpuRequest: '25m', cpuLimit: '200m', memoryRequest: '48Mi', memoryLimit: '96Mi' },
    config: {
      PAYMENT_TIMEOUT_MS: '800',
      IDEMPOTENCY_WINDOW_SECONDS: '600',
      // The catalog team's functions: the price charged and the stock reserved at checkout.
      PRICE_URL: `http://price.${NAMESPACES.catalog}.svc`,
      INVENTORY_URL: `http://inventory.${NAMESPACES.catalog}.svc`,
    },
    calls: ['price', 'inventory'],
  },
  {
    name: 'flash-sale',
    domain: 'orders',
    image: `${TEAM_REGISTRIES.orders}flash-sale@sha256:f31a059a8346dd89b8147f6980478227922a5f897a01cbeab806eb8d36e565ab`,
    version: '1.2.0',
    config: { ADMISSION_TOKENS_PER_SECOND: '20000', QUEUE_MAX_WAIT_MS: '2000' },
  },
];
