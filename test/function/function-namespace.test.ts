import { Chart } from 'cdk8s';
import { FunctionNamespace } from '../../lib';
import { findOne, objectsOf, problemsOf, testApp } from '../support/synth';

describe('FunctionNamespace validation', () => {
  test('good names and labels synthesize', () => {
    const app = testApp();
    const base = new Chart(app, 'Base');
    new FunctionNamespace(base, 'Catalog', { name: 'functions-catalog', labels: { 'platform.wasm.dev/team': 'catalog' } });
    expect(problemsOf(app)).toEqual([]);
    expect(findOne(objectsOf(base), 'Namespace').metadata.labels).toMatchObject({ 'platform.wasm.dev/team': 'catalog' });
  });

  test('label keys and values a cluster would refuse are reported with the field and what is allowed', () => {
    const app = testApp();
    new FunctionNamespace(new Chart(app, 'Base'), 'Catalog', {
      name: 'functions-catalog',
      labels: { 'platform.wasm.dev/team': 'catalog team', 'Platform.Wasm.Dev/owner': 'x', 'platform.wasm.dev/cost-centre': 'c'.repeat(64) },
    });
    expect(problemsOf(app)).toEqual([
      '[Base/Catalog] labels "platform.wasm.dev/team" has the value "catalog team", which is not a valid label value: use at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit, or ""',
      '[Base/Catalog] labels key "Platform.Wasm.Dev/owner" is not a valid label or annotation key: use an optional DNS-1123 subdomain prefix and \'/\', then 1-63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit (for example "example.com/team")',
      `[Base/Catalog] labels "platform.wasm.dev/cost-centre" has the value "${'c'.repeat(64)}", which is not a valid label value: use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, or ""`,
    ]);
  });

  test('two namespaces with one name are one problem, at the second', () => {
    const app = testApp();
    const base = new Chart(app, 'Base');
    new FunctionNamespace(base, 'Catalog', { name: 'functions-catalog' });
    new FunctionNamespace(base, 'CatalogAgain', { name: 'functions-catalog' });
    new FunctionNamespace(new Chart(app, 'More'), 'Catalog', { name: 'functions-catalog' });
    expect(problemsOf(app)).toEqual([
      '[Base/CatalogAgain] name "functions-catalog" is already used by FunctionNamespace Base/Catalog: declare each namespace once (give the second another name, or remove it)',
      '[More/Catalog] name "functions-catalog" is already used by FunctionNamespace Base/Catalog: declare each namespace once (give the second another name, or remove it)',
    ]);
  });
});
