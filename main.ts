// The reference e-commerce platform, synthesized by `npm run synth` into dist/: a fleet of a
// staging cluster and two production regions (dist/clusters/<cluster>/), delivered by one
// Argo CD ApplicationSet (dist/fleet/) from the root Application in dist/bootstrap/.
import { App } from 'cdk8s';
import { synthesizeMain } from './lib';
import { buildReferenceFleet } from './platform';

const app = new App();
buildReferenceFleet(app);
synthesizeMain(app, { outdir: process.env.PLATFORM_OUTDIR ?? 'dist', stagingDir: process.env.CDK8S_OUTDIR });
